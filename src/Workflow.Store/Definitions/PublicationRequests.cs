using System.Text.RegularExpressions;
using Marten;
using Microsoft.Extensions.Logging;
using Workflow.Core;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;

namespace Workflow.Store.Definitions;

public static class PublicationStatus
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Withdrawn = "withdrawn";
}

/// <summary>
/// A designer's request to publish a text as a new version, waiting for a second designer's approval (four eyes). The
/// text is checked when the request is made and again when it is approved; only the approval publishes it.
/// </summary>
public sealed record PublicationRequest
{
    public Guid Id { get; init; }
    public string WorkflowId { get; init; } = "";
    public int Version { get; init; }
    public string Title { get; init; } = "";
    public string Hash { get; init; } = "";
    public string FileName { get; init; } = "";
    public string Source { get; init; } = "";
    public DateOnly? Effective { get; init; }
    public string RequestedBy { get; init; } = "";
    public string? RequestedByName { get; init; }
    public DateTimeOffset RequestedAt { get; init; }
    public string Status { get; init; } = PublicationStatus.Pending;
    public string? DecidedBy { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
}

/// <summary>
/// Four eyes on every publication: designer A asks, designer B (never A) approves, and the approval publishes the version
/// with both names. Two approvals of one request at the same moment publish it once: the approval re-reads the request
/// under the procedure's publication lock (see <see cref="PinnedDefinitions"/>) and the second finds it decided.
/// </summary>
public sealed partial class PublicationRequests(
    IDocumentStore store,
    PinnedDefinitions definitions,
    TimeProvider clock,
    ILogger<PublicationRequests> log)
{
    /// <summary>
    /// Asks for a publication. The same text asked again by the same designer while pending is the same request (a
    /// retry never makes two). Refused like a publication: problems of the text, or a version number already taken.
    /// </summary>
    public async Task<PublicationRequest> RequestAsync(string fileName, string source, DateOnly? effective, Actor by,
        CancellationToken cancellation = default)
    {
        var text = effective is { } day ? WithEffective(source, day) : source;
        var definition = definitions.Catalog.Check(fileName, text);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var versions = await definitions.VersionsAsync(definition.Id, today, cancellation);
        if (versions.Count > 0 && definition.Version <= versions.Max(v => v.Version))
            throw new VersionConflict($"{definition.Id} already has version {versions.Max(v => v.Version)}; " +
                                      $"publish version {versions.Max(v => v.Version) + 1} or later");
        var id = NameBasedIds.From($"publication:{by.UserId}:{definition.Id}:{definition.Version}:{definition.Hash}");
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<PublicationRequest>(id, cancellation) is { Status: PublicationStatus.Pending } same) return same;
        var request = new PublicationRequest
        {
            Id = id, WorkflowId = definition.Id, Version = definition.Version, Title = definition.Title, Hash = definition.Hash,
            FileName = fileName, Source = text, Effective = definition.Effective, RequestedBy = by.UserId, RequestedByName = by.Name,
            RequestedAt = clock.GetUtcNow(),
        };
        session.Store(request);
        await session.SaveChangesAsync(cancellation);
        log.LogInformation("{Actor} asked to publish {WorkflowId} version {WorkflowVersion} effective {Effective} ({RequestId})",
            by.UserId, request.WorkflowId, request.Version, request.Effective, request.Id);
        return request;
    }

    public async Task<IReadOnlyList<PublicationRequest>> ListAsync(string? status, CancellationToken cancellation = default)
    {
        await using var session = store.QuerySession();
        var query = session.Query<PublicationRequest>().Where(r => status == null || r.Status == status);
        return await query.OrderByDescending(r => r.RequestedAt).Take(200).ToListAsync(cancellation);
    }

    public async Task<PublicationRequest?> FindAsync(Guid id, CancellationToken cancellation = default)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<PublicationRequest>(id, cancellation);
    }

    /// <summary>
    /// A second designer approves: the version is published with who asked, who approved and when. Null when there is no
    /// such request. The one who asked cannot approve (409 <c>four-eyes</c>); a decided request cannot be approved again
    /// (409 <c>publication-decided</c>).
    /// </summary>
    public async Task<StoredDefinition?> ApproveAsync(Guid id, Actor by, CancellationToken cancellation = default)
    {
        if (await FindAsync(id, cancellation) is not { } request) return null;
        Refuse(request, by);
        var stored = await definitions.PublishAsync(request.FileName, request.Source, request.RequestedBy,
            new Approval(request.RequestedBy, request.RequestedAt, by.UserId), async session =>
            {
                // Under the lock: the request as it is now, not as read before waiting for the lock.
                var current = await session.LoadAsync<PublicationRequest>(id, cancellation);
                Refuse(current!, by);
                session.Store(current! with { Status = PublicationStatus.Approved, DecidedBy = by.UserId, DecidedAt = clock.GetUtcNow() });
            }, cancellation);
        log.LogInformation("{Actor} approved the publication of {WorkflowId} version {WorkflowVersion} asked by {Requester} ({RequestId})",
            by.UserId, request.WorkflowId, request.Version, request.RequestedBy, request.Id);
        return stored;
    }

    /// <summary>The one who asked takes the request back; null when there is no such request.</summary>
    public async Task<PublicationRequest?> WithdrawAsync(Guid id, Actor by, CancellationToken cancellation = default)
    {
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<PublicationRequest>(id, cancellation) is not { } request) return null;
        if (request.Status != PublicationStatus.Pending)
            throw new RuleViolation("publication-decided", $"This request was already {request.Status}.");
        if (request.RequestedBy != by.UserId)
            throw new RuleViolation("not-requester", "Only the designer who asked for the publication can withdraw it.");
        var withdrawn = request with { Status = PublicationStatus.Withdrawn, DecidedBy = by.UserId, DecidedAt = clock.GetUtcNow() };
        session.Store(withdrawn);
        await session.SaveChangesAsync(cancellation);
        return withdrawn;
    }

    private static void Refuse(PublicationRequest request, Actor by)
    {
        if (request.Status != PublicationStatus.Pending)
            throw new RuleViolation("publication-decided", $"This request was already {request.Status}.");
        if (request.RequestedBy == by.UserId)
            throw new RuleViolation("four-eyes", "A second designer must approve the publication: you asked for it yourself.");
    }

    /// <summary>The text with its top-level <c>effective:</c> line set to the day (added after <c>version:</c> when missing).</summary>
    public static string WithEffective(string source, DateOnly day)
    {
        var line = $"effective: {day:yyyy-MM-dd}";
        if (EffectiveLine().IsMatch(source)) return EffectiveLine().Replace(source, line, 1);
        var version = VersionLine().Match(source);
        return version.Success ? source.Insert(version.Index + version.Length, "\n" + line) : source + "\n" + line + "\n";
    }

    [GeneratedRegex(@"^effective:[^\r\n]*", RegexOptions.Multiline)]
    private static partial Regex EffectiveLine();

    [GeneratedRegex(@"^version:[^\r\n]*", RegexOptions.Multiline)]
    private static partial Regex VersionLine();
}
