using Workflow.Api.Hosting;
using Workflow.Store.Definitions;

namespace Workflow.Api.Design;

/// <summary>
/// Four eyes on publication (designers only): <c>POST /api/workflows</c> asks for a publication; a second designer
/// approves it here, which publishes the version with both names; the one who asked may withdraw it meanwhile.
/// </summary>
public static class PublicationEndpoints
{
    public static void MapPublicationRequests(this IEndpointRouteBuilder api)
    {
        var requests = api.MapGroup("/publication-requests").WithTags("Procedures").RequireAuthorization(Policies.Designer);
        requests.MapGet("/", async (string? status, PublicationRequests publications, CancellationToken cancellation) =>
                await publications.ListAsync(status, cancellation))
            .WithSummary("Publication requests, newest first; ?status=pending|approved|withdrawn")
            .Produces<IReadOnlyList<PublicationRequest>>();
        requests.MapGet("/{id:guid}", async (Guid id, PublicationRequests publications, CancellationToken cancellation) =>
                await publications.FindAsync(id, cancellation) is { } request ? Results.Ok(request) : NotFound(id))
            .WithSummary("One publication request with its text")
            .Produces<PublicationRequest>().ProducesProblem(404);
        requests.MapPost("/{id:guid}/approval", async (Guid id, HttpContext http, PublicationRequests publications,
                PinnedDefinitions definitions, TimeProvider clock, CancellationToken cancellation) =>
            {
                if (await publications.ApproveAsync(id, http.Actor(), cancellation) is not { } stored) return NotFound(id);
                var versions = await definitions.VersionsAsync(stored.WorkflowId, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime),
                    cancellation);
                return Results.Created($"/api/workflows/{stored.WorkflowId}/versions", versions.Last(v => v.Hash == stored.Hash));
            })
            .WithSummary("Approve a publication (a designer other than the one who asked): the version is published with " +
                         "who asked and who approved")
            .Produces<VersionView>(201).ProducesProblem(404).ProducesProblem(409);
        requests.MapPost("/{id:guid}/withdrawal", async (Guid id, HttpContext http, PublicationRequests publications,
                CancellationToken cancellation) =>
                await publications.WithdrawAsync(id, http.Actor(), cancellation) is { } withdrawn ? Results.Ok(withdrawn) : NotFound(id))
            .WithSummary("Withdraw one's own publication request before it is approved")
            .Produces<PublicationRequest>().ProducesProblem(404).ProducesProblem(409);
    }

    private static IResult NotFound(Guid id) =>
        Results.Problem(statusCode: 404, title: "Not found", detail: $"There is no publication request {id}.");
}
