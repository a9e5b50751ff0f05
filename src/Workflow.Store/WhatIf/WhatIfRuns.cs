using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
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

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The events a replay reads: the case's submission, decisions, corrections and clock; never reminders or desk work.</summary>
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

    /// <summary>Checks a draft's text like a file of the workflows folder; throws <see cref="DefinitionException"/> with every problem.</summary>
    public WorkflowDefinition Check(string fileName, string text) => definitions.Catalog.Check(fileName, text);

    /// <summary>
    /// Replays the cases of <paramref name="workflowId"/> (the draft's own procedure when null) decided from the start of
    /// <paramref name="from"/> to the end of <paramref name="to"/>, local days of the national calendar.
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
        var replays = new ConcurrentBag<CaseReplay>();
        var cases = Channel.CreateBounded<(Guid Id, List<object> Events)>(new BoundedChannelOptions(2_000) { SingleWriter = true });
        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var c in CasesAsync(id, from, to, cancellation)) await cases.Writer.WriteAsync(c, cancellation);
                cases.Writer.Complete();
            }
            catch (Exception e)
            {
                cases.Writer.Complete(e);
            }
        }, cancellation);
        // The replay is pure and each case independent: they run on every core while the next cases are read.
        await Parallel.ForEachAsync(cases.Reader.ReadAllAsync(cancellation), cancellation, (c, _) =>
        {
            if (CaseHistory.From(c.Id, c.Events, calendars) is { } history) replays.Add(HistoryReplay.Replay(history, draft, calendars));
            return ValueTask.CompletedTask;
        });
        await reading;
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
        var zone = definitions.Catalog.Calendars.ForCentre("", new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)).Zone;
        DateTimeOffset Start(DateOnly day) =>
            new(day.ToDateTime(TimeOnly.MinValue), zone.GetUtcOffset(day.ToDateTime(TimeOnly.MinValue)));
        var schema = WorkflowStore.Schema;
        await using var command = database.CreateCommand($"""
            with ends as (
              select stream_id from {schema}.mt_events
              where type in ('application_approved', 'application_rejected', 'application_deemed_approved')
                and (data->>'at')::timestamptz >= @from and (data->>'at')::timestamptz < @to),
            cases as (
              select s.stream_id from {schema}.mt_events s join ends using (stream_id)
              where s.type = 'application_submitted' and s.data->>'workflowId' = @workflow)
            select e.stream_id, e.type, e.data::text from {schema}.mt_events e join cases using (stream_id)
            where e.type = any(@types) order by e.stream_id, e.version
            """);
        command.CommandTimeout = 0;
        command.Parameters.AddWithValue("from", Start(from).ToUniversalTime());
        command.Parameters.AddWithValue("to", Start(to.AddDays(1)).ToUniversalTime());
        command.Parameters.AddWithValue("workflow", workflowId);
        command.Parameters.AddWithValue("types", Read.Keys.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var current = Guid.Empty;
        var events = new List<object>();
        var count = 0;
        while (await reader.ReadAsync(cancellation))
        {
            var stream = reader.GetGuid(0);
            if (stream != current)
            {
                if (events.Count > 0) yield return (current, events);
                if (++count > MaxCases)
                    throw new WhatIfTooLarge($"the period holds more than {MaxCases:N0} decided cases of {workflowId}; choose a shorter one");
                (current, events) = (stream, []);
            }
            var e = JsonSerializer.Deserialize(reader.GetString(2), Read[reader.GetString(1)], Json)!;
            events.Add(e is ApplicationDeclaredCompleteV1 v1 ? v1.Upcast() : e);
        }
        if (events.Count > 0) yield return (current, events);
    }
}
