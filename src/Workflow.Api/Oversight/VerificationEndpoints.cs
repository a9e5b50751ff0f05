using Marten;
using Workflow.Api.Hosting;
using Workflow.Store.Applications;
using Workflow.Store.Audit;

namespace Workflow.Api.Oversight;

public sealed record BrokenStream(Guid ApplicationId, string? TrackingNumber, long Version, string Kind, string Detail);

public sealed record ApplicationVerification(Guid ApplicationId, string TrackingNumber, int Events, bool Intact, BrokenStream? FirstBreak);

public sealed record StoreVerification(DateTimeOffset At, int Streams, int Events, bool Intact, IReadOnlyList<BrokenStream> Broken,
    IReadOnlyList<SealCheck> Seals);

public sealed record SealExport(string Root, int Streams, long ThroughSequence, DateTimeOffset At, long SealVersion, IReadOnlyList<SealedHead> Heads);

public sealed record SealedHead(Guid StreamId, long Version, string Hash);

public static class VerificationEndpoints
{
    public static void MapVerification(this IEndpointRouteBuilder api)
    {
        api.MapGet("/applications/{id:guid}/verification", VerifyOne).WithTags("Oversight")
            .WithSummary("Re-derive one application's hash chain from its stored events: intact, or the first altered, removed, reordered or inserted event")
            .Produces<ApplicationVerification>().ProducesProblem(403).ProducesProblem(404).RequireAuthorization(Policies.ReadsApplications);
        var oversight = api.MapGroup("/oversight").WithTags("Oversight").RequireAuthorization(Policies.AuditorOrAdmin);
        oversight.MapGet("/verification", VerifyAll)
            .WithSummary("Verify every stream of the store and every seal (auditors)").Produces<StoreVerification>().ProducesProblem(403);
        oversight.MapPost("/seals", Seal)
            .WithSummary("Seal the store now: a Merkle root over every stream's chain head, recorded as an event (the server only)")
            .Produces<ChainsSealed>().ProducesProblem(403).RequireAuthorization(Policies.System);
        oversight.MapGet("/seals", async (Seals seals, CancellationToken cancellation) => Results.Ok(await seals.VerifyAsync(cancellation)))
            .WithSummary("Every seal, each recomputed from today's chains").Produces<IReadOnlyList<SealCheck>>();
        oversight.MapGet("/seals/latest", Export)
            .WithSummary("The latest seal with the chain heads it covers, to publish outside the system").Produces<SealExport>().ProducesProblem(404);
    }

    private static async Task<IResult> VerifyOne(Guid id, HttpContext http, IQuerySession session, AuditChain chain, CancellationToken cancellation)
    {
        var details = await session.LoadAsync<ApplicationDetails>(id, cancellation);
        var result = await chain.VerifyAsync(id, cancellation);
        if (details is null && result.Events == 0) throw new ApplicationNotFound(id);
        if (details is not null ? !AccessPolicy.MayRead(http.Actor(), new(details.Centre, details.Agencies))
                : !AccessPolicy.Allows(http.Actor(), Permission.Oversight))
            throw new AccessDenied(AccessDenied.Unreadable);
        return Results.Ok(new ApplicationVerification(id, details?.TrackingNumber ?? "", result.Events, result.Intact,
            result.FirstBreak is { } b ? Broken(b, details?.TrackingNumber) : null));
    }

    private static async Task<IResult> VerifyAll(HttpContext http, IQuerySession session, AuditChain chain, Seals seals, TimeProvider clock,
        CancellationToken cancellation)
    {
        var failures = new List<ChainBreak>();
        var (streams, events) = await chain.VerifyAllAsync(result =>
        {
            failures.Add(result.FirstBreak!);
            return Task.CompletedTask;
        }, cancellation);
        var tracking = (await session.LoadManyAsync<ApplicationDetails>(cancellation, failures.Select(f => f.StreamId))).ToDictionary(d => d.Id, d => d.TrackingNumber);
        var broken = failures.Select(b => Broken(b, tracking.GetValueOrDefault(b.StreamId))).ToList();
        var sealChecks = await seals.VerifyAsync(cancellation);
        return Results.Ok(new StoreVerification(clock.GetUtcNow(), streams, (int)events, broken.Count == 0 && sealChecks.All(s => s.Holds), broken, sealChecks));
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
