using Marten;

namespace Workflow.Store.Definitions;

/// <summary>
/// A procedure version published: kept under <paramref name="Id"/> (procedure, version and the hash of its text), by whom and
/// with whose approval, at which moment. <paramref name="OnRecord"/> is false for a version found stored without a record when
/// the record began (a store written by an earlier release): what it says was taken from the stored version then.
/// </summary>
public sealed record RulesPublished(string Id, string WorkflowId, int Version, string Hash, string Origin, string? PublishedBy,
    string? ApprovedBy, DateTimeOffset? ApprovedAt, DateTimeOffset? RequestedAt, DateTimeOffset At, bool OnRecord = true);

/// <summary>A procedure version retired: new applications no longer follow it; running ones finish on it.</summary>
public sealed record RulesRetired(string Id, string By, DateTimeOffset At);

/// <summary>
/// The record of every publication and retirement of a procedure version, as events of one stream, linked with the chain key
/// like every other event and written in the transaction that stores or retires the version. Which version a new application
/// follows, and who published it, is read from the stored versions; verification compares them with this record, so a
/// version added, removed, retired, brought back or given another publisher with SQL is named.
/// </summary>
public static class PublicationRecord
{
    /// <summary>The stream that holds the record.</summary>
    public static readonly Guid Stream = Guid.Parse("5ea15ea1-0000-4000-8000-000000000002");

    public static void Published(IDocumentSession session, StoredDefinition stored, bool onRecord = true) =>
        session.Events.Append(Stream, new RulesPublished(stored.Id, stored.WorkflowId, stored.Version, stored.Hash, stored.Origin,
            stored.PublishedBy, stored.ApprovedBy, stored.ApprovedAt, stored.RequestedAt, stored.FirstLoadedAt, onRecord));

    public static void Retired(IDocumentSession session, StoredDefinition stored) =>
        session.Events.Append(Stream, new RulesRetired(stored.Id, stored.RetiredBy ?? "", stored.RetiredAt!.Value));

    /// <summary>The versions as the record leaves them, by id: what each stored version's publication fields must say.</summary>
    public static async Task<IReadOnlyDictionary<string, StoredDefinition>> ReadAsync(IQuerySession session,
        CancellationToken cancellation)
    {
        var versions = new Dictionary<string, StoredDefinition>();
        foreach (var e in await session.Events.FetchStreamAsync(Stream, token: cancellation))
            switch (e.Data)
            {
                case RulesPublished p when !versions.ContainsKey(p.Id):
                    versions[p.Id] = new StoredDefinition
                    {
                        Id = p.Id, WorkflowId = p.WorkflowId, Version = p.Version, Hash = p.Hash, Origin = p.Origin,
                        PublishedBy = p.PublishedBy, ApprovedBy = p.ApprovedBy, ApprovedAt = p.ApprovedAt,
                        RequestedAt = p.RequestedAt, FirstLoadedAt = p.At,
                    };
                    break;
                case RulesRetired r when versions.TryGetValue(r.Id, out var v) && v.RetiredAt is null:
                    versions[r.Id] = v with { RetiredAt = r.At, RetiredBy = r.By };
                    break;
            }
        return versions;
    }

    /// <summary>How a stored version differs from its record, in words; null when it agrees.</summary>
    public static string? Difference(StoredDefinition stored, StoredDefinition? recorded)
    {
        if (recorded is null) return "it is stored but no publication of it is on record";
        var differences = new List<string>();
        void Compare<T>(string what, T kept, T record)
        {
            if (!EqualityComparer<T>.Default.Equals(kept, record)) differences.Add($"{what} is {Say(kept)} but the record says {Say(record)}");
        }
        Compare("the origin", stored.Origin, recorded.Origin);
        Compare("the publisher", stored.PublishedBy, recorded.PublishedBy);
        Compare("the approver", stored.ApprovedBy, recorded.ApprovedBy);
        Compare("the approval time", stored.ApprovedAt, recorded.ApprovedAt);
        Compare("the request time", stored.RequestedAt, recorded.RequestedAt);
        Compare("the publication time", stored.FirstLoadedAt, recorded.FirstLoadedAt);
        Compare("the retirement", stored.RetiredAt, recorded.RetiredAt);
        Compare("who retired it", stored.RetiredBy, recorded.RetiredBy);
        return differences.Count == 0 ? null : string.Join("; ", differences);
    }

    private static string Say<T>(T value) => value switch
    {
        null => "none",
        DateTimeOffset at => at.UtcDateTime.ToString("O"),
        _ => value.ToString() ?? "none",
    };
}
