using Marten;
using Workflow.Api.Hosting;
using Workflow.Core.Definitions;
using Workflow.Store.Applications;

namespace Workflow.Api.Agencies;

public sealed record InboxEntry(Guid ApplicationId, string TrackingNumber, string WorkflowId, string StepId, string Title,
    DateTimeOffset OpenedAt, DateTimeOffset DueAt);

public sealed record InboxPage(string Agency, int Page, int PageSize, int Total, IReadOnlyList<InboxEntry> Items);

public static class InboxEndpoint
{
    public static void MapInbox(this IEndpointRouteBuilder api) =>
        api.MapGet("/agencies/{agency}/inbox", Handle).WithTags("Agencies")
            .WithSummary("The open steps waiting for an agency, earliest due first, paged")
            .Produces<InboxPage>().ProducesProblem(403).ProducesProblem(404).RequireAuthorization(Policies.ReadsAgencyWork);

    private static async Task<IResult> Handle(string agency, HttpContext http, IQuerySession session, WorkflowCatalog catalog,
        CancellationToken cancellation, int page = 1, int pageSize = 50)
    {
        if (catalog.FindAgency(agency) is null)
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"'{agency}' is not an agency of the catalogue");
        if (!AccessPolicy.MayReadAgencyWork(http.Actor(), agency))
            throw new AccessDenied($"you may read the inbox of your own agency only ({http.Actor().Agency ?? "none"})");
        if (Http.PageErrors(page, pageSize) is { } errors) return Results.ValidationProblem(errors);

        var query = session.Query<InboxItem>().Where(i => i.Agency == agency);
        var total = await query.CountAsync(cancellation);
        var items = await query.OrderBy(i => i.DueAt).ThenBy(i => i.OpenedAt).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellation);
        var applications = (await session.LoadManyAsync<ApplicationDetails>(cancellation, items.Select(i => i.ApplicationId).Distinct()))
            .ToDictionary(a => a.Id);
        return Results.Ok(new InboxPage(agency, page, pageSize, total, [.. items.Select(i => new InboxEntry(i.ApplicationId,
            applications.GetValueOrDefault(i.ApplicationId)?.TrackingNumber ?? "", applications.GetValueOrDefault(i.ApplicationId)?.WorkflowId ?? "",
            i.StepId, i.Title, i.OpenedAt, i.DueAt))]));
    }
}
