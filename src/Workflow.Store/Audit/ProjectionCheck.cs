using System.Data;
using System.Text.Json.Nodes;
using Marten;
using Marten.Services;
using Npgsql;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Store.Applications;
using Workflow.Store.Definitions;
using Workflow.Store.Tracking;

namespace Workflow.Store.Audit;

/// <summary>
/// A stored read model of an application that is not what its events fold into (or has no events at all).
/// <see cref="Document"/> names which: <c>ApplicationDetails</c>, <c>CitizenTracking</c>, <c>InboxItem</c> (the fields are
/// then the steps) or <c>deadline_timers</c> (the fields are the deadlines' scopes: a step, the case, the correction window).
/// </summary>
public sealed record ProjectionDifference(Guid ApplicationId, string? TrackingNumber, string Document, IReadOnlyList<string> Fields,
    string Detail);

/// <summary>
/// Checks the read models people see against the events. Each application's stream is folded again through the same
/// folds the projections write with and compared, field by field, with what is stored: the <see cref="ApplicationDetails"/>
/// document (what staff see), the <see cref="CitizenTracking"/> document (what the citizen sees, with the hash of the access
/// code), the agencies' inbox items of the application (which step waits where, who holds it, its deadline, warnings,
/// escalations, an approval waiting for confirmation) and its open-deadline rows (what the sweeper will fire, and when).
/// Only streams whose chain verifies are refolded: the caller verifies first and names the broken ones, which the chain
/// itself reports (every caller does, for one case or the whole store, so the chain is not read twice); documents and rows
/// without a stream are named too.
/// </summary>
/// <remarks>
/// A deadline row whose next instant has passed may have been retired by the sweeper, which stops claiming a timer that fires
/// nothing by the case's state. So a stored row without a next instant, where the events give one already past, is named
/// only when the case's state, decided as the sweeper decides, would still fire something then: a timer silenced after its
/// instant. Which sweep holds a row (<c>claimed_until</c>) is not compared.
/// </remarks>
public sealed class ProjectionCheck(IDocumentStore store, NpgsqlDataSource database, ApplicationReplay replay,
    PinnedDefinitions definitions, TimeProvider clock)
{
    private const string Deadlines = WorkflowStore.Schema + "." + OpenDeadlines.Table;

    /// <summary>
    /// How many applications are checked together: their ids, documents, inbox items, deadline rows and events are read with
    /// one statement each, and only they are held in memory, however large the store.
    /// </summary>
    public int Chunk { get; init; } = 500;

    public async Task<IReadOnlyList<ProjectionDifference>> RunAsync(IReadOnlyCollection<Guid> brokenStreams, Guid? only = null,
        CancellationToken cancellation = default)
    {
        var now = clock.GetUtcNow();
        var differences = new List<ProjectionDifference>();
        Guid? after = null;
        while (true)
        {
            IReadOnlyList<Guid> ids = only is { } one ? [one] : await NextAsync(after, cancellation);
            var unbroken = ids.Where(id => !brokenStreams.Contains(id)).ToList();
            if (unbroken.Count > 0) differences.AddRange(await CheckAsync(unbroken, now, cancellation));
            if (only is not null || ids.Count < Chunk) return differences;
            after = ids[^1];
        }
    }

    /// <summary>
    /// The next applications in id order after <paramref name="after"/>: every id with a submission, a stored document, an
    /// inbox item or a deadline row. Each source is read from its own index in the same order, so a chunk costs the same
    /// at the end of a large store as at its start.
    /// </summary>
    private async Task<IReadOnlyList<Guid>> NextAsync(Guid? after, CancellationToken cancellation)
    {
        string From(string column, string table, string condition = "") =>
            $"(select distinct {column} as id from {WorkflowStore.Schema}.{table} where {condition}" +
            (after is null ? "true" : $"{column} > @after") + $" order by {column} limit @chunk)";
        await using var command = database.CreateCommand(
            "select id from (" + string.Join(" union ",
                From("stream_id", "mt_events", "type = 'application_submitted' and "),
                From("id", "mt_doc_applicationdetails"),
                From("id", "mt_doc_citizentracking"),
                From("application_id", OpenDeadlines.Table),
                From(InboxItemApplication, "mt_doc_inboxitem")) +
            ") ids order by id limit @chunk");
        command.Parameters.AddWithValue("chunk", Chunk);
        if (after is { } last) command.Parameters.AddWithValue("after", last);
        var ids = new List<Guid>(Chunk);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation)) ids.Add(reader.GetGuid(0));
        return ids;
    }

    /// <summary>The inbox item's application, as its index keeps it.</summary>
    private const string InboxItemApplication = "(data ->> 'applicationId')::uuid";

    private async Task<IEnumerable<ProjectionDifference>> CheckAsync(IReadOnlyList<Guid> ids, DateTimeOffset now,
        CancellationToken cancellation)
    {
        // One snapshot for everything read of these applications: a command committed meanwhile is seen whole or not at all, so
        // a store in use is not named for a case whose documents were read before its latest events and those after them.
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellation);
        await using var session = store.QuerySession(SessionOptions.ForTransaction(snapshot));
        var read = session.CreateBatchQuery();
        var details = read.LoadMany<ApplicationDetails>().ByIdList(ids);
        var tracking = read.LoadMany<CitizenTracking>().ByIdList(ids);
        var items = read.Query<InboxItem>().Where(i => ids.Contains(i.ApplicationId)).ToList();
        await read.Execute(cancellation);
        var storedDetails = (await details).ToDictionary(d => d.Id);
        var storedTracking = (await tracking).ToDictionary(t => t.Id);
        var inbox = (await items).ToLookup(i => i.ApplicationId);
        var deadlines = await DeadlineRowsAsync(connection, ids, cancellation);
        var folded = await replay.FoldManyAsync(ids, id => new Folded(id), (f, e) => f.Apply(e), cancellation, connection);
        var retiredPast = folded.SelectMany(f => deadlines.TryGetValue(f.Key, out var rows)
            ? f.Value.State.Deadlines.Where(d => rows.TryGetValue(d.Key, out var kept) && kept.FireAt is null && d.Value.FireAt <= now)
                .Select(d => (Id: f.Key, Scope: d.Key, At: d.Value.FireAt!.Value))
            : []).ToList();
        var stillDue = await StillDueAsync(retiredPast, now, connection, cancellation);
        return ids.SelectMany(id =>
        {
            var stored = new Stored(storedDetails.GetValueOrDefault(id), storedTracking.GetValueOrDefault(id), inbox[id].ToList(),
                deadlines.TryGetValue(id, out var rows) ? rows : []);
            return folded.TryGetValue(id, out var f) ? Compare(id, stored, f.State, stillDue, now) : WithoutEvents(id, stored);
        }).ToList();
    }

    /// <summary>
    /// Which of these timers, stored as firing nothing more though the events give an instant already passed, would still
    /// fire something if the sweeper sent them now: the case's state (folded again), its pinned rules and its centre's
    /// calendar, decided as the sweeper's command is. The sweeper retires a timer only when it fires nothing, so such a
    /// timer was silenced, and it never fires. Rules that can no longer be read are named by the rules' own check; their
    /// timers are left unnamed here.
    /// </summary>
    private async Task<HashSet<(Guid Id, string Scope)>> StillDueAsync(IReadOnlyList<(Guid Id, string Scope, DateTimeOffset At)> timers,
        DateTimeOffset now, NpgsqlConnection connection, CancellationToken cancellation)
    {
        if (timers.Count == 0) return [];
        var states = await replay.FoldManyAsync([.. timers.Select(t => t.Id).Distinct()], _ => (Application?)null, Application.Evolve,
            cancellation, connection);
        var due = new HashSet<(Guid, string)>();
        foreach (var (id, scope, at) in timers)
        {
            if (!states.TryGetValue(id, out var folded) || folded.State is not { } state) continue;
            WorkflowDefinition definition;
            try
            {
                definition = await definitions.PinnedAsync(state.WorkflowId, state.WorkflowVersion, state.DefinitionHash, cancellation);
            }
            catch (Exception e) when (e is RulesAltered or InvalidOperationException or DefinitionException)
            {
                continue;
            }
            var calendar = definitions.Catalog.Calendars.ForCentre(state.Centre, now);
            if (Decider.Decide(new ReachDeadline(scope, DeadlineScopes.System, at), state, definition, calendar, now).Count > 0)
                due.Add((id, scope));
        }
        return due;
    }

    /// <summary>What is stored of one application: its two documents, its inbox items and its open-deadline rows.</summary>
    private sealed record Stored(ApplicationDetails? Details, CitizenTracking? Tracking, IReadOnlyList<InboxItem> Inbox,
        IReadOnlyDictionary<string, DeadlineRow> Deadlines);

    /// <summary>One application's read models as its events, folded in order, give them.</summary>
    private sealed class Folded(Guid id)
    {
        public ApplicationDetails? Details { get; private set; }
        public CitizenTracking? Tracking { get; private set; }
        public InboxFold Inbox { get; } = new();
        public Dictionary<string, DeadlineRow> Deadlines { get; } = [];

        public Folded Apply(object data)
        {
            Details = ApplicationDetailsProjection.Fold(Details, data);
            Tracking = CitizenTrackingProjection.Fold(Tracking, data);
            Inbox.Apply(id, data);
            OpenDeadlines.Fold(Deadlines, id, data);
            return this;
        }
    }

    private static IEnumerable<ProjectionDifference> WithoutEvents(Guid id, Stored stored)
    {
        var number = stored.Details?.TrackingNumber ?? stored.Tracking?.TrackingNumber;
        if (stored.Details is not null)
            yield return new(id, number, nameof(ApplicationDetails), [], "a stored document without any events");
        if (stored.Tracking is not null)
            yield return new(id, number, nameof(CitizenTracking), [], "a stored document without any events");
        if (stored.Inbox.Count > 0)
            yield return new(id, number, nameof(InboxItem), [.. stored.Inbox.Select(i => i.StepId)],
                "inbox items of an application without any events");
        if (stored.Deadlines.Count > 0)
            yield return new(id, number, OpenDeadlines.Table, [.. stored.Deadlines.Keys.Order()],
                "open deadlines of an application without any events");
    }

    private IEnumerable<ProjectionDifference> Compare(Guid id, Stored stored, Folded folded,
        IReadOnlySet<(Guid Id, string Scope)> stillDue, DateTimeOffset now)
    {
        var number = folded.Details?.TrackingNumber ?? folded.Tracking?.TrackingNumber;
        if (DocumentDifference(id, number, stored.Details, folded.Details is { } d ? d with { Id = id } : null) is { } details)
            yield return details;
        if (DocumentDifference(id, number, stored.Tracking, folded.Tracking) is { } tracking) yield return tracking;
        if (InboxDifference(id, number, folded.Inbox.Changed.Values.OfType<InboxItem>().ToList(), stored.Inbox) is { } inbox)
            yield return inbox;
        if (DeadlineDifference(id, number, folded.Deadlines, stored.Deadlines, scope => stillDue.Contains((id, scope)), now) is { } deadlines)
            yield return deadlines;
    }

    private ProjectionDifference? DocumentDifference<T>(Guid id, string? number, T? stored, T? folded) where T : class
    {
        if (stored is null && folded is null) return null;
        if (folded is null) return new(id, number, typeof(T).Name, [], "a stored document the events do not give");
        if (stored is null) return new(id, number, typeof(T).Name, [], "the events fold into a document that is not stored");
        var serializer = store.Options.Serializer();
        var (storedJson, foldedJson) = (serializer.ToJson(stored), serializer.ToJson(folded));
        // The same text is the same document (nearly always); otherwise field by field, where the order of a map's keys is no difference.
        if (storedJson == foldedJson) return null;
        var a = JsonNode.Parse(storedJson)!.AsObject();
        var b = JsonNode.Parse(foldedJson)!.AsObject();
        var fields = a.Select(p => p.Key).Union(b.Select(p => p.Key)).Where(k => !JsonNode.DeepEquals(a[k], b[k])).Order().ToList();
        return fields.Count == 0 ? null
            : new(id, number, typeof(T).Name, fields,
                string.Join("; ", fields.Select(f => $"{f} is {Short(a[f])} but the events give {Short(b[f])}")));
    }

    /// <summary>Each step waiting in an agency's inbox, against the items the events leave: which, where, and what they say.</summary>
    private ProjectionDifference? InboxDifference(Guid id, string? number, IReadOnlyList<InboxItem> expected,
        IReadOnlyList<InboxItem> stored)
    {
        var storedById = stored.ToDictionary(i => i.Id);
        var expectedById = expected.ToDictionary(i => i.Id);
        var details = new List<(string Step, string Text)>();
        foreach (var item in stored.Where(i => !expectedById.ContainsKey(i.Id)))
            details.Add((item.StepId, $"step {item.StepId} is in the inbox of {item.Agency} but the events give no such open step"));
        foreach (var item in expected)
        {
            if (!storedById.TryGetValue(item.Id, out var kept))
                details.Add((item.StepId, $"step {item.StepId} is open for {item.Agency} but missing from its inbox"));
            else if (DocumentDifference(id, number, kept, item) is { } difference)
                details.Add((item.StepId, $"step {item.StepId} in the inbox of {kept.Agency}: {difference.Detail}"));
        }
        return details.Count == 0 ? null
            : new(id, number, nameof(InboxItem), [.. details.Select(d => d.Step).Distinct().Order()],
                string.Join("; ", details.Select(d => d.Text)));
    }

    /// <summary>Each open deadline the sweeper will fire, against the rows the events leave.</summary>
    private static ProjectionDifference? DeadlineDifference(Guid id, string? number, IReadOnlyDictionary<string, DeadlineRow> expected,
        IReadOnlyDictionary<string, DeadlineRow> stored, Func<string, bool> stillDue, DateTimeOffset now)
    {
        var details = new List<(string Scope, string Text)>();
        foreach (var scope in stored.Keys.Except(expected.Keys))
            details.Add((scope, $"a deadline for {scope} is open but the events give none"));
        foreach (var (scope, row) in expected)
        {
            if (!stored.TryGetValue(scope, out var kept)) details.Add((scope, $"the deadline for {scope} is missing"));
            else if (!Same(kept, row, retirable: !stillDue(scope), now))
                details.Add((scope, $"the deadline for {scope} is {Describe(kept)} but the events give {Describe(row)}" +
                    (stillDue(scope)
                        ? ", an instant already passed at which something is still due (the sweeper stops only a timer that fires " +
                          "nothing), so it will never fire"
                        : "")));
        }
        return details.Count == 0 ? null
            : new(id, number, OpenDeadlines.Table, [.. details.Select(d => d.Scope).Distinct().Order()],
                string.Join("; ", details.Select(d => d.Text)));
    }

    /// <summary>
    /// Equal to the microsecond the database keeps; a timer past its instant may have been retired, unless it would still fire.
    /// </summary>
    private static bool Same(DeadlineRow stored, DeadlineRow folded, bool retirable, DateTimeOffset now) =>
        stored.Kind == folded.Kind && stored.Level == folded.Level && stored.Agency == folded.Agency &&
        Micro(stored.DueAt) == Micro(folded.DueAt) &&
        (Micro(stored.FireAt) == Micro(folded.FireAt) || (retirable && stored.FireAt is null && folded.FireAt <= now));

    private static long? Micro(DateTimeOffset? at) => at?.UtcTicks / 10;

    private static string Describe(DeadlineRow row) =>
        $"due {row.DueAt.UtcDateTime:O} at {row.Agency ?? "the centre"}, next {row.Kind} (level {row.Level}) " +
        (row.FireAt is { } fire ? $"at {fire.UtcDateTime:O}" : "never");

    private static async Task<Dictionary<Guid, Dictionary<string, DeadlineRow>>> DeadlineRowsAsync(NpgsqlConnection connection,
        IReadOnlyList<Guid> ids, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(
            $"select application_id, scope, kind, level, agency, due_at, fire_at from {Deadlines} where application_id = any(@ids)",
            connection);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        var rows = new Dictionary<Guid, Dictionary<string, DeadlineRow>>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            var application = reader.GetGuid(0);
            if (!rows.TryGetValue(application, out var scopes)) rows[application] = scopes = [];
            scopes[reader.GetString(1)] = new DeadlineRow(reader.GetString(2), reader.GetInt32(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6));
        }
        return rows;
    }

    private static string Short(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "nothing";
        return text.Length <= 80 ? text : text[..77] + "...";
    }
}
