using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
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

    private static readonly DateOnly From = new(2024, 1, 1), To = new(2024, 12, 31);

    public static async Task<int> RunAsync(Options options, string workflowsPath, string? connectionString, TextWriter output,
        CancellationToken cancellation = default)
    {
        await using var bench = await BenchStore.StartAsync(workflowsPath, connectionString, cancellation: cancellation);
        output.WriteLine($"PostgreSQL: {bench.Description}; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var shipped = bench.Catalog.Find(Samples.Procedure)!;
        output.WriteLine($"Recording {options.Cases:N0} enterprise registrations of 2024 with the decider and copying them in ...");
        var watch = Stopwatch.StartNew();
        var events = await History.CopyAsync(bench, History.EnterpriseRegistrations(shipped, bench.Catalog.Calendars, options.Cases),
            cancellation);
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
}
