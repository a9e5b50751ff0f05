using Npgsql;

namespace Workflow.Api.Tests;

/// <summary>PostgreSQL's plan for a statement, as the text `explain` prints, one line per row.</summary>
internal static class QueryPlans
{
    /// <summary>Runs <paramref name="explain"/> (an <c>explain</c> of the statement, with its parameters) and joins its rows.</summary>
    public static async Task<string> ReadAsync(NpgsqlCommand explain)
    {
        var plan = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
        return string.Join('\n', plan);
    }
}
