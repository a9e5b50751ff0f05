using Workflow.Api.Hosting;
using Workflow.Core.Statistics;
using Workflow.Store.Statistics;

namespace Workflow.Api.Statistics;

/// <summary>
/// <c>GET /api/statistics</c>: the indicators of any period, centre, agency, procedure and step, as JSON or CSV
/// (<c>Accept: text/csv</c> or <c>format=csv</c>), for supervisors, auditors and admins. The figures come from the
/// statistics projection; <c>workflow stats --check</c> recomputes them from the raw events.
/// </summary>
public static class StatisticsEndpoints
{
    public const string Csv = "text/csv";

    public static void MapStatistics(this IEndpointRouteBuilder api)
    {
        var statistics = api.MapGroup("/statistics").WithTags("Statistics").RequireAuthorization(Policies.ReadsStatistics);
        statistics.MapGet("", async (HttpContext http, StatisticsReader reader, string? from, string? to,
                string? period, string? centre, string? agency, string? workflowId, string? step, string? by, string? format,
                CancellationToken cancellation) =>
            {
                var errors = new Dictionary<string, string[]>();
                var query = StatisticsRequest.Parse(from, to, period, centre, agency, workflowId, step, by, errors);
                if (format is not null && format is not ("csv" or "json")) errors["format"] = ["format is json or csv"];
                if (query is null || errors.Count > 0) return Results.ValidationProblem(errors);
                var report = await reader.ReportAsync(query, cancellation);
                var csv = format == "csv" || (format is null && http.Request.Headers.Accept.Any(a => a?.Contains(Csv) == true));
                return csv
                    ? Results.Text(IndicatorCsv.Write(report.Rows), $"{Csv}; charset=utf-8")
                    : Results.Ok(report);
            })
            .WithSummary("Indicators per period, centre, agency, procedure and step (JSON, or CSV with Accept: text/csv)")
            .Produces<string>(200, Csv).Produces<StatisticsReport>().ProducesValidationProblem();
    }
}
