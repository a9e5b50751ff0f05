using Marten;
using Workflow.Api.Hosting;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Core.Statistics;
using Workflow.Store.Applications;

namespace Workflow.Api.Agencies;

public sealed record PendingApprovalEntry(Officer By, DateTimeOffset Since);

/// <param name="RemainingWorkingDays">Working days left on the office's calendar, counted now; negative when overdue.</param>
/// <param name="Holder">Who works on the step (claimed or reassigned); null when nobody holds it.</param>
/// <param name="PendingApproval">A four-eyes step's first approval, waiting for another officer's confirmation.</param>
public sealed record InboxEntry(Guid ApplicationId, string TrackingNumber, string WorkflowId, string Centre, string StepId, string Title,
    DateTimeOffset OpenedAt, DateTimeOffset DueAt, int RemainingWorkingDays, bool Warned, bool Breached, int EscalationLevel,
    Officer? Holder, PendingApprovalEntry? PendingApproval);

public sealed record InboxPage(string Agency, int Page, int PageSize, int Total, IReadOnlyList<InboxEntry> Items);

public static class InboxEndpoint
{
    public static void MapInbox(this RouteGroupBuilder agency) =>
        agency.MapGet("/inbox", ListInbox)
            .WithSummary("The open steps waiting for an agency, earliest due first, paged with the total; ?workflowId=, ?centre= " +
                         "and ?holder= (a user id, or none for unclaimed steps) filter. The centre's own staff see their centre's " +
                         "steps only")
            .Produces<InboxPage>().ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404);

    private static async Task<IResult> ListInbox(string agency, HttpContext http, IQuerySession session, WorkflowCatalog catalog,
        TimeProvider clock, CancellationToken cancellation, int page = 1, int pageSize = 50, string? workflowId = null,
        string? centre = null, string? holder = null)
    {
        if (catalog.FindAgency(agency) is null)
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"'{agency}' is not an agency of the catalogue");
        var actor = http.Actor();
        if (!AccessPolicy.MayReadAgencyWork(actor, agency))
            throw new AccessDenied($"you may read the inbox of your own agency only ({actor.Agency ?? "none"})");
        var errors = Http.PageErrors(page, pageSize) ?? [];
        foreach (var (name, value) in new[] { ("workflowId", workflowId), ("centre", centre), ("holder", holder) })
            if (value is { Length: > 200 } || value?.Contains('\0') == true) errors[name] = ["at most 200 characters, no NUL"];
        if (errors.Count > 0) return Results.ValidationProblem(errors);

        var own = AccessPolicy.CentreScope(actor, agency);
        if (own is not null && centre is not null && centre != own)
            throw new AccessDenied($"you see the steps of your own centre only ({(own.Length > 0 ? own : "none")})");
        var query = new InboxQuery(agency, own ?? NullIfBlank(centre), NullIfBlank(workflowId), NullIfBlank(holder), page, pageSize);
        var (total, items) = await AgencyInbox.PageAsync(session, query, cancellation);

        var now = clock.GetUtcNow();
        // A page's steps mostly share one or two centres: each centre's calendar in force is found once per page, not per step.
        var calendars = new CentreCalendars(catalog.Calendars);
        return Results.Ok(new InboxPage(agency, page, pageSize, total, [.. items.Select(i => new InboxEntry(i.ApplicationId,
            i.TrackingNumber, i.WorkflowId, i.Centre, i.StepId, i.Title, i.OpenedAt, i.DueAt,
            calendars.ForCentre(i.Centre, now).WorkingDaysBetween(now, i.DueAt), i.Warned, i.Breached, i.EscalationLevel,
            i.HolderId is null ? null : new Officer(i.HolderId, i.HolderName ?? i.HolderId),
            i.PendingApprovalBy is { } by ? new PendingApprovalEntry(by, i.PendingSince ?? i.OpenedAt) : null))]));
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
