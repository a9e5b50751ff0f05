using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;
using Workflow.Core.Calendars;
using Workflow.Core.Statistics;

namespace Workflow.Store.Statistics;

/// <summary>How far the statistics projection has read the event log, and when it last wrote.</summary>
public sealed record ProjectionProgress(long Sequence, long HighestSequence, DateTimeOffset? UpdatedAt)
{
    public long Behind => Math.Max(0, HighestSequence - Sequence);
}

/// <summary>
/// A table of indicators as the API and the CLI give it: the rows, the service-quality index over the whole range, and
/// how far the projection had read the event log (the figures count every event up to that sequence).
/// </summary>
public sealed record StatisticsReport(string Period, DateOnly From, DateOnly To, ProjectionProgress Through,
    IReadOnlyList<IndicatorRow> Rows, IReadOnlyList<QualityIndex> Index);

/// <summary>
/// Reads the statistics: the running totals the async daemon keeps beside the case facts (<see cref="CaseFactsProjection"/>),
/// of which a table only adds the few buckets its periods need (<see cref="TallyTable"/>); the facts themselves for the
/// cases behind a figure; and, for the check, the same facts folded again from the raw events.
/// </summary>
public sealed class StatisticsReader(IDocumentStore store, NpgsqlDataSource database)
{
    /// <summary>Registered where the daemon may run: a process that only reads need not know how the facts are made.</summary>
    public static void AddProjection(StoreOptions options, CalendarCatalog calendars) =>
        options.Projections.Add(new CaseFactsProjection(calendars), ProjectionLifecycle.Async, CaseFactsProjection.ProjectionName, async =>
        {
            // Pages of events folded in one batch see the facts an earlier page stored, not the committed ones.
            async.EnableDocumentTrackingByIdentity = true;
            // Pages of 5,000 events instead of Marten's 500: a case's totals change in the same day, month and all-time
            // buckets as its neighbours', so a larger page sums more of them before they reach the table (catching up on a
            // year of 20,000 applications took half the time). Live, a page holds only what arrived since the last one.
            async.BatchSize = 5_000;
            // A rebuild starts from nothing: the totals go with the facts they were summed from.
            async.DeleteViewTypeOnTeardown<CaseFacts>();
            async.DeleteDataInTableOnTeardown($"{WorkflowStore.Schema}.{CaseFactsProjection.Table}");
        });

    public static void Configure(StoreOptions options)
    {
        // Columns of their own for what every query filters on: the centre, the procedure and the life of the case.
        // Numbered revisions, as Marten keeps an aggregate it projects, so that a process without the projection (the CLI)
        // sees the same table.
        options.Schema.For<CaseFacts>().UseNumericRevisions(true).Duplicate(c => c.Centre).Duplicate(c => c.WorkflowId)
            .Duplicate(c => c.ReceivedAt, pgType: "timestamptz").Duplicate(c => c.EndedAt, pgType: "timestamptz", notNull: false);
        options.Storage.ExtendedSchemaObjects.Add(CaseFactsProjection.Schema(WorkflowStore.Schema));
        options.Storage.ExtendedSchemaObjects.Add(CaseFactsProjection.AddFunction(WorkflowStore.Schema));
    }

    /// <summary>
    /// The table and index of a query from the running totals (their working days were counted on the calendars the daemon
    /// was started with).
    /// </summary>
    public async Task<StatisticsReport> ReportAsync(StatisticsQuery query, CancellationToken cancellation)
    {
        var (through, tallies) = await TalliesAsync(query, cancellation);
        return new StatisticsReport(query.Kind.ToString().ToLowerInvariant(), query.From, query.To, through,
            TallyTable.Compute(tallies, query), TallyTable.Index(tallies, query));
    }

    /// <summary>The indicator table of a query from the running totals.</summary>
    public async Task<IReadOnlyList<IndicatorRow>> IndicatorsAsync(StatisticsQuery query, CancellationToken cancellation) =>
        TallyTable.Compute((await TalliesAsync(query, cancellation)).Tallies, query);

    /// <summary>
    /// The buckets of the running totals a query's table and index need (<see cref="TallyTable.Plan"/>), and how far the
    /// projection had read the event log when they were read: both in one snapshot, so the figures count exactly the
    /// events up to that sequence.
    /// </summary>
    public async Task<(ProjectionProgress Through, IReadOnlyList<Tally> Tallies)> TalliesAsync(StatisticsQuery query,
        CancellationToken cancellation)
    {
        var (rows, index, views) = TallyTable.Plan(query);
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellation);
        var through = await ProgressAsync(connection, cancellation);
        // Buckets after the table serve only to take the later changes of pending counts off the all-time sums. A view no table
        // groups by centre (or procedure) is added up here over centres (procedures), named as the filter names them.
        await using var command = new NpgsqlCommand($"""
            select view, grain, day,
                   case when view = any(@by_centre) then centre else coalesce(@centre, '') end as c,
                   case when view = any(@by_procedure) then procedure else coalesce(@procedure, '') end as p,
                   agency, step, counter, sum(value)::bigint
            from {WorkflowStore.Schema}.{CaseFactsProjection.Table}
            where view = any(@views) and (@centre::text is null or centre = @centre) and (@procedure::text is null or procedure = @procedure)
              and ((grain = 0 and day = any(@days))
                or (grain = 0 and day > @last and day < @next_month and counter = any(@changes))
                or (grain = 1 and day = any(@months))
                or (grain = 1 and day > @last_month and counter = any(@changes))
                or grain = 2)
            group by view, grain, day, c, p, agency, step, counter
            """, connection, transaction);
        command.Parameters.AddWithValue("views", views.Select(v => (short)v.View).ToArray());
        command.Parameters.AddWithValue("by_centre", views.Where(v => v.ByCentre).Select(v => (short)v.View).ToArray());
        command.Parameters.AddWithValue("by_procedure", views.Where(v => v.ByProcedure).Select(v => (short)v.View).ToArray());
        command.Parameters.AddWithValue("changes", TallyCounters.Changes.ToArray());
        command.Parameters.AddWithValue("centre", NpgsqlTypes.NpgsqlDbType.Text, (object?)query.Centre ?? DBNull.Value);
        command.Parameters.AddWithValue("procedure", NpgsqlTypes.NpgsqlDbType.Text, (object?)query.WorkflowId ?? DBNull.Value);
        command.Parameters.AddWithValue("days", rows.Days.Union(index.Days).ToArray());
        command.Parameters.AddWithValue("months", rows.Months.Union(index.Months).ToArray());
        command.Parameters.AddWithValue("last", rows.Last);
        command.Parameters.AddWithValue("last_month", rows.LastMonth);
        command.Parameters.AddWithValue("next_month", rows.LastMonth.AddMonths(1));
        var tallies = new List<Tally>();
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
            while (await reader.ReadAsync(cancellation))
                tallies.Add(new Tally((TallyView)reader.GetInt16(0), (TallyGrain)reader.GetInt16(1), reader.GetFieldValue<DateOnly>(2),
                    reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7),
                    reader.GetInt64(8)));
        await transaction.CommitAsync(cancellation);
        return (through, tallies);
    }

    /// <summary>The projected facts of the cases a query can need (alive during its range, in its centre and procedure).</summary>
    public async Task<IReadOnlyList<CaseFacts>> FactsAsync(StatisticsQuery query, CancellationToken cancellation)
    {
        var periods = query.Periods;
        DateTimeOffset start = periods[0].Start.ToUniversalTime(), end = periods[^1].End.ToUniversalTime();
        await using var session = store.QuerySession();
        var facts = session.Query<CaseFacts>().Where(c => c.ReceivedAt < end && (c.EndedAt == null || c.EndedAt >= start));
        if (query.Centre is { } centre) facts = facts.Where(c => c.Centre == centre);
        if (query.WorkflowId is { } workflow) facts = facts.Where(c => c.WorkflowId == workflow);
        return await facts.ToListAsync(cancellation);
    }

    public async Task<ProjectionProgress> ProgressAsync(CancellationToken cancellation)
    {
        await using var connection = await database.OpenConnectionAsync(cancellation);
        return await ProgressAsync(connection, cancellation);
    }

    private static async Task<ProjectionProgress> ProgressAsync(NpgsqlConnection connection, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand($"""
            select (select last_seq_id from {WorkflowStore.Schema}.mt_event_progression where name like @name),
                   (select last_updated from {WorkflowStore.Schema}.mt_event_progression where name like @name),
                   (select coalesce(max(seq_id), 0) from {WorkflowStore.Schema}.mt_events)
            """, connection);
        command.Parameters.AddWithValue("name", $"{CaseFactsProjection.ProjectionName}:%");
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        await reader.ReadAsync(cancellation);
        return new ProjectionProgress(reader.IsDBNull(0) ? 0 : reader.GetInt64(0), reader.GetInt64(2),
            reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
    }

    /// <summary>
    /// The facts of every case folded again from the raw events up to <paramref name="through"/> (the sequence the
    /// projection has reached, so that both sides saw the same history), without the projection or its documents.
    /// </summary>
    public async Task<IReadOnlyList<CaseFacts>> RecomputeAsync(long through, CancellationToken cancellation)
    {
        var facts = new Dictionary<Guid, CaseFacts?>();
        await using var session = store.QuerySession();
        var events = session.Events.QueryAllRawEvents().Where(e => e.Sequence <= through).OrderBy(e => e.Sequence)
            .ToAsyncEnumerable(cancellation);
        await foreach (var e in events)
            facts[e.StreamId] = CaseFacts.Evolve(facts.GetValueOrDefault(e.StreamId), e.Data);
        return [.. facts.Values.OfType<CaseFacts>()];
    }
}
