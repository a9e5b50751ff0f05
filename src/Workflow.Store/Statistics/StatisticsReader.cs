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
/// Reads the statistics: the case facts the async daemon keeps (<see cref="CaseFactsProjection"/>), summed into
/// indicator rows by the pure calculator; and, for the check, the same facts folded again from the raw events.
/// </summary>
public sealed class StatisticsReader(IDocumentStore store, NpgsqlDataSource database)
{
    /// <summary>Registered where the daemon may run: a process that only reads need not know how the facts are made.</summary>
    public static void AddProjection(StoreOptions options) => options.Projections.Add(new CaseFactsProjection(), ProjectionLifecycle.Async);

    public static void Configure(StoreOptions options)
    {
        // Columns of their own for what every query filters on: the centre, the procedure and the life of the case.
        // Numbered revisions, as Marten keeps an aggregate it projects, so that a process without the projection (the CLI)
        // sees the same table.
        options.Schema.For<CaseFacts>().UseNumericRevisions(true).Duplicate(c => c.Centre).Duplicate(c => c.WorkflowId)
            .Duplicate(c => c.ReceivedAt, pgType: "timestamptz").Duplicate(c => c.EndedAt, pgType: "timestamptz", notNull: false);
    }

    public async Task<StatisticsReport> ReportAsync(StatisticsQuery query, CalendarCatalog calendars, CancellationToken cancellation)
    {
        var through = await ProgressAsync(cancellation);
        var facts = await FactsAsync(query, cancellation);
        var whole = new Period(PeriodKind.Custom, query.From, query.To);
        // The table and the index read the same facts and share nothing else: both are computed at once.
        var rows = Task.Run(() => Indicators.Compute(facts, query, calendars), cancellation);
        var index = QualityIndex.Of(query.Touching(facts), whole, calendars);
        return new StatisticsReport(query.Kind.ToString().ToLowerInvariant(), query.From, query.To, through, await rows, index);
    }

    /// <summary>The indicator table of a query from the projected facts.</summary>
    public async Task<IReadOnlyList<IndicatorRow>> IndicatorsAsync(StatisticsQuery query, CalendarCatalog calendars,
        CancellationToken cancellation) =>
        Indicators.Compute(await FactsAsync(query, cancellation), query, calendars);

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
        await using var command = database.CreateCommand($"""
            select (select last_seq_id from {WorkflowStore.Schema}.mt_event_progression where name like @name),
                   (select last_updated from {WorkflowStore.Schema}.mt_event_progression where name like @name),
                   (select coalesce(max(seq_id), 0) from {WorkflowStore.Schema}.mt_events)
            """);
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
