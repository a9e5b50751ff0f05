using Microsoft.AspNetCore.Mvc;
using Marten;
using Workflow.Api.Hosting;
using Workflow.Store.Applications;
using Workflow.Store.Audit;
using Workflow.Store.Definitions;
using Workflow.Store.Identity;

namespace Workflow.Api.Oversight;

public sealed record BrokenStream(Guid ApplicationId, string? TrackingNumber, long Version, string Kind, string Detail);

/// <param name="RulesAltered">How the stored text of the procedure version the application follows (as its events record it)
/// was changed since publication; null when it is as published.</param>
/// <param name="Projections">With <c>?projections=true</c>: the stored read model compared with its refolded events.</param>
public sealed record ApplicationVerification(Guid ApplicationId, string TrackingNumber, int Events, bool Intact, BrokenStream? FirstBreak,
    AlteredDefinition? RulesAltered, IReadOnlyList<ProjectionDifference>? Projections = null);

/// <summary>A stream whose head changed since a seal recorded it, named by application where the store still knows it.</summary>
public sealed record ChangedSinceSeal(long SealVersion, Guid StreamId, string? TrackingNumber, string Kind, long? SealedVersion,
    long? CurrentVersion);

/// <param name="AlteredRules">Published procedure versions changed since publication: a stored text that no longer hashes to
/// the hash it was published under (and that its applications recorded), which nothing is decided under; fields changed beside
/// the text; or, against the record of publications, a version added, removed, brought back or given another publisher.</param>
/// <param name="Projections">With <c>?projections=true</c>: every read model that differs from its refolded events.</param>
public sealed record StoreVerification(DateTimeOffset At, int Streams, int Events, bool Intact, IReadOnlyList<BrokenStream> Broken,
    IReadOnlyList<SealCheck> Seals, IReadOnlyList<ChangedSinceSeal> ChangedSinceSeals, IReadOnlyList<AlteredDefinition> AlteredRules,
    IReadOnlyList<ProjectionDifference>? Projections = null);

public sealed record SealExport(string Root, int Streams, long ThroughSequence, DateTimeOffset At, long SealVersion,
    IReadOnlyList<SealedHead> Heads);

public sealed record SealedHead(Guid StreamId, long Version, string Hash);

public static class VerificationEndpoints
{
    /// <summary>One application's verification, under the <c>/applications</c> group.</summary>
    public static void MapVerification(this RouteGroupBuilder applications) =>
        applications.MapGet("/{id:guid}/verification", VerifyOne).WithTags("Oversight")
            .WithSummary("Re-derive one application's keyed chain from its stored events: intact, or the first altered, removed, " +
                         "reordered, inserted, forged, unlinked or hidden event, and whether the rules it follows are as published; " +
                         "?projections=true also compares its read models with its refolded events")
            .Produces<ApplicationVerification>().ProducesProblem(403).ProducesProblem(404);

    /// <summary>The whole store's verification and its seals, under the <c>/oversight</c> group.</summary>
    public static void MapStoreVerification(this RouteGroupBuilder oversight)
    {
        oversight.MapGet("/verification", VerifyAll)
            .WithSummary("Verify every stream of the store, every seal and every published procedure version, naming the " +
                         "streams changed since a seal and the rules changed since publication (auditors); ?projections=true also " +
                         "names every read model that differs from its refolded events")
            .Produces<StoreVerification>().ProducesProblem(403);
        oversight.MapPost("/seals", Seal)
            .WithSummary("Seal the store now: a Merkle root over every stream's chain head, recorded as an event (the server only)")
            .Produces<ChainsSealed>().ProducesProblem(403).RequireAuthorization(Policies.System);
        oversight.MapGet("/seals", async (Seals seals, CancellationToken cancellation) => Results.Ok(await seals.VerifyAsync(cancellation)))
            .WithSummary("Every seal, each recomputed from today's chains").Produces<IReadOnlyList<SealCheck>>();
        oversight.MapGet("/seals/latest", Export)
            .WithSummary("The latest seal with the chain heads it covers, to publish outside the system").Produces<SealExport>()
            .ProducesProblem(404);
    }

    private static async Task<IResult> VerifyOne(Guid id, HttpContext http, IQuerySession session, AuditChain chain,
        ProjectionCheck projections, ApplicationReplay replay, PinnedDefinitions definitions, CancellationToken cancellation,
        [FromQuery(Name = "projections")] bool projectionsToo = false)
    {
        var details = await session.LoadAsync<ApplicationDetails>(id, cancellation);
        var result = await chain.VerifyAsync(id, cancellation);
        if (details is null && result.Events == 0) throw new ApplicationNotFound(id);
        if (details is not null ? !AccessPolicy.MayRead(http.Actor(), new(details.Centre, details.Agencies))
                : !AccessPolicy.Allows(http.Actor(), Permission.Oversight))
            throw new AccessDenied(AccessDenied.Unreadable);
        var differences = projectionsToo && result.Intact ? await projections.RunAsync([], id, cancellation) : null;
        // The rules as the events record them, not as the stored document says.
        var rules = result.Intact && (await replay.AsOfAsync(id, cancellation: cancellation))?.Details is { } folded
            ? await definitions.AlteredAsync(folded.WorkflowId, folded.WorkflowVersion, folded.DefinitionHash, cancellation)
            : null;
        var intact = result.Intact && rules is null && differences is not { Count: > 0 };
        return Results.Ok(new ApplicationVerification(id, details?.TrackingNumber ?? "", result.Events, intact,
            result.FirstBreak is { } b ? Broken(b, details?.TrackingNumber) : null, rules, differences));
    }

    private static async Task<IResult> VerifyAll(HttpContext http, IQuerySession session, AuditChain chain, Seals seals,
        ProjectionCheck projections, PinnedDefinitions definitions, TimeProvider clock, CancellationToken cancellation,
        [FromQuery(Name = "projections")] bool projectionsToo = false)
    {
        var failures = new List<ChainBreak>();
        var (streams, events) = await chain.VerifyAllAsync(result =>
        {
            failures.Add(result.FirstBreak!);
            return Task.CompletedTask;
        }, cancellation);
        var sealChecks = await seals.VerifyAsync(cancellation);
        var changes = sealChecks.SelectMany(c => c.Changed.Select(x => (Seal: c.Version, Change: x))).ToList();
        var tracking = (await session.LoadManyAsync<ApplicationDetails>(cancellation,
                failures.Select(f => f.StreamId).Concat(changes.Select(c => c.Change.StreamId)).Distinct()))
            .ToDictionary(d => d.Id, d => d.TrackingNumber);
        var broken = failures.Select(b => Broken(b, tracking.GetValueOrDefault(b.StreamId))).ToList();
        var changed = changes.Select(c => new ChangedSinceSeal(c.Seal, c.Change.StreamId, tracking.GetValueOrDefault(c.Change.StreamId),
            c.Change.Kind, c.Change.SealedVersion, c.Change.CurrentVersion)).ToList();
        var differences = projectionsToo
            ? await projections.RunAsync([.. failures.Select(f => f.StreamId)], cancellation: cancellation)
            : null;
        var altered = await definitions.AlteredAsync(cancellation);
        var intact = broken.Count == 0 && sealChecks.All(s => s.Holds && s.HeadsIntact) && altered.Count == 0 &&
                     differences is not { Count: > 0 };
        return Results.Ok(new StoreVerification(clock.GetUtcNow(), streams, (int)events, intact, broken, sealChecks, changed, altered,
            differences));
    }

    private static async Task<IResult> Seal(HttpContext http, Seals seals, CancellationToken cancellation)
    {
        return Results.Ok(await seals.SealAsync(http.Actor().UserId, cancellation));
    }

    private static async Task<IResult> Export(HttpContext http, Seals seals, AuditChain chain, CancellationToken cancellation)
    {
        var all = await seals.AllAsync(cancellation);
        if (all.Count == 0) return Results.Problem(statusCode: 404, title: "Not found", detail: "the store has not been sealed yet");
        var (version, seal) = all[^1];
        var heads = await chain.HeadsAsync(seal.ThroughSequence, Seals.Stream, cancellation);
        return Results.Ok(new SealExport(seal.Root, seal.Streams, seal.ThroughSequence, seal.At, version,
            [.. heads.Select(h => new SealedHead(h.StreamId, h.Version, Convert.ToHexStringLower(h.Hash)))]));
    }

    private static BrokenStream Broken(ChainBreak b, string? trackingNumber) =>
        new(b.StreamId, trackingNumber, b.Version, b.Kind.ToString().ToLowerInvariant(), b.Detail);
}
