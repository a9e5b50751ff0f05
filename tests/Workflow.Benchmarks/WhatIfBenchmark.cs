using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using NpgsqlTypes;
using Workflow.Core.Applications;
using Workflow.Core.Calendars;
using Workflow.Core.Definitions;
using Workflow.Store;
using Workflow.Store.WhatIf;

namespace Workflow.Benchmarks;

/// <summary>
/// What-if from history over a year of enterprise registrations, beside the raw read and deserialisation of the same
/// events in the same run; and the check of a draft (what a designer waits for when saving one) beside parsing it alone.
/// The history is made by the real decider with varied working days, returns and rejections, and copied into the store.
/// The replay through the unchanged version must reproduce the actual figures on every case.
/// </summary>
public static class WhatIfBenchmark
{
    public sealed record Options(int Cases, int Rounds, int Checks)
    {
        public static Options Full => new(100_000, 3, 300);
        public static Options Quick => new(300, 1, 20);
    }

    private static readonly JsonSerializerOptions Json =
        new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static readonly DateOnly From = new(2024, 1, 1), To = new(2024, 12, 31);

    public static async Task<int> RunAsync(Options options, string workflowsPath, string? connectionString, TextWriter output,
        CancellationToken cancellation = default)
    {
        await using var bench = await BenchStore.StartAsync(workflowsPath, connectionString, cancellation: cancellation);
        output.WriteLine($"PostgreSQL: {bench.Description}; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var shipped = bench.Catalog.Find(Samples.Procedure)!;
        output.WriteLine($"Recording {options.Cases:N0} enterprise registrations of 2024 with the decider and copying them in ...");
        var watch = Stopwatch.StartNew();
        var events = await HistoryAsync(bench, shipped, options.Cases, cancellation);
        output.WriteLine($"  {events:N0} events in {watch.Elapsed.TotalSeconds:N0} s");

        var runs = bench.Services.GetRequiredService<WhatIfRuns>();
        var draftText = Shorter(shipped.SourceText);
        var draft = runs.Check("draft.yaml", draftText);
        var unchanged = await runs.RunAsync(shipped, From, To, null, "bench", cancellation);
        var reproduces = JsonSerializer.Serialize(unchanged.Draft) == JsonSerializer.Serialize(unchanged.Actual)
                         && unchanged.Unmappable.IsEmpty && unchanged.Changed.IsEmpty;

        var read = new List<double>();
        var replay = new List<double>();
        Core.WhatIf.WhatIfResult? result = null;
        long readEvents = 0;
        for (var round = 0; round < options.Rounds; round++)
        {
            watch.Restart();
            readEvents = 0;
            await foreach (var c in runs.CasesAsync(Samples.Procedure, From, To, cancellation)) readEvents += c.Events.Count;
            read.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            result = await runs.RunAsync(draft, From, To, null, "bench", cancellation);
            replay.Add(watch.Elapsed.TotalMilliseconds);
        }
        var (readMs, replayMs) = (Statistics.Median(read), Statistics.Median(replay));

        // Checking a draft as the API and the designers' page do, against parsing the same text with no rule checked.
        var parse = new List<double>();
        var check = new List<double>();
        for (var i = -5; i < options.Checks; i++)
        {
            watch.Restart();
            _ = DefinitionParser.ParseDefinition("draft.yaml", draftText, []);
            var parsed = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            _ = runs.Check("draft.yaml", draftText);
            var checkedMs = watch.Elapsed.TotalMilliseconds;
            if (i < 0) continue;
            parse.Add(parsed);
            check.Add(checkedMs);
        }

        var cases = result!.Actual.Cases;
        output.WriteLine();
        output.WriteLine("| what-if over a year | cases | events | raw read + deserialise (median ms) | what-if (median ms) | ratio |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        output.WriteLine($"| {options.Rounds} rounds | {cases:N0} | {readEvents:N0} | {readMs:N0} | {replayMs:N0} " +
                         $"| {Statistics.Ratio(replayMs, readMs):N2} |");
        output.WriteLine($"On time: {result.Actual.OnTime:N0} actually, {result.Draft.OnTime:N0} with the draft (legal deadline " +
                         $"{result.DraftDeadlineDays} working days); bottleneck {result.Actual.Bottleneck} -> " +
                         $"{result.Draft.Bottleneck}; " +
                         $"{result.Unmappable.Length} unmappable.");
        output.WriteLine(reproduces
            ? "The unchanged version reproduces the actual figures."
            : $"The unchanged version does NOT reproduce the actual figures! {JsonSerializer.Serialize(unchanged)}");
        output.WriteLine();
        output.WriteLine("| checking a draft | checks | parse only p50 ms | p99 ms | check p50 ms | p99 ms | ratio (p50) |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        output.WriteLine($"| {draft.Id} | {check.Count} | {Statistics.Median(parse):N2} | {Statistics.Percentile(parse, 0.99):N2} " +
                         $"| {Statistics.Median(check):N2} | {Statistics.Percentile(check, 0.99):N2} " +
                         $"| {Statistics.Ratio(Statistics.Median(check), Statistics.Median(parse)):N2} |");

        Report.Print(output, new
        {
            benchmark = "what-if",
            store = bench.Description,
            machine = Report.Machine,
            options,
            whatIf = new
            {
                cases, events = readEvents, unmappable = result.Unmappable.Length, reproduces,
                readMedianMs = Report.Round(readMs), whatIfMedianMs = Report.Round(replayMs), ratio = Statistics.Ratio(replayMs, readMs),
                actualOnTime = result.Actual.OnTime, draftOnTime = result.Draft.OnTime,
            },
            check = new
            {
                checks = check.Count,
                parseP50Ms = Report.Round(Statistics.Median(parse)), parseP99Ms = Report.Round(Statistics.Percentile(parse, 0.99)),
                checkP50Ms = Report.Round(Statistics.Median(check)), checkP99Ms = Report.Round(Statistics.Percentile(check, 0.99)),
            },
        });
        return reproduces ? 0 : 1;
    }

    /// <summary>The draft the designers try: the legal deadline 15 working days instead of 17, registration 8 instead of 10.</summary>
    private static string Shorter(string text) => text.Replace("deadline: 17 working days", "deadline: 15 working days")
        .Replace("deadline: 10 working days\n    approve: [seal", "deadline: 8 working days\n    approve: [seal");

    /// <summary>
    /// Cases received through 2024, each decided by the real decider at varied instants (agencies sometimes late), with a
    /// return in about one in ten and a rejection in about one in twenty, copied into the event table with one statement.
    /// </summary>
    private static async Task<long> HistoryAsync(BenchStore bench, WorkflowDefinition definition, int cases,
        CancellationToken cancellation)
    {
        var calendars = bench.Catalog.Calendars;
        var schema = WorkflowStore.Schema;
        await using var connection = await bench.Database.OpenConnectionAsync(cancellation);
        await using (var create = new Npgsql.NpgsqlCommand("create temporary table bench_history " +
                         "(stream_id uuid, version bigint, type text, data jsonb, dotnet text)", connection))
            await create.ExecuteNonQueryAsync(cancellation);
        var random = new Random(13);
        long written = 0;
        await using (var copy = await connection.BeginBinaryImportAsync(
                         "copy bench_history (stream_id, version, type, data, dotnet) from stdin (format binary)", cancellation))
        {
            var first = new DateTimeOffset(2024, 1, 2, 8, 30, 0, TimeSpan.FromHours(7));
            for (var i = 0; i < cases; i++)
            {
                var received = calendars.ForCentre(Samples.Centre, first).AddWorkingDays(first, i * 230 / cases).AddHours(-7)
                    .AddMinutes(random.Next(0, 360));
                var version = 0;
                var id = Guid.CreateVersion7();
                foreach (var e in Case(id, definition, calendars, random, received))
                {
                    await copy.StartRowAsync(cancellation);
                    await copy.WriteAsync(id, NpgsqlDbType.Uuid, cancellation);
                    await copy.WriteAsync((long)++version, NpgsqlDbType.Bigint, cancellation);
                    await copy.WriteAsync(ApplicationEvents.Aliases[e.GetType()], NpgsqlDbType.Text, cancellation);
                    await copy.WriteAsync(JsonSerializer.Serialize(e, e.GetType(), Json), NpgsqlDbType.Jsonb, cancellation);
                    await copy.WriteAsync(e.GetType().FullName + ", Workflow.Core", NpgsqlDbType.Text, cancellation);
                    written++;
                }
            }
            await copy.CompleteAsync(cancellation);
        }
        await using (var insert = new Npgsql.NpgsqlCommand($"""
                         insert into {schema}.mt_streams (id, type, version, tenant_id)
                         select stream_id, null, max(version), '*DEFAULT*' from bench_history group by stream_id;
                         insert into {schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type)
                         select nextval('{schema}.mt_events_sequence'), gen_random_uuid(), stream_id, version, data, type, now(),
                                '*DEFAULT*', dotnet
                         from bench_history order by stream_id, version;
                         drop table bench_history;
                         """, connection) { CommandTimeout = 0 })
            await insert.ExecuteNonQueryAsync(cancellation);
        await bench.ExecuteAsync($"vacuum analyze {schema}.mt_events");
        return written;
    }

    /// <summary>One case as the command shell would record it: every open step decided in turn by its agency.</summary>
    private static List<object> Case(Guid id, WorkflowDefinition definition, CalendarCatalog calendars, Random random,
        DateTimeOffset received)
    {
        var events = new List<object>();
        Application? state = null;
        void Do(ApplicationCommand command, DateTimeOffset at)
        {
            // The sweeper records a missed legal deadline (the apology) before a later decision.
            if (state?.Clock is { Running: true, Missed: false } clock && at > clock.DueAt)
                Apply(new ReachDeadline(DeadlineScopes.Case, DeadlineScopes.System, clock.DueAt), at);
            Apply(command, at);
        }
        void Apply(ApplicationCommand command, DateTimeOffset at)
        {
            foreach (var e in Decider.Decide(command, state, definition, calendars.ForCentre(Samples.Centre, at), at))
            {
                state = Application.Evolve(state, e);
                events.Add(e);
            }
        }
        var data = Samples.Enterprise();
        data["has_employees"] = JsonSerializer.SerializeToElement(random.Next(2) == 0);
        Do(new SubmitApplication(id, $"ER-{id:N}"[..16], Samples.Centre, "counter", new Applicant("Bench"), data, Samples.Documents,
            Samples.Clerk), received);
        var planned = new Dictionary<(string, DateTimeOffset), DateTimeOffset>();
        for (var guard = 0; guard < 100 && !state!.IsFinished; guard++)
        {
            var calendar = calendars.ForCentre(Samples.Centre, received);
            if (state.Status == ApplicationStatus.AwaitingCorrection && !state.LiveSteps.Any(s => s.Status == StepStatus.Open))
            {
                var returned = state.Steps.Values.Where(s => s.Status == StepStatus.Returned).Max(s => s.ReturnedAt!.Value);
                Do(new SubmitCorrection(new Dictionary<string, JsonElement>(), [], "corrected", Samples.Clerk),
                    calendar.AddWorkingDays(returned, random.Next(1, 6)).AddHours(-5));
                continue;
            }
            foreach (var open in state.LiveSteps.Where(s => s.Status == StepStatus.Open && !planned.ContainsKey((s.StepId, s.OpenedAt))))
            {
                var allowed = definition.FindStep(open.StepId)!.DeadlineDays;
                var at = calendar.AddWorkingDays(open.OpenedAt, random.Next(0, allowed + 3)).AddHours(-random.Next(1, 7));
                planned[(open.StepId, open.OpenedAt)] = at < open.OpenedAt ? open.OpenedAt : at;
            }
            var (step, opened) = planned.Keys.Where(k => state.Steps[k.Item1] is { Status: StepStatus.Open } s && s.OpenedAt == k.Item2)
                .MinBy(k => planned[k]);
            var when = planned[(step, opened)];
            planned.Remove((step, opened));
            var roll = random.Next(100);
            var outcome = step == "register" && roll < 5 ? StepOutcome.Reject
                : step == "register" && roll < 15 && state.Returns == 0 ? StepOutcome.Return
                : StepOutcome.Approve;
            var agency = definition.FindStep(step)!.Agency;
            Do(new DecideStep(step, outcome, "recorded", null, new Actor("bench", "Bench", agency, "supervisor", Samples.Centre)), when);
        }
        return events;
    }
}
