using Marten;
using Npgsql;
using Workflow.Core.Applications;

namespace Workflow.Store.Applications;

/// <param name="LastEventAt">When the last event folded in was stored: the moment the replayed state describes.</param>
public sealed record ReplayedApplication(ApplicationDetails Details, DateTimeOffset LastEventAt);

/// <summary>
/// An application as it was at a version or at an instant (as recorded by the store): the as-of replay behind the API's
/// <c>atVersion</c> and <c>asOf</c>, the oversight case view and <c>workflow replay</c>. It gives what
/// <c>AggregateStreamAsync&lt;ApplicationDetails&gt;</c> gives, with the same filter (not archived, up to the version and the
/// instant, in sequence order) and the same fold (<see cref="ApplicationDetailsProjection.Fold"/>), but reads only the
/// columns the fold needs with one statement and deserialises each event with the store's serializer into the type its
/// stored name maps to. The details read nothing of an event's metadata, so Marten's reading and wrapping of it (headers,
/// user, correlation and causation ids for every event) was most of the time a replay took beyond the raw read.
/// </summary>
public sealed class ApplicationReplay(IDocumentStore store, NpgsqlDataSource database)
{
    /// <summary>The stored names of the events of a case, and the first shape of the completeness check, upcast as it is read.</summary>
    private static readonly Dictionary<string, Type> Stored = ApplicationEvents.Aliases.Concat(DeskEvents.Aliases)
        .ToDictionary(kv => kv.Value, kv => kv.Key)
        .Append(KeyValuePair.Create(ApplicationDeclaredCompleteV1.StoredAs, typeof(ApplicationDeclaredCompleteV1)))
        .ToDictionary();

    private readonly ISerializer serializer = store.Options.Serializer();

    /// <summary>
    /// The application after its events up to <paramref name="version"/> (0: all) stored at or before <paramref name="at"/>
    /// (null: any time); null when there are none, or fewer than the version asked.
    /// </summary>
    public async Task<ReplayedApplication?> AsOfAsync(Guid id, long version = 0, DateTimeOffset? at = null,
        CancellationToken cancellation = default)
    {
        var read = await FoldAsync(id, version, at, () => (ApplicationDetails?)null, ApplicationDetailsProjection.Fold, cancellation);
        return Result(id, read.State, read.Count, version, read.Last, read.LastAt);
    }

    /// <summary>
    /// Every event of each application, in order, folded into what <paramref name="start"/> gives as the details are; with how
    /// many there were. An application without events is not in the answer. What the projection check refolds each read
    /// model kept from the events with: the events of all the applications are read with one statement.
    /// </summary>
    /// <param name="start">The state before an application's first event; called again when its events must be read afresh.</param>
    /// <param name="connection">An open connection to read on (in the caller's snapshot), or none: one from the pool. An
    /// application with an event of a later release is read again through Marten, on a connection of its own.</param>
    public async Task<IReadOnlyDictionary<Guid, (T State, long Events)>> FoldManyAsync<T>(IReadOnlyCollection<Guid> ids,
        Func<Guid, T> start, Func<T, object, T> fold, CancellationToken cancellation, NpgsqlConnection? connection = null)
    {
        var folded = new Dictionary<Guid, (T State, long Events)>();
        var unknown = new HashSet<Guid>();
        await using (var command = connection is null ? database.CreateCommand(Many) : new NpgsqlCommand(Many, connection))
        {
            command.Parameters.AddWithValue("ids", ids.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
            {
                var id = reader.GetGuid(0);
                if (unknown.Contains(id)) continue;
                // A name this release does not know (an event of a later release): Marten's own reading folds that application.
                if (!Stored.TryGetValue(reader.GetString(1), out var type))
                {
                    unknown.Add(id);
                    continue;
                }
                var (state, count) = folded.TryGetValue(id, out var so) ? so : (start(id), 0);
                var data = serializer.FromJson(type, reader, 2);
                folded[id] = (fold(state, data is ApplicationDeclaredCompleteV1 v1 ? v1.Upcast() : data), count + 1);
            }
        }
        foreach (var id in unknown)
        {
            var read = await ThroughMartenAsync(id, 0, null, () => start(id), fold, cancellation);
            folded[id] = (read.State, read.Count);
        }
        return folded;
    }

    private async Task<Folded<T>> FoldAsync<T>(Guid id, long version, DateTimeOffset? at, Func<T> start, Func<T, object, T> fold,
        CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(Statement(version != 0, at is not null));
        command.Parameters.AddWithValue("id", id);
        if (version != 0) command.Parameters.AddWithValue("version", version);
        if (at is { } instant) command.Parameters.AddWithValue("at", instant.ToUniversalTime());
        var state = start();
        long last = 0, count = 0;
        var lastAt = default(DateTimeOffset);
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
        {
            while (await reader.ReadAsync(cancellation))
            {
                // A name this release does not know (an event of a later release): Marten's own reading resolves it, or says why not.
                if (!Stored.TryGetValue(reader.GetString(0), out var type))
                    return await ThroughMartenAsync(id, version, at, start, fold, cancellation);
                var data = serializer.FromJson(type, reader, 1);
                state = fold(state, data is ApplicationDeclaredCompleteV1 v1 ? v1.Upcast() : data);
                last = reader.GetInt64(2);
                lastAt = reader.GetFieldValue<DateTimeOffset>(3);
                count++;
            }
        }
        return new(state, count, last, lastAt);
    }

    /// <summary>The same fold over the events as Marten reads and wraps them.</summary>
    private async Task<Folded<T>> ThroughMartenAsync<T>(Guid id, long version, DateTimeOffset? at, Func<T> start, Func<T, object, T> fold,
        CancellationToken cancellation)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(id, version, at?.ToUniversalTime(), token: cancellation);
        var state = events.Aggregate(start(), (s, e) => fold(s, e.Data));
        return events.Count == 0 ? new(state, 0, 0, default) : new(state, events.Count, events[^1].Version, events[^1].Timestamp);
    }

    private sealed record Folded<T>(T State, long Count, long Last, DateTimeOffset LastAt);

    /// <summary>As <c>AggregateStreamAsync</c> answers: nothing without events or short of the version asked; the stream's id.</summary>
    private static ReplayedApplication? Result(Guid id, ApplicationDetails? details, long count, long version, long last,
        DateTimeOffset lastAt) =>
        count == 0 || (version != 0 && version > last) || details is null ? null : new(details with { Id = id }, lastAt);

    /// <summary>One statement text per filter, so each is prepared once and planned for its own conditions.</summary>
    private static string Statement(bool toVersion, bool toInstant) => (toVersion, toInstant) switch
    {
        (false, false) => All,
        (true, false) => ToVersion,
        (false, true) => ToInstant,
        (true, true) => ToVersionAndInstant,
    };

    private const string Select =
        $"select type, data, version, timestamp from {WorkflowStore.Schema}.mt_events where stream_id = @id and is_archived = false";

    private const string Order = " order by seq_id";

    private const string Many =
        $"select stream_id, type, data from {WorkflowStore.Schema}.mt_events where stream_id = any(@ids) and is_archived = false " +
        "order by stream_id, seq_id";
    private const string All = Select + Order;
    private const string ToVersion = Select + " and version <= @version" + Order;
    private const string ToInstant = Select + " and timestamp <= @at" + Order;
    private const string ToVersionAndInstant = Select + " and version <= @version and timestamp <= @at" + Order;
}
