using Workflow.Api.Hosting;
using Workflow.Store.Audit;

namespace Workflow.Api.Oversight;

public sealed record BreachReport(IReadOnlyList<AgencyCount> ByAgency, Paged<BreachRecord> Breaches);

/// <summary>Oversight questions for auditors: filtered by recording period (from, to) and procedure (workflowId), paged.</summary>
public static class QueryEndpoints
{
    public static void MapQueries(this RouteGroupBuilder oversight)
    {
        oversight.MapGet("/decisions", (OversightQueries queries, CancellationToken cancellation, string? user, string? agency,
                DateTimeOffset? from, DateTimeOffset? to, string? workflowId, int page = 1, int pageSize = 50) =>
                QueryAsync(from, to, workflowId, page, pageSize,
                    f => queries.DecisionsAsync(f, user, agency, lateOnly: false, cancellation)))
            .WithSummary("Decisions, by one officer (user) or agency").Produces<Paged<DecisionRecord>>();
        oversight.MapGet("/late-decisions", (OversightQueries queries, CancellationToken cancellation, string? agency,
                DateTimeOffset? from, DateTimeOffset? to, string? workflowId, int page = 1, int pageSize = 50) =>
                QueryAsync(from, to, workflowId, page, pageSize,
                    f => queries.DecisionsAsync(f, null, agency, lateOnly: true, cancellation)))
            .WithSummary("Decisions made after their step's deadline").Produces<Paged<DecisionRecord>>();
        oversight.MapGet("/breaches", (OversightQueries queries, CancellationToken cancellation, string? agency,
                DateTimeOffset? from, DateTimeOffset? to, string? workflowId, int page = 1, int pageSize = 50) =>
                QueryAsync(from, to, workflowId, page, pageSize, async f =>
                    new BreachReport(await queries.BreachesByAgencyAsync(f, cancellation),
                        await queries.BreachesAsync(f, agency, cancellation))))
            .WithSummary("Deadline breaches, counted by agency and listed").Produces<BreachReport>();
        oversight.MapGet("/returned", (OversightQueries queries, CancellationToken cancellation, DateTimeOffset? from,
                DateTimeOffset? to, string? workflowId, int minimum = 2, int page = 1, int pageSize = 50) =>
                minimum is < 1 or > 1000
                    ? Task.FromResult(Results.ValidationProblem(
                        new Dictionary<string, string[]> { ["minimum"] = ["minimum is between 1 and 1000"] }))
                    : QueryAsync(from, to, workflowId, page, pageSize, f => queries.ReturnedAsync(f, minimum, cancellation)))
            .WithSummary("Applications returned for correction at least `minimum` times (default 2)")
            .Produces<Paged<ReturnedApplication>>();
    }

    /// <summary>Checks the page and the period, then runs the query with them: 400 with field errors when they are wrong.</summary>
    private static async Task<IResult> QueryAsync<T>(DateTimeOffset? from, DateTimeOffset? to, string? workflowId, int page, int pageSize,
        Func<OversightFilter, Task<T>> query)
    {
        var errors = Http.PageErrors(page, pageSize) ?? [];
        if (from is not null && to is not null && to <= from) errors["to"] = ["to must be after from"];
        if (errors.Count > 0) return Results.ValidationProblem(errors);
        return Results.Ok(await query(new OversightFilter(from, to, workflowId, page, pageSize)));
    }
}
