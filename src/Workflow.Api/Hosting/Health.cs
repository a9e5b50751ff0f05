using Npgsql;

namespace Workflow.Api.Hosting;

public sealed record HealthReport(string Status, string Database);

public static class Health
{
    /// <summary>
    /// Anonymous, so it says only whether the database answers: never its address, port or error text. A failure on a
    /// pooled connection may only mean the database restarted since: the pool is emptied and the check tried once more
    /// on a fresh connection before the answer is 503.
    /// </summary>
    public static void MapHealth(this IEndpointRouteBuilder app) =>
        app.MapGet("/health", async (NpgsqlDataSource database, HttpContext http, ILogger<HealthReport> log,
            CancellationToken cancellation) =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await using var command = database.CreateCommand("SELECT 1");
                    await command.ExecuteScalarAsync(cancellation);
                    return Results.Ok(new HealthReport("healthy", "reachable"));
                }
                catch (Exception e) when (Problems.DatabaseAway(e) || e is NpgsqlException or InvalidOperationException)
                {
                    database.Clear();
                    if (attempt < 2) continue;
                    log.LogWarning("Health check: the database does not answer ({Reason})", e.Message);
                    http.Response.Headers.RetryAfter = $"{Problems.RetryAfterSeconds}";
                    return Results.Problem(statusCode: 503, title: "Unhealthy", detail: "The database does not answer.");
                }
            }
        }).WithTags("Health").WithSummary("200 when the database answers, 503 with Retry-After when it does not")
        .Produces<HealthReport>().ProducesProblem(503).AllowAnonymous();
}
