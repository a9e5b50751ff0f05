using Marten;
using Npgsql;
using Workflow.Api.Hosting;
using Workflow.Core.Definitions;
using Workflow.Store;
using Workflow.Store.Applications;

namespace Workflow.Api.Agencies;

public sealed record OverdueStep(Guid ApplicationId, string TrackingNumber, string WorkflowId, string StepId, DateTimeOffset DueAt,
    int OverdueWorkingDays, int EscalationLevel);

public sealed record OverduePage(string Agency, DateTimeOffset AsOf, int Page, int PageSize, int Total, IReadOnlyList<OverdueStep> Items);

public static class OverdueEndpoint
{
    public static void MapOverdue(this RouteGroupBuilder agency) =>
        agency.MapGet("/overdue", ListOverdue).WithTags("Deadlines")
            .WithSummary("The agency's open steps past their due time, most overdue first, paged: the lateness it is accountable for")
            .Produces<OverduePage>().ProducesProblem(403).ProducesProblem(404);

    private static async Task<IResult> ListOverdue(string agency, HttpContext http, NpgsqlDataSource database, IQuerySession session,
        WorkflowCatalog catalog, TimeProvider clock, CancellationToken cancellation, int page = 1, int pageSize = 50)
    {
        if (catalog.FindAgency(agency) is null)
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"'{agency}' is not an agency of the catalogue");
        if (!AccessPolicy.MayReadAgencyWork(http.Actor(), agency))
            throw new AccessDenied($"you may read the overdue steps of your own agency only ({http.Actor().Agency ?? "none"})");
        if (Http.PageErrors(page, pageSize) is { } errors) return Results.ValidationProblem(errors);

        var now = clock.GetUtcNow();
        // The centre's own staff see their centre's steps only (the centre is kept on the application's details).
        var own = AccessPolicy.CentreScope(http.Actor(), agency);
        var ofCentre = own is null ? ""
            : $"join {WorkflowStore.Schema}.mt_doc_applicationdetails d on d.id = t.application_id and d.data->>'centre' = @centre";
        await using var command = database.CreateCommand(
            $"""
             select t.application_id, t.scope, t.due_at, count(*) over () from {WorkflowStore.Schema}.{OpenDeadlines.Table} t
             {ofCentre}
             where t.agency = @agency and t.due_at < @now
             order by t.due_at, t.application_id, t.scope offset @skip limit @take
             """);
        command.Parameters.AddWithValue("agency", agency);
        if (own is not null) command.Parameters.AddWithValue("centre", own);
        command.Parameters.AddWithValue("now", now.ToUniversalTime());
        command.Parameters.AddWithValue("skip", (page - 1) * pageSize);
        command.Parameters.AddWithValue("take", pageSize);
        var rows = new List<(Guid Id, string Step, DateTimeOffset Due)>();
        var total = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
            while (await reader.ReadAsync(cancellation))
            {
                rows.Add((reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
                total = (int)reader.GetInt64(3);
            }
        var applications = (await session.LoadManyAsync<ApplicationDetails>(cancellation, rows.Select(r => r.Id).Distinct()))
            .ToDictionary(a => a.Id);
        var items = rows.Select(r =>
        {
            var application = applications.GetValueOrDefault(r.Id);
            var calendar = catalog.Calendars.ForCentre(application?.Centre ?? "", now);
            var level = application?.OpenSteps.FirstOrDefault(step => step.StepId == r.Step)?.EscalationLevel ?? 0;
            return new OverdueStep(r.Id, application?.TrackingNumber ?? "", application?.WorkflowId ?? "", r.Step, r.Due,
                calendar.WorkingDaysBetween(r.Due, now), level);
        }).ToList();
        return Results.Ok(new OverduePage(agency, now, page, pageSize, total, items));
    }
}
