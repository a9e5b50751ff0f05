using Npgsql;
using Workflow.Core.Applications;
using Workflow.Store.Audit;

namespace Workflow.Store.Oversight;

/// <summary>Whether a case kept its deadlines, as an auditor asks it.</summary>
public static class LatenessFilter
{
    /// <summary>A step's deadline was breached, or the case's legal deadline was missed.</summary>
    public const string Late = "late";

    /// <summary>The legal deadline of the case was missed (rule 6 of Core/README.md: an apology's new date does not count).</summary>
    public const string CaseLate = "case-late";

    /// <summary>No step breached and the legal deadline not missed (so far, for a running case).</summary>
    public const string OnTime = "on-time";

    public static readonly string[] All = [Late, CaseLate, OnTime];
}

/// <summary>
/// What an auditor searches cases by; every criterion is optional. <paramref name="TrackingNumber"/> matches from the
/// start, whatever the case; <paramref name="Agency"/> is any agency that held a step; the period is the day received.
/// </summary>
public sealed record CaseCriteria(string? TrackingNumber = null, string? WorkflowId = null, string? Agency = null, string? Centre = null,
    ApplicationStatus? Status = null, string? Lateness = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Page = 1,
    int PageSize = 50);

/// <param name="Breaches">Step deadlines breached; <paramref name="Missed"/>: the legal deadline of the case was missed.</param>
public sealed record CaseSummary(Guid Id, string TrackingNumber, string WorkflowId, int WorkflowVersion, string Centre,
    ApplicationStatus Status, DateTimeOffset SubmittedAt, DateTimeOffset? DueAt, DateTimeOffset? FinishedAt, int Breaches, bool Missed,
    IReadOnlyList<string> Agencies);

/// <summary>
/// Finds cases for oversight in the read model every reader uses (<c>ApplicationDetails</c>), newest first, paged.
/// One statement with the total beside each row, like <see cref="OversightQueries"/>.
/// </summary>
public sealed class CaseSearch(NpgsqlDataSource database)
{
    private static readonly string Schema = WorkflowStore.Schema;

    public async Task<Paged<CaseSummary>> FindAsync(CaseCriteria criteria, CancellationToken cancellation = default)
    {
        await using var command = database.CreateCommand($"""
            select d.id, d.data->>'trackingNumber', d.data->>'workflowId', (d.data->>'workflowVersion')::int, d.data->>'centre',
                   d.data->>'status', (d.data->>'submittedAt')::timestamptz,
                   coalesce(d.data->'clock'->>'dueAt', d.data->>'dueAt')::timestamptz, (d.data->>'finishedAt')::timestamptz,
                   jsonb_array_length(d.data->'breaches'), (d.data->'clock'->>'missed')::boolean,
                   array(select jsonb_array_elements_text(d.data->'agencies')), count(*) over ()
            from {Schema}.mt_doc_applicationdetails d
            where (@tracking::text is null or upper(d.data->>'trackingNumber') like upper(@tracking) || '%')
              and (@workflow::text is null or d.data->>'workflowId' = @workflow)
              and (@agency::text is null or d.data->'agencies' ? @agency)
              and (@centre::text is null or d.data->>'centre' = @centre)
              and (@status::text is null or d.data->>'status' = @status)
              and (@from::timestamptz is null or (d.data->>'submittedAt')::timestamptz >= @from)
              and (@to::timestamptz is null or (d.data->>'submittedAt')::timestamptz < @to)
              and (@lateness::text is null
                or (@lateness = 'late' and (jsonb_array_length(d.data->'breaches') > 0 or (d.data->'clock'->>'missed')::boolean))
                or (@lateness = 'case-late' and (d.data->'clock'->>'missed')::boolean)
                or (@lateness = 'on-time' and jsonb_array_length(d.data->'breaches') = 0
                    and not (d.data->'clock'->>'missed')::boolean))
            order by (d.data->>'submittedAt')::timestamptz desc, d.data->>'trackingNumber'
            offset @skip limit @take
            """);
        command.Parameters.AddWithValue("tracking", (object?)Escape(criteria.TrackingNumber?.Trim()) ?? DBNull.Value);
        command.Parameters.AddWithValue("workflow", (object?)criteria.WorkflowId ?? DBNull.Value);
        command.Parameters.AddWithValue("agency", (object?)criteria.Agency ?? DBNull.Value);
        command.Parameters.AddWithValue("centre", (object?)criteria.Centre ?? DBNull.Value);
        command.Parameters.AddWithValue("status", (object?)criteria.Status?.ToString() ?? DBNull.Value);
        command.Parameters.AddWithValue("lateness", (object?)criteria.Lateness ?? DBNull.Value);
        command.Parameters.AddWithValue("from", (object?)criteria.From?.ToUniversalTime() ?? DBNull.Value);
        command.Parameters.AddWithValue("to", (object?)criteria.To?.ToUniversalTime() ?? DBNull.Value);
        command.Parameters.AddWithValue("skip", (criteria.Page - 1) * criteria.PageSize);
        command.Parameters.AddWithValue("take", criteria.PageSize);
        var items = new List<CaseSummary>();
        var total = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            items.Add(new CaseSummary(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetString(4),
                Enum.Parse<ApplicationStatus>(reader.GetString(5)), reader.GetFieldValue<DateTimeOffset>(6), Instant(reader, 7),
                Instant(reader, 8), reader.GetInt32(9), reader.GetBoolean(10), reader.GetFieldValue<string[]>(11)));
            total = (int)reader.GetInt64(12);
        }
        return new Paged<CaseSummary>(criteria.Page, criteria.PageSize, total, items);
    }

    private static DateTimeOffset? Instant(NpgsqlDataReader reader, int i) =>
        reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);

    /// <summary>A tracking number is matched literally: <c>%</c> and <c>_</c> typed by the auditor are not wildcards.</summary>
    private static string? Escape(string? text) =>
        string.IsNullOrEmpty(text) ? null : text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");
}
