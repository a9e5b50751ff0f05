using Npgsql;

namespace Workflow.Store.Oversight;

/// <summary>
/// An escalation level that named a watched target (<c>national-dashboard</c>, <c>provincial-home-affairs</c>) for a step
/// that is still open. <paramref name="AcknowledgedBy"/> is whoever acknowledged the level: the watcher, or the agency's
/// supervisor (the level is acknowledged once, see <c>EscalationAcknowledged</c>).
/// </summary>
public sealed record Alert(Guid ApplicationId, string TrackingNumber, string WorkflowId, string Centre, string StepId, string Title,
    string Agency, int Level, IReadOnlyList<string> Notified, DateTimeOffset EscalatedAt, DateTimeOffset DueAt, string? AcknowledgedBy,
    DateTimeOffset? AcknowledgedAt);

/// <summary>
/// The live list of alerts for one escalation target, read from the escalations that <c>ApplicationDetails</c> keeps, the
/// most overdue first (the earliest due date). An escalation recorded before its step was last opened (a step returned and
/// opened again) is over, so it is left out; so is every escalation of a step that has been decided.
/// </summary>
public sealed class Alerts(NpgsqlDataSource database)
{
    private static readonly string Schema = WorkflowStore.Schema;

    /// <param name="centre">Only this centre's cases; null for every centre.</param>
    public async Task<IReadOnlyList<Alert>> ForAsync(string target, string? centre, int limit = 500,
        CancellationToken cancellation = default)
    {
        await using var command = database.CreateCommand($"""
            select d.id, d.data->>'trackingNumber', d.data->>'workflowId', d.data->>'centre', x->>'stepId', s->>'title', x->>'agency',
                   (x->>'level')::int, array(select jsonb_array_elements_text(x->'notified')), (x->>'at')::timestamptz,
                   (s->>'dueAt')::timestamptz, x->'acknowledgedBy'->>'name', (x->>'acknowledgedAt')::timestamptz
            from {Schema}.mt_doc_applicationdetails d
            cross join lateral jsonb_array_elements(d.data->'escalations') x
            join lateral jsonb_array_elements(d.data->'openSteps') s
              on s->>'stepId' = x->>'stepId' and (x->>'at')::timestamptz >= (s->>'openedAt')::timestamptz
            where x->'notified' ? @target and (@centre::text is null or d.data->>'centre' = @centre)
            order by (s->>'dueAt')::timestamptz, d.data->>'trackingNumber', (x->>'level')::int
            limit @limit
            """);
        command.Parameters.AddWithValue("target", target);
        command.Parameters.AddWithValue("centre", (object?)centre ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", limit);
        var alerts = new List<Alert>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
            alerts.Add(new Alert(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.GetInt32(7), reader.GetFieldValue<string[]>(8),
                reader.GetFieldValue<DateTimeOffset>(9), reader.GetFieldValue<DateTimeOffset>(10),
                reader.IsDBNull(11) ? null : reader.GetString(11),
                reader.IsDBNull(12) ? null : reader.GetFieldValue<DateTimeOffset>(12)));
        return alerts;
    }
}
