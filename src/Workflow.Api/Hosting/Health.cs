using Npgsql;

namespace Workflow.Api.Hosting;

public static class Health
{
    public static void MapHealth(this IEndpointRouteBuilder app) =>
        app.MapGet("/health", async (NpgsqlDataSource database, CancellationToken cancellation) =>
        {
            try
            {
                await using var command = database.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellation);
                return Results.Ok(new { status = "healthy", database = "reachable" });
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                return Results.Problem(statusCode: 503, title: "Unhealthy", detail: $"The database does not answer: {e.Message}");
            }
        }).WithTags("Health").WithSummary("200 when the database answers").AllowAnonymous();
}
