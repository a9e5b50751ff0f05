using System.Collections.Concurrent;
using Marten;
using Marten.Services;
using Microsoft.Extensions.Logging;
using Npgsql;
using Workflow.Core.Definitions;

namespace Workflow.Store.Definitions;

/// <summary>The exact text of a published definition version, kept in the database by its hash.</summary>
public sealed record StoredDefinition
{
    public string Id { get; init; } = "";
    public string WorkflowId { get; init; } = "";
    public int Version { get; init; }
    public string Hash { get; init; } = "";
    public string FileName { get; init; } = "";
    public string Source { get; init; } = "";
    public DateTimeOffset FirstLoadedAt { get; init; }

    /// <summary>From which day new applications follow this version; null: from its publication.</summary>
    public DateOnly? EffectiveFrom { get; init; }

    /// <summary>"file" for the workflows folder, "api" for a version a designer published through the API.</summary>
    public string Origin { get; init; } = "file";

    /// <summary>Who asked for the publication (for a version of the folder: nobody; its review happened in the repository).</summary>
    public string? PublishedBy { get; init; }

    /// <summary>The second designer who approved the publication, and when (four eyes): never the one who asked for it.</summary>
    public string? ApprovedBy { get; init; }

    public DateTimeOffset? ApprovedAt { get; init; }
    public DateTimeOffset? RequestedAt { get; init; }

    /// <summary>The standard this version is a local variant of, and the centres it applies to (rule 16 of Core/README.md).</summary>
    public string? Extends { get; init; }

    public List<string>? Centres { get; init; }

    public DateTimeOffset? RetiredAt { get; init; }
    public string? RetiredBy { get; init; }

    public static string IdOf(string workflowId, int version, string hash) => $"{workflowId}@{version}/{hash}";
}

public sealed record VersionView(int Version, string Hash, DateOnly? EffectiveFrom, DateTimeOffset PublishedAt, string? PublishedBy,
    string Origin,
    DateTimeOffset? RetiredAt, bool InForce, string? ApprovedBy = null, DateTimeOffset? ApprovedAt = null,
    DateTimeOffset? RequestedAt = null, string? RetiredBy = null);

/// <summary>Who asked for a publication and who approved it, recorded in the version it publishes.</summary>
public sealed record Approval(string RequestedBy, DateTimeOffset RequestedAt, string ApprovedBy);

/// <summary>
/// A stored definition whose text no longer hashes to the hash it was published under (and that running applications recorded):
/// someone changed it in the database.
/// </summary>
public sealed record AlteredDefinition(string Id, string WorkflowId, int Version, string Hash, string Detail);

/// <summary>The rules an application follows were changed in the database after publication: nothing is decided under them.</summary>
public sealed class RulesAltered(AlteredDefinition altered) : Exception(
    $"The rules of {altered.WorkflowId} version {altered.Version} were changed in the database after they were published " +
    $"({altered.Detail}). Nothing is decided under them until the published text is restored.")
{
    public AlteredDefinition Altered { get; } = altered;
}

/// <summary>A publication that breaks a versioning rule (an older version number, a version reused with other rules).</summary>
public sealed class VersionConflict(string message) : Exception(message);

/// <summary>
/// Every published definition version, and the one in force for new applications. A running case is always decided
/// under the text whose hash it recorded at submission, even after the file was edited, replaced or retired; a new
/// application follows the highest version whose effective date has come and that is not retired.
/// </summary>
public sealed class PinnedDefinitions(
    WorkflowCatalog catalog,
    IDocumentStore store,
    NpgsqlDataSource database,
    TimeProvider clock,
    ILogger<PinnedDefinitions> log)
{
    /// <summary>The first key of the advisory locks that serialise publications, one lock per procedure id.</summary>
    private const int PublicationLock = 0x57F1;

    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, WorkflowDefinition> _byHash =
        new(catalog.All.ToDictionary(d => StoredDefinition.IdOf(d.Id, d.Version, d.Hash)));

    // Freshness is measured on the machine's monotonic clock: application time may be a test's stopped clock.
    private (long LoadedAt, IReadOnlyList<StoredDefinition> Versions) _published = (long.MinValue, []);

    public WorkflowCatalog Catalog => catalog;

    /// <summary>
    /// Records the text of each definition of the folder, so applications started under it can be decided later. The first
    /// start of a store without a publication record (<see cref="PublicationRecord"/>) records the versions it already holds,
    /// marked as found rather than published on record. Nodes starting together take turns.
    /// </summary>
    public async Task PublishLoadedAsync(TimeProvider now, CancellationToken cancellation = default)
    {
        await using var turn = await TakeTurnAsync("", cancellation);
        var session = turn.Session;
        if ((await PublicationRecord.ReadAsync(session, cancellation)).Count == 0)
            foreach (var found in await session.Query<StoredDefinition>().OrderBy(s => s.FirstLoadedAt).ToListAsync(cancellation))
            {
                PublicationRecord.Published(session, found, onRecord: false);
                if (found.RetiredAt is not null) PublicationRecord.Retired(session, found);
            }
        var ids = catalog.All.Select(d => StoredDefinition.IdOf(d.Id, d.Version, d.Hash)).ToArray();
        var known = (await session.LoadManyAsync<StoredDefinition>(cancellation, ids)).Select(s => s.Id).ToHashSet();
        foreach (var d in catalog.All.Where(d => !known.Contains(StoredDefinition.IdOf(d.Id, d.Version, d.Hash))))
        {
            var earlier = await session.Query<StoredDefinition>()
                .Where(s => s.WorkflowId == d.Id && s.Version == d.Version).CountAsync(cancellation);
            if (earlier > 0)
                log.LogWarning("Definition {WorkflowId} version {WorkflowVersion} changed without a new version number; " +
                               "running applications keep the text they started with, new ones get {DefinitionHash}",
                               d.Id, d.Version, d.Hash);
            var stored = Stored(d, "file", null, now.GetUtcNow());
            session.Store(stored);
            PublicationRecord.Published(session, stored);
        }
        await session.SaveChangesAsync(cancellation);
        await turn.Transaction.CommitAsync(cancellation);
        _published = (long.MinValue, []);
    }

    /// <summary>
    /// Publishes a new version from its text: checked like a file of the folder, and numbered above every earlier one. The
    /// HTTP API and the pages reach it only through an approved publication request (<see cref="PublicationRequests"/>);
    /// this overload is for code that publishes on its own authority, as start-up does for the folder.
    /// </summary>
    public Task<StoredDefinition> PublishAsync(string fileName, string text, string publishedBy,
        CancellationToken cancellation = default) =>
        PublishAsync(fileName, text, publishedBy, null, null, cancellation);

    /// <param name="inTurn">Runs in the publication's transaction, while the procedure's lock is held, before anything is
    /// stored: it may refuse (throw) or store documents that must commit with the version, or not at all.</param>
    internal async Task<StoredDefinition> PublishAsync(string fileName, string text, string publishedBy, Approval? approval,
        Func<IDocumentSession, Task>? inTurn, CancellationToken cancellation)
    {
        var definition = catalog.Check(fileName, text);
        // Publications of one procedure take turns, on every node: the check for a higher number and the insert
        // must not interleave, or two concurrent publishers would both store "version 2".
        await using var turn = await TakeTurnAsync(definition.Id, cancellation);
        var session = turn.Session;
        if (inTurn is not null) await inTurn(session);
        var existing = await session.Query<StoredDefinition>().Where(s => s.WorkflowId == definition.Id).ToListAsync(cancellation);
        var id = StoredDefinition.IdOf(definition.Id, definition.Version, definition.Hash);
        if (existing.FirstOrDefault(s => s.Id == id) is { } same) return same;
        if (existing.Count > 0 && definition.Version <= existing.Max(s => s.Version))
            throw new VersionConflict($"{definition.Id} already has version {existing.Max(s => s.Version)}; " +
                                      $"publish version {existing.Max(s => s.Version) + 1} or later");
        var now = clock.GetUtcNow();
        var stored = Stored(definition, "api", publishedBy, now) with
        {
            ApprovedBy = approval?.ApprovedBy, ApprovedAt = approval is null ? null : now, RequestedAt = approval?.RequestedAt,
        };
        session.Store(stored);
        PublicationRecord.Published(session, stored);
        await session.SaveChangesAsync(cancellation);
        await turn.Transaction.CommitAsync(cancellation);
        _byHash.TryAdd(id, definition);
        _published = (long.MinValue, []);
        log.LogInformation("Published {WorkflowId} version {WorkflowVersion} ({DefinitionHash}) effective {Effective} by {Actor}, " +
                           "approved by {Approver}", definition.Id, definition.Version, definition.Hash, definition.Effective, publishedBy,
            approval?.ApprovedBy);
        return stored;
    }

    public async Task<bool> RetireAsync(string workflowId, int version, string retiredBy, CancellationToken cancellation = default)
    {
        // In the procedure's turn: two retirements at once record one, as they store one.
        await using var turn = await TakeTurnAsync(workflowId, cancellation);
        var session = turn.Session;
        var versions = await session.Query<StoredDefinition>()
            .Where(s => s.WorkflowId == workflowId && s.Version == version).ToListAsync(cancellation);
        if (versions.Count == 0) return false;
        foreach (var v in versions.Where(v => v.RetiredAt is null))
        {
            var retired = v with { RetiredAt = clock.GetUtcNow(), RetiredBy = retiredBy };
            session.Store(retired);
            PublicationRecord.Retired(session, retired);
        }
        await session.SaveChangesAsync(cancellation);
        await turn.Transaction.CommitAsync(cancellation);
        _published = (long.MinValue, []);
        return true;
    }

    /// <summary>
    /// A transaction holding the publication lock of one procedure ("" for the start-up's own turn), on every node, with a
    /// session working in it: one connection per holder, so waiters cannot starve the pool; the lock ends with the transaction.
    /// </summary>
    private async Task<Turn> TakeTurnAsync(string workflowId, CancellationToken cancellation)
    {
        var connection = await database.OpenConnectionAsync(cancellation);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellation);
            await using (var take = new NpgsqlCommand("select pg_advisory_xact_lock(@kind, hashtext(@id))", connection, transaction))
            {
                take.Parameters.AddWithValue("kind", PublicationLock);
                take.Parameters.AddWithValue("id", workflowId);
                await take.ExecuteNonQueryAsync(cancellation);
            }
            return new Turn(connection, transaction, store.LightweightSession(SessionOptions.ForTransaction(transaction)));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class Turn(NpgsqlConnection connection, NpgsqlTransaction transaction, IDocumentSession session) : IAsyncDisposable
    {
        public NpgsqlTransaction Transaction => transaction;
        public IDocumentSession Session => session;

        public async ValueTask DisposeAsync()
        {
            await session.DisposeAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>The version new applications of this procedure follow on the given day, or null when none is in force.</summary>
    public async Task<WorkflowDefinition?> InForceAsync(string workflowId, DateOnly day, CancellationToken cancellation = default)
    {
        var chosen = InForce(await PublishedAsync(cancellation), workflowId, day);
        return chosen is null ? null : await PinnedAsync(chosen.WorkflowId, chosen.Version, chosen.Hash, cancellation);
    }

    /// <summary>
    /// The version a new application received at <paramref name="centre"/> follows: that of the local variant of the procedure
    /// which names the centre (and of that variant's own variant, if one names it too), else the procedure's. A variant asked
    /// for by its own id follows only at its centres.
    /// </summary>
    public async Task<WorkflowDefinition?> InForceAsync(string workflowId, DateOnly day, string centre,
        CancellationToken cancellation = default)
    {
        var published = await PublishedAsync(cancellation);
        var chosen = InForce(published, workflowId, day);
        if (chosen is { Extends: not null } && chosen.Centres?.Contains(centre) != true) return null;
        for (var seen = new HashSet<string> { workflowId }; chosen is not null;)
        {
            var local = published.Where(s => s.Extends == chosen.WorkflowId && s.Centres?.Contains(centre) == true)
                .Select(s => InForce(published, s.WorkflowId, day))
                .FirstOrDefault(s => s is not null && s.Extends == chosen.WorkflowId && s.Centres?.Contains(centre) == true);
            if (local is null || !seen.Add(local.WorkflowId)) break;
            chosen = local;
        }
        return chosen is null ? null : await PinnedAsync(chosen.WorkflowId, chosen.Version, chosen.Hash, cancellation);
    }

    /// <summary>The local variants of a procedure in force on the given day (those of its variants too), by id.</summary>
    public async Task<IReadOnlyList<WorkflowDefinition>> VariantsAsync(string workflowId, DateOnly day,
        CancellationToken cancellation = default)
    {
        var published = await PublishedAsync(cancellation);
        var found = new List<WorkflowDefinition>();
        var queue = new Queue<string>([workflowId]);
        var seen = new HashSet<string> { workflowId };
        while (queue.TryDequeue(out var standard))
            foreach (var id in published.Where(s => s.Extends == standard).Select(s => s.WorkflowId).Distinct()
                         .Order(StringComparer.Ordinal))
                if (InForce(published, id, day) is { } version && version.Extends == standard && seen.Add(id))
                {
                    found.Add(await PinnedAsync(version.WorkflowId, version.Version, version.Hash, cancellation));
                    queue.Enqueue(id);
                }
        return found;
    }

    /// <summary>A given version (its latest text, if it was ever republished under the same number).</summary>
    public async Task<WorkflowDefinition?> VersionAsync(string workflowId, int version, CancellationToken cancellation = default)
    {
        var chosen = (await PublishedAsync(cancellation)).Where(s => s.WorkflowId == workflowId && s.Version == version)
            .MaxBy(s => s.FirstLoadedAt);
        return chosen is null ? null : await PinnedAsync(chosen.WorkflowId, chosen.Version, chosen.Hash, cancellation);
    }

    public async Task<IReadOnlyList<VersionView>> VersionsAsync(string workflowId, DateOnly day, CancellationToken cancellation = default)
    {
        var published = await PublishedAsync(cancellation);
        var inForce = InForce(published, workflowId, day);
        return [.. published.Where(s => s.WorkflowId == workflowId).OrderBy(s => s.Version).ThenBy(s => s.FirstLoadedAt)
            .Select(s => new VersionView(s.Version, s.Hash, s.EffectiveFrom, s.FirstLoadedAt, s.PublishedBy, s.Origin, s.RetiredAt,
                s.Id == inForce?.Id, s.ApprovedBy, s.ApprovedAt, s.RequestedAt, s.RetiredBy))];
    }

    public async Task<IReadOnlyList<string>> WorkflowIdsAsync(CancellationToken cancellation = default) =>
        [.. (await PublishedAsync(cancellation)).Select(s => s.WorkflowId).Distinct().Order()];

    public async Task<WorkflowDefinition> PinnedAsync(string workflowId, int version, string hash, CancellationToken cancellation = default)
    {
        var id = StoredDefinition.IdOf(workflowId, version, hash);
        if (_byHash.TryGetValue(id, out var known)) return known;
        await using var session = store.QuerySession();
        var stored = await session.LoadAsync<StoredDefinition>(id, cancellation)
            ?? throw new InvalidOperationException($"the definition {id} that this application follows is not stored");
        if (Altered(stored) is { } altered)
        {
            log.LogCritical("The stored text of {WorkflowId} version {WorkflowVersion} ({DefinitionHash}) was changed after " +
                            "publication: {Detail}; nothing is decided under it", altered.WorkflowId, altered.Version, altered.Hash,
                altered.Detail);
            throw new RulesAltered(altered);
        }
        return _byHash.GetOrAdd(id, _ => catalog.ParseStored(stored.FileName, stored.Source));
    }

    /// <summary>
    /// Every stored version whose text no longer matches the hash it was published under, or whose publication or retirement
    /// differs from the record of publications (<see cref="PublicationRecord"/>); every version on record no longer stored.
    /// </summary>
    public async Task<IReadOnlyList<AlteredDefinition>> AlteredAsync(CancellationToken cancellation = default)
    {
        await using var session = store.QuerySession();
        var all = await session.Query<StoredDefinition>().ToListAsync(cancellation);
        var record = await PublicationRecord.ReadAsync(session, cancellation);
        var altered = all.Select(s => Altered(s) ?? (PublicationRecord.Difference(s, record.GetValueOrDefault(s.Id)) is { } detail
                ? new AlteredDefinition(s.Id, s.WorkflowId, s.Version, s.Hash, detail)
                : null))
            .OfType<AlteredDefinition>()
            .Concat(record.Values.Where(r => all.All(s => s.Id != r.Id)).Select(r =>
                new AlteredDefinition(r.Id, r.WorkflowId, r.Version, r.Hash, "it was published but is no longer stored")));
        return [.. altered.OrderBy(a => a.WorkflowId).ThenBy(a => a.Version).ThenBy(a => a.Id, StringComparer.Ordinal)];
    }

    /// <summary>How the rules an application follows were changed since publication (as <see cref="AlteredAsync(CancellationToken)"/>
    /// names them); null when they are as published.</summary>
    public async Task<AlteredDefinition?> AlteredAsync(string workflowId, int version, string hash, CancellationToken cancellation = default)
    {
        var id = StoredDefinition.IdOf(workflowId, version, hash);
        return (await AlteredAsync(cancellation)).FirstOrDefault(a => a.Id == id);
    }

    /// <summary>
    /// A stored definition is kept under the hash of its text (its id names the procedure, the version and that hash): the text
    /// must still hash to it, and the fields must still be the id's.
    /// </summary>
    private static AlteredDefinition? Altered(StoredDefinition stored)
    {
        var hash = DefinitionParser.HashOf(stored.Source);
        string? detail = null;
        if (stored.Id != StoredDefinition.IdOf(stored.WorkflowId, stored.Version, stored.Hash))
            detail = $"it is kept as {stored.Id} but says it is {StoredDefinition.IdOf(stored.WorkflowId, stored.Version, stored.Hash)}";
        else if (hash != stored.Hash) detail = $"its text hashes to {hash}, not to the {stored.Hash} it was published under";
        else if (ParsedAs(stored) is not { } parsed) detail = "its text no longer reads as a procedure";
        else if (parsed.Id != stored.WorkflowId || parsed.Version != stored.Version)
            detail = $"its text is {parsed.Id} version {parsed.Version}";
        else if (TextSays(parsed) != TextSays(stored)) detail = $"its text says {TextSays(parsed)} but it is kept as {TextSays(stored)}";
        return detail is null ? null : new AlteredDefinition(stored.Id, stored.WorkflowId, stored.Version, stored.Hash, detail);
    }

    /// <summary>What a version's text decides about when and where it applies, which new applications are given by.</summary>
    private static string TextSays(WorkflowDefinition d) =>
        TextSays(d.Effective, d.Extends, d.Centres.IsEmpty ? null : [.. d.Centres]);

    private static string TextSays(StoredDefinition s) => TextSays(s.EffectiveFrom, s.Extends, s.Centres);

    private static string TextSays(DateOnly? effective, string? extends, IReadOnlyList<string>? centres) =>
        $"effective {effective?.ToString("yyyy-MM-dd") ?? "from publication"}" +
        (extends is null ? "" : $", a variant of {extends} at {string.Join(", ", centres ?? [])}");

    private static WorkflowDefinition? ParsedAs(StoredDefinition stored) =>
        DefinitionParser.ParseDefinition(stored.FileName, stored.Source, []);

    private static StoredDefinition? InForce(IEnumerable<StoredDefinition> published, string workflowId, DateOnly day) =>
        published.Where(s => s.WorkflowId == workflowId && s.RetiredAt is null && (s.EffectiveFrom is null || s.EffectiveFrom <= day))
            .OrderByDescending(s => s.Version).ThenByDescending(s => s.FirstLoadedAt).FirstOrDefault();

    /// <summary>Published versions, re-read at most every few seconds so that every node sees another node's publication.</summary>
    private async Task<IReadOnlyList<StoredDefinition>> PublishedAsync(CancellationToken cancellation)
    {
        var snapshot = _published;
        if (snapshot.LoadedAt != long.MinValue && Environment.TickCount64 - snapshot.LoadedAt < Freshness.TotalMilliseconds)
            return snapshot.Versions;
        await using var session = store.QuerySession();
        var versions = await session.Query<StoredDefinition>()
            .Select(s => new StoredDefinition
            {
                Id = s.Id, WorkflowId = s.WorkflowId, Version = s.Version, Hash = s.Hash, FileName = s.FileName,
                FirstLoadedAt = s.FirstLoadedAt, EffectiveFrom = s.EffectiveFrom, Origin = s.Origin, PublishedBy = s.PublishedBy,
                RetiredAt = s.RetiredAt, RetiredBy = s.RetiredBy, ApprovedBy = s.ApprovedBy, ApprovedAt = s.ApprovedAt,
                RequestedAt = s.RequestedAt, Extends = s.Extends, Centres = s.Centres,
            })
            .ToListAsync(cancellation);
        _published = (Environment.TickCount64, versions);
        return versions;
    }

    private static StoredDefinition Stored(WorkflowDefinition d, string origin, string? by, DateTimeOffset at) => new()
    {
        Id = StoredDefinition.IdOf(d.Id, d.Version, d.Hash),
        WorkflowId = d.Id,
        Version = d.Version,
        Hash = d.Hash,
        FileName = d.Source.File,
        Source = d.SourceText,
        FirstLoadedAt = at,
        EffectiveFrom = d.Effective,
        Origin = origin,
        PublishedBy = by,
        Extends = d.Extends,
        Centres = d.Centres.IsEmpty ? null : [.. d.Centres],
    };
}
