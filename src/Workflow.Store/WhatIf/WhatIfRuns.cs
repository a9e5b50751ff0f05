using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Core.Statistics;
using Workflow.Core.WhatIf;
using Workflow.Store.Definitions;

namespace Workflow.Store.WhatIf;

/// <summary>A period with more cases than a what-if may replay at once (<see cref="WhatIfRuns.MaxCases"/>).</summary>
public sealed class WhatIfTooLarge(string message) : Exception(message);

/// <summary>
/// What-if from history against the store: reads the recorded cases of a procedure decided in a period and replays them
/// through a draft (<see cref="HistoryReplay"/>). The API, the CLI and the designers' workspace all call this class.
/// </summary>
/// <param name="configuration">Limits under <c>Workflow:WhatIf</c>: <c>MaxDays</c> a period may span (366) and <c>MaxCases</c> it may
/// hold (200,000).</param>
public sealed class WhatIfRuns(NpgsqlDataSource database, PinnedDefinitions definitions, ILogger<WhatIfRuns> log,
    IConfiguration? configuration = null)
{
    public int MaxDays { get; } = configuration?.GetValue("Workflow:WhatIf:MaxDays", 366) ?? 366;
    public int MaxCases { get; } = configuration?.GetValue("Workflow:WhatIf:MaxCases", 200_000) ?? 200_000;

    private static readonly JsonSerializerOptions Json =
        new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The events a replay reads: the submission, decisions, corrections and the clock; never reminders or desk work.</summary>
    private static readonly Dictionary<string, Type> Read = new Type[]
        {
            typeof(ApplicationSubmitted), typeof(StepOpened), typeof(StepApproved), typeof(StepRejected), typeof(StepReturned),
            typeof(ApplicationDeclaredComplete), typeof(CorrectionSubmitted), typeof(CaseClockStopped), typeof(CaseClockResumed),
            typeof(CaseDeadlineMissed), typeof(DeadlineRecalculated), typeof(ApplicationMigrated), typeof(ApplicationApproved),
            typeof(ApplicationRejected), typeof(ApplicationDeemedApproved), typeof(ApplicationWithdrawn), typeof(ApplicationLapsed),
        }
        .ToDictionary(t => ApplicationEvents.Aliases[t])
        .Append(KeyValuePair.Create(ApplicationDeclaredCompleteV1.StoredAs, typeof(ApplicationDeclaredCompleteV1)))
        .ToDictionary();

    /// <summary>Checks a draft's text like a file of workflows/; throws <see cref="DefinitionException"/> with every problem.</summary>
    public WorkflowDefinition Check(string fileName, string text) => definitions.Catalog.Check(fileName, text);

    /// <summary>
    /// Replays the cases of <paramref name="workflowId"/> (the draft's own procedure when null) decided from the start of
    /// <paramref name="from"/> to the end of <paramref name="to"/>: local days, as the statistics count them (<see cref="Period"/>).
    /// </summary>
    public async Task<WhatIfResult> RunAsync(WorkflowDefinition draft, DateOnly from, DateOnly to, string? workflowId, string actor,
        CancellationToken cancellation = default)
    {
        if (to < from) throw new ArgumentException("the period ends before it starts", nameof(to));
        if (to.DayNumber - from.DayNumber + 1 > MaxDays)
            throw new ArgumentException($"a period spans at most {MaxDays} days", nameof(to));
        var id = workflowId ?? draft.Id;
        var calendars = definitions.Catalog.Calendars;
        var watch = Stopwatch.StartNew();
        var batches = await BatchesAsync(id, from, to, cancellation);
        var replays = new ConcurrentBag<CaseReplay>();
        // Each case is independent and its replay pure: batches of cases are read on connections of their own while the cores
        // deserialise and replay the batches already read, so the database and the replay work at once.
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = Readers, CancellationToken = cancellation },
            async (batch, token) =>
            {
                foreach (var (caseId, rows) in await RowsAsync(batch, token))
                    if (CaseHistory.From(caseId, Events(rows), calendars) is { } history)
                        replays.Add(HistoryReplay.Replay(history, draft, calendars));
            });
        var result = WhatIfResult.Compare([.. replays.OrderBy(r => r.TrackingNumber, StringComparer.Ordinal)], draft, id, from, to);
        log.LogInformation("What-if of {WorkflowId} through draft version {DraftVersion} over {From} to {To} by {Actor}: " +
                           "{Cases} cases, {Unmappable} unmappable, on time {ActualOnTime} actually and {DraftOnTime} in the draft, " +
                           "in {ElapsedMs} ms", id, draft.Version, from, to, actor, result.Actual.Cases, result.Unmappable.Length,
            result.Actual.OnTime, result.Draft.OnTime, watch.ElapsedMilliseconds);
        return result;
    }

    /// <summary>The events of every case of the procedure decided in the period, one case at a time in stream order.</summary>
    public async IAsyncEnumerable<(Guid Id, List<object> Events)> CasesAsync(string workflowId, DateOnly from, DateOnly to,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation = default)
    {
        foreach (var batch in await BatchesAsync(workflowId, from, to, cancellation))
        foreach (var (id, rows) in await RowsAsync(batch, cancellation))
            yield return (id, Events(rows));
    }

    /// <summary>Cases read with one statement; enough to keep a connection busy, few enough to spread over the cores.</summary>
    private const int BatchSize = 1_000;

    /// <summary>Batches read at once: one per core and as many again to cover the time each spends waiting on the database.</summary>
    private static int Readers => Math.Clamp(Environment.ProcessorCount * 2, 2, 16);

    private static List<object> Events(List<(string Type, string Data)> rows) =>
        [.. rows.Select(r => JsonSerializer.Deserialize(r.Data, Read[r.Type], Json) switch
        {
            ApplicationDeclaredCompleteV1 v1 => v1.Upcast(),
            var e => e!,
        })];

    /// <summary>
    /// The cases of the procedure decided in the period, in batches of <see cref="BatchSize"/>; refused before anything is read
    /// when there are more than <see cref="MaxCases"/>.
    /// </summary>
    private async Task<List<Guid[]>> BatchesAsync(string workflowId, DateOnly from, DateOnly to, CancellationToken cancellation)
    {
        var period = new Period(PeriodKind.Custom, from, to);
        var schema = WorkflowStore.Schema;
        await using var command = database.CreateCommand($"""
            with ends as (
              select stream_id from {schema}.mt_events
              where type in ('application_approved', 'application_rejected', 'application_deemed_approved')
                and (data->>'at')::timestamptz >= @from and (data->>'at')::timestamptz < @to)
            select distinct s.stream_id from {schema}.mt_events s join ends using (stream_id)
            where s.type = 'application_submitted' and s.data->>'workflowId' = @workflow
            order by s.stream_id limit @limit
            """);
        command.CommandTimeout = 0;
        command.Parameters.AddWithValue("from", period.Start.ToUniversalTime());
        command.Parameters.AddWithValue("to", period.End.ToUniversalTime());
        command.Parameters.AddWithValue("workflow", workflowId);
        command.Parameters.AddWithValue("limit", MaxCases + 1);
        var ids = new List<Guid>();
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
            while (await reader.ReadAsync(cancellation))
                ids.Add(reader.GetGuid(0));
        if (ids.Count > MaxCases)
            throw new WhatIfTooLarge($"the period holds more than {MaxCases:N0} decided cases of {workflowId}; choose a shorter one");
        return [.. ids.Chunk(BatchSize)];
    }

    /// <summary>The stored type and JSON of the events a replay reads of a batch of cases, one case at a time in stream order.</summary>
    private async Task<List<(Guid Id, List<(string Type, string Data)> Rows)>> RowsAsync(Guid[] batch, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"""
            select stream_id, type, data::text from {WorkflowStore.Schema}.mt_events
            where stream_id = any(@cases) and type = any(@types) order by stream_id, version
            """);
        command.CommandTimeout = 0;
        command.Parameters.AddWithValue("cases", batch);
        command.Parameters.AddWithValue("types", Read.Keys.ToArray());
        var cases = new List<(Guid, List<(string, string)>)>(batch.Length);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var current = Guid.Empty;
        List<(string, string)> rows = [];
        while (await reader.ReadAsync(cancellation))
        {
            var stream = reader.GetGuid(0);
            if (stream != current) cases.Add((current = stream, rows = []));
            rows.Add((reader.GetString(1), reader.GetString(2)));
        }
        return cases;
    }
}
