using Marten;
using Npgsql;
using Weasel.Postgresql.Tables;
using Workflow.Core.Applications;
using Workflow.Store.Applications;
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
/// Finds cases for oversight in the read model every reader uses (<c>ApplicationDetails</c>), newest first, paged. Each
/// criterion reads a column or an index declared in <see cref="Configure"/>, so that a search in a store of hundreds of
/// thousands of cases reads only the cases it finds; the total and the page go in one round trip.
/// </summary>
public sealed class CaseSearch(NpgsqlDataSource database)
{
    private static readonly string Table = $"{WorkflowStore.Schema}.mt_doc_applicationdetails";

    /// <summary>The day received as Marten's index of the member computes it: the search writes the same expression.</summary>
    private static readonly string Received = $"{WorkflowStore.Schema}.mt_immutable_timestamptz(d.data ->> 'submittedAt')";

    /// <summary>
    /// A step breached, or the legal deadline missed: the predicate of the partial index of late cases, and the search's
    /// condition written the same, so that PostgreSQL sees the index answers it. Marten names the column of the nested
    /// <c>Clock.Missed</c> <c>clockmissed</c>.
    /// </summary>
    private const string LateCase = "(jsonb_array_length(data -> 'breaches') > 0 or clockmissed)";

    /// <summary>
    /// The columns and indexes of the search. Marten copies each duplicated member into its own column on every write of
    /// the document (and fills it for the documents already stored when the column is added), so the search compares
    /// columns, not JSON. Each index costs every write of the document a little (README, Benchmarks: "Case search").
    /// </summary>
    public static void Configure(StoreOptions options)
    {
        options.Schema.For<ApplicationDetails>()
            // From the start of the number, whatever the case: LIKE 'ABC%' reads this index when it compares bytes.
            .Duplicate(d => d.TrackingNumber, configure: index => index.Mask = "upper(?) text_pattern_ops")
            .Duplicate(d => d.WorkflowId)
            .Duplicate(d => d.Centre)
            .Duplicate(d => d.Status)
            .Duplicate(d => d.Clock.Missed, pgType: "boolean")
            // Newest first: the default page is the first rows of this index read backwards, never a sort of every case. An
            // index on the JSON rather than a column: a duplicated instant would have to be written in UTC, and the
            // projection keeps the office's offset.
            .Index(d => d.SubmittedAt)
            // Any agency that held a step: the JSON array's "contains" operator (?) reads a GIN index of the array.
            .Index(d => d.Agencies, index => index.Method = IndexMethod.gin)
            // Late cases are few: a partial index holds only them, newest first, so the page and the total of late cases read
            // it alone (and those of cases late by the legal deadline, a part of them). On-time cases are most cases: their
            // page reads the index of the day received.
            .Index(d => d.SubmittedAt, index =>
            {
                index.Name = "mt_doc_applicationdetails_idx_late";
                index.Predicate = LateCase;
            });
    }

    public async Task<Paged<CaseSummary>> FindAsync(CaseCriteria criteria, CancellationToken cancellation = default)
    {
        await using var batch = database.CreateBatch();
        foreach (var (sql, values) in Statements(criteria))
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
            batch.BatchCommands.Add(command);
        }
        await using var reader = await batch.ExecuteReaderAsync(cancellation);
        await reader.ReadAsync(cancellation);
        var total = (int)reader.GetInt64(0);
        await reader.NextResultAsync(cancellation);
        var items = new List<CaseSummary>();
        while (await reader.ReadAsync(cancellation))
            items.Add(new CaseSummary(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetString(4),
                Enum.Parse<ApplicationStatus>(reader.GetString(5)), reader.GetFieldValue<DateTimeOffset>(6), Instant(reader, 7),
                Instant(reader, 8), reader.GetInt32(9), reader.GetBoolean(10), reader.GetFieldValue<string[]>(11)));
        return new Paged<CaseSummary>(criteria.Page, criteria.PageSize, total, items);
    }

    /// <summary>
    /// The two statements of a search, the total and the page, with their positional values: what <see cref="FindAsync"/>
    /// sends, and what a plan is asked for. Only the criteria given become conditions: a condition such as
    /// "@x is null or column = @x" would keep PostgreSQL from choosing an index for it once the statement is prepared.
    /// The page's offset and size are written into the statement (numbers, checked before): a prepared statement's plan
    /// for an unknown LIMIT may sort every match rather than read the first rows of an index.
    /// </summary>
    public static IReadOnlyList<(string Sql, object[] Values)> Statements(CaseCriteria criteria)
    {
        var conditions = new List<string>();
        var values = new List<object>();
        string Value(object value)
        {
            values.Add(value);
            return $"${values.Count}";
        }

        if (Escape(criteria.TrackingNumber?.Trim()) is { } tracking)
            conditions.Add($"upper(d.tracking_number) like {Value(tracking.ToUpperInvariant() + "%")}");
        if (criteria.WorkflowId is { } workflow) conditions.Add($"d.workflow_id = {Value(workflow)}");
        // The expression Marten's index of the member is built on.
        if (criteria.Agency is { } agency) conditions.Add($"cast(d.data ->> 'agencies' as jsonb) ? {Value(agency)}");
        if (criteria.Centre is { } centre) conditions.Add($"d.centre = {Value(centre)}");
        if (criteria.Status is { } status) conditions.Add($"d.status = {Value(status.ToString())}");
        if (criteria.From is { } from) conditions.Add($"{Received} >= {Value(from.ToUniversalTime())}");
        if (criteria.To is { } to) conditions.Add($"{Received} < {Value(to.ToUniversalTime())}");
        conditions.AddRange(criteria.Lateness switch
        {
            LatenessFilter.Late => [LateCase],
            LatenessFilter.CaseLate => ["d.clockmissed"],
            LatenessFilter.OnTime => ["jsonb_array_length(d.data -> 'breaches') = 0 and not d.clockmissed"],
            _ => [],
        });
        var where = conditions.Count == 0 ? "" : "where " + string.Join(" and ", conditions);
        var count = $"select count(*) from {Table} d {where}";
        var page = $"""
            select d.id, d.tracking_number, d.workflow_id, (d.data->>'workflowVersion')::int, d.centre, d.status, {Received},
                   coalesce(d.data->'clock'->>'dueAt', d.data->>'dueAt')::timestamptz, (d.data->>'finishedAt')::timestamptz,
                   jsonb_array_length(d.data->'breaches'), d.clockmissed, array(select jsonb_array_elements_text(d.data->'agencies'))
            from {Table} d {where}
            order by {Received} desc, d.tracking_number
            offset {(criteria.Page - 1) * criteria.PageSize} limit {criteria.PageSize}
            """;
        return [(count, [.. values]), (page, [.. values])];
    }

    private static DateTimeOffset? Instant(NpgsqlDataReader reader, int i) =>
        reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);

    /// <summary>A tracking number is matched literally: <c>%</c> and <c>_</c> typed by the auditor are not wildcards.</summary>
    private static string? Escape(string? text) =>
        string.IsNullOrEmpty(text) ? null : text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");
}
