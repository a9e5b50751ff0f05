using Npgsql;

namespace Workflow.Store.Audit;

/// <summary>What an auditor filters by: a period of recording time, a procedure, and the page.</summary>
public sealed record OversightFilter(DateTimeOffset? From, DateTimeOffset? To, string? WorkflowId, int Page = 1, int PageSize = 50);

public sealed record DecisionRecord(Guid ApplicationId, string? TrackingNumber, string? Procedure, long Version, string StepId,
    string Agency,
    string Outcome, string Reason, string? UserId, string? Role, DateTimeOffset At, DateTimeOffset? DueAt);

public sealed record BreachRecord(Guid ApplicationId, string? TrackingNumber, string? Procedure, string StepId, string Agency,
    DateTimeOffset DueAt,
    DateTimeOffset At);

public sealed record ReturnedApplication(Guid ApplicationId, string? TrackingNumber, string? Procedure, int Returns,
    DateTimeOffset LastReturnAt);

public sealed record Paged<T>(int Page, int PageSize, int Total, IReadOnlyList<T> Items);

public sealed record AgencyCount(string Agency, int Count);

/// <summary>
/// Oversight questions answered straight from the events, so every figure can be traced to what was recorded.
/// The procedure of each event is the one recorded in its metadata, never today's files.
/// </summary>
public sealed class OversightQueries(NpgsqlDataSource database)
{
    private static readonly string Schema = WorkflowStore.Schema;

    internal const string Where = """
        (@from::timestamptz is null or e.timestamp >= @from) and (@to::timestamptz is null or e.timestamp < @to)
        and (@workflow::text is null or e.headers->>'procedure' like @workflow || '@%')
        """;

    /// <summary>
    /// The decision <c>e</c>'s step deadline as it stood when decided (<c>due.due_at</c>): the last opening or recalculation.
    /// </summary>
    internal static readonly string DueOfDecision = $"""
        left join lateral (
          select (o.data->>'dueAt')::timestamptz as due_at from {Schema}.mt_events o
          where o.stream_id = e.stream_id and o.version < e.version
            and ((o.type = 'step_opened' and o.data->>'stepId' = e.data->>'stepId')
              or (o.type = 'deadline_recalculated' and o.data->>'scope' = e.data->>'stepId'))
          order by o.version desc limit 1) due on true
        """;

    /// <summary>
    /// Decisions (approve, reject, return) by one user, or by anyone when <paramref name="userId"/> is null; optionally
    /// only late ones.
    /// </summary>
    public Task<Paged<DecisionRecord>> DecisionsAsync(OversightFilter filter, string? userId, string? agency, bool lateOnly,
        CancellationToken cancellation) =>
        PageAsync(filter, $"""
            select e.stream_id, a.data->>'trackingNumber', e.headers->>'procedure', e.version, e.data->>'stepId', e.data->>'agency',
                   replace(e.type, 'step_', ''), e.data->>'reason', e.user_name, e.headers->>'actor-role',
                   (e.data->>'at')::timestamptz, due.due_at,
                   count(*) over ()
            from {Schema}.mt_events e
            left join {Schema}.mt_doc_applicationdetails a on a.id = e.stream_id
            {DueOfDecision}
            where e.type in ('step_approved', 'step_rejected', 'step_returned') and {Where}
              and (@user::text is null or e.user_name = @user) and (@agency::text is null or e.data->>'agency' = @agency)
              -- Lateness.IsLate: a deadline's end is inclusive.
              and (not @late or (e.data->>'at')::timestamptz > due.due_at)
            order by e.timestamp, e.stream_id, e.version
            """,
            r => new DecisionRecord(r.GetGuid(0), Text(r, 1), Text(r, 2), r.GetInt64(3), r.GetString(4), r.GetString(5), r.GetString(6),
                r.GetString(7),
                Text(r, 8), Text(r, 9), r.GetFieldValue<DateTimeOffset>(10), r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11)),
            cancellation, ("user", userId), ("agency", agency), ("late", lateOnly));

    public Task<Paged<BreachRecord>> BreachesAsync(OversightFilter filter, string? agency, CancellationToken cancellation) =>
        PageAsync(filter, $"""
            select e.stream_id, a.data->>'trackingNumber', e.headers->>'procedure', e.data->>'stepId', e.data->>'agency',
                   (e.data->>'dueAt')::timestamptz, (e.data->>'at')::timestamptz, count(*) over ()
            from {Schema}.mt_events e left join {Schema}.mt_doc_applicationdetails a on a.id = e.stream_id
            where e.type = 'deadline_breached' and {Where} and (@agency::text is null or e.data->>'agency' = @agency)
            order by e.timestamp, e.stream_id
            """,
            r => new BreachRecord(r.GetGuid(0), Text(r, 1), Text(r, 2), r.GetString(3), r.GetString(4), r.GetFieldValue<DateTimeOffset>(5),
                r.GetFieldValue<DateTimeOffset>(6)),
            cancellation, ("agency", agency));

    public async Task<IReadOnlyList<AgencyCount>> BreachesByAgencyAsync(OversightFilter filter, CancellationToken cancellation)
    {
        await using var command = Command(filter, $"""
            select e.data->>'agency', count(*) from {Schema}.mt_events e
            where e.type = 'deadline_breached' and {Where} group by 1 order by 2 desc, 1
            """);
        var counts = new List<AgencyCount>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation)) counts.Add(new AgencyCount(reader.GetString(0), (int)reader.GetInt64(1)));
        return counts;
    }

    public Task<Paged<ReturnedApplication>> ReturnedAsync(OversightFilter filter, int minimum, CancellationToken cancellation) =>
        PageAsync(filter, $"""
            select e.stream_id, max(a.data->>'trackingNumber'), max(e.headers->>'procedure'), count(*)::int, max(e.timestamp),
                   count(*) over ()
            from {Schema}.mt_events e left join {Schema}.mt_doc_applicationdetails a on a.id = e.stream_id
            where e.type = 'step_returned' and {Where}
            group by e.stream_id having count(*) >= @minimum
            order by max(e.timestamp), e.stream_id
            """,
            r => new ReturnedApplication(r.GetGuid(0), Text(r, 1), Text(r, 2), r.GetInt32(3), r.GetFieldValue<DateTimeOffset>(4)),
            cancellation, ("minimum", minimum));

    private NpgsqlCommand Command(OversightFilter filter, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = database.CreateCommand(sql);
        command.Parameters.AddWithValue("from", (object?)filter.From?.ToUniversalTime() ?? DBNull.Value);
        command.Parameters.AddWithValue("to", (object?)filter.To?.ToUniversalTime() ?? DBNull.Value);
        command.Parameters.AddWithValue("workflow", (object?)filter.WorkflowId ?? DBNull.Value);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private async Task<Paged<T>> PageAsync<T>(OversightFilter filter, string sql, Func<NpgsqlDataReader, T> read,
        CancellationToken cancellation,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(filter, sql + " offset @skip limit @take", parameters);
        command.Parameters.AddWithValue("skip", (filter.Page - 1) * filter.PageSize);
        command.Parameters.AddWithValue("take", filter.PageSize);
        var items = new List<T>();
        var total = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            items.Add(read(reader));
            total = (int)reader.GetInt64(reader.FieldCount - 1);
        }
        return new Paged<T>(filter.Page, filter.PageSize, total, items);
    }

    private static string? Text(NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
}
