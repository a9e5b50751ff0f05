using Npgsql;
using Workflow.Store.Audit;

namespace Workflow.Store.Oversight;

/// <summary>How many decisions one officer or agency made in the period, and how many of them after the step's deadline.</summary>
/// <param name="Name">The officer's name as recorded with the decisions (null for an agency, whose code is the key).</param>
public sealed record DecisionCount(string Key, string? Name, int Decisions, int Late);

/// <summary>
/// The oversight queries counted for charts: decisions by officer and by agency with the late ones, over the same filter and
/// the same deadline rule as <see cref="OversightQueries"/> (a decision is late after its step's due time).
/// </summary>
public sealed class DecisionCounts(NpgsqlDataSource database)
{
    private static readonly string Schema = WorkflowStore.Schema;

    public Task<IReadOnlyList<DecisionCount>> ByOfficerAsync(OversightFilter filter, int top = 20,
        CancellationToken cancellation = default) =>
        CountAsync(filter, "e.user_name", "max(e.headers->>'actor-name')", top, cancellation);

    public Task<IReadOnlyList<DecisionCount>> ByAgencyAsync(OversightFilter filter, int top = 20,
        CancellationToken cancellation = default) =>
        CountAsync(filter, "e.data->>'agency'", "null", top, cancellation);

    private async Task<IReadOnlyList<DecisionCount>> CountAsync(OversightFilter filter, string key, string name, int top,
        CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"""
            select {key}, {name}, count(*)::int, (count(*) filter (where (e.data->>'at')::timestamptz > due.due_at))::int
            from {Schema}.mt_events e
            {OversightQueries.DueOfDecision}
            where e.type in ('step_approved', 'step_rejected', 'step_returned') and {OversightQueries.Where} and {key} is not null
            group by {key} order by 4 desc, 3 desc, 1 limit @top
            """);
        command.Parameters.AddWithValue("from", (object?)filter.From?.ToUniversalTime() ?? DBNull.Value);
        command.Parameters.AddWithValue("to", (object?)filter.To?.ToUniversalTime() ?? DBNull.Value);
        command.Parameters.AddWithValue("workflow", (object?)filter.WorkflowId ?? DBNull.Value);
        command.Parameters.AddWithValue("top", top);
        var counts = new List<DecisionCount>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
            counts.Add(new DecisionCount(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt32(2),
                reader.GetInt32(3)));
        return counts;
    }
}
