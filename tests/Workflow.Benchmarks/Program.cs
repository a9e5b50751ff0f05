using System.CommandLine;
using Workflow.Benchmarks;
using Workflow.Benchmarks.Micro;

var quick = new Option<bool>("--quick") { Description = "a tiny run that only checks the benchmark works; its figures mean nothing" };
var workflows = new Option<string?>("--workflows") { Description = "the workflows folder; default: the repository's" };
var connection = new Option<string?>("--connection")
{
    Description = "PostgreSQL connection string; default: a private throwaway cluster with durable commits",
};

Option<int?> Number(string name, string description) => new(name) { Description = description };
string Folder(ParseResult parse) => parse.GetValue(workflows) ?? Paths.Workflows;

var operations = Number("--operations", "operations per measurement (default 2,000)");
var rounds = Number("--rounds", "rounds per measurement; the table shows medians (default 3)");
var warmup = Number("--warmup", "operations of each kind before measuring (default 3,000)");
var memory = Number("--memory-applications", "applications submitted before reading resident memory (default 10,000)");
var commands = new Command("commands", "Submit-and-route and approve-step through the command shell against raw INSERT+COMMIT")
    { quick, workflows, connection, operations, rounds, warmup, memory };
commands.SetAction((parse, cancellation) =>
{
    var preset = parse.GetValue(quick) ? CommandsBenchmark.Options.Quick : CommandsBenchmark.Options.Full;
    var options = preset with
    {
        Operations = parse.GetValue(operations) ?? preset.Operations,
        Rounds = parse.GetValue(rounds) ?? preset.Rounds,
        Warmup = parse.GetValue(warmup) ?? preset.Warmup,
        MemoryApplications = parse.GetValue(memory) ?? preset.MemoryApplications,
    };
    return CommandsBenchmark.RunAsync(options, Folder(parse), parse.GetValue(connection), Console.Out, cancellation);
});

var open = Number("--open", "open deadlines in the table (default 100,000)");
var due = Number("--due", "how many of them come due at the same instant (default 10,000)");
var starts = Number("--startup-rounds", "alternating API starts on each database; 0 skips start-up (default 5)");
var api = new Option<string?>("--api") { Description = "the built API whose start-up is timed; default: the one built with this project" };
var deadlines = new Command("deadlines", "The deadline sweep under a burst of due deadlines, and API start-up with many open deadlines")
    { quick, workflows, connection, open, due, starts, api };
deadlines.SetAction((parse, cancellation) =>
{
    var preset = parse.GetValue(quick) ? DeadlinesBenchmark.Options.Quick : DeadlinesBenchmark.Options.Full;
    var options = preset with
    {
        Open = parse.GetValue(open) ?? preset.Open,
        Due = parse.GetValue(due) ?? preset.Due,
        StartupRounds = parse.GetValue(starts) ?? preset.StartupRounds,
    };
    return DeadlinesBenchmark.RunAsync(options, Folder(parse), parse.GetValue(connection), parse.GetValue(api) ?? Paths.Api(), Console.Out,
        cancellation);
});

var streams = Number("--streams", "streams in the store for the verification run (default 100,000)");
var longCase = Number("--long-events", "events of the long case (default 1,000)");
var oversight = new Command("oversight", "Replay of a typical and a long case, and verification of the whole store")
    { quick, workflows, connection, streams, longCase };
oversight.SetAction((parse, cancellation) =>
{
    var preset = parse.GetValue(quick) ? OversightBenchmark.Options.Quick : OversightBenchmark.Options.Full;
    var options = preset with
    {
        Streams = parse.GetValue(streams) ?? preset.Streams,
        LongEvents = parse.GetValue(longCase) ?? preset.LongEvents,
    };
    return OversightBenchmark.RunAsync(options, Folder(parse), parse.GetValue(connection), Console.Out, cancellation);
});

var rate = Number("--events-per-second", "events written per second while the daemon runs (default 1,000)");
var seconds = Number("--seconds", "how long the steady load lasts (default 30)");
var applications = Number("--applications", "case facts of one year for the dashboard query (default 1,000,000)");
var statistics = new Command("statistics", "The async projection's lag under a steady load, the dashboard query over a year, " +
                                           "and the public transparency page of a running API")
    { quick, workflows, connection, rate, seconds, applications, api };
statistics.SetAction((parse, cancellation) =>
{
    var preset = parse.GetValue(quick) ? StatisticsBenchmark.Options.Quick : StatisticsBenchmark.Options.Full;
    var options = preset with
    {
        EventsPerSecond = parse.GetValue(rate) ?? preset.EventsPerSecond,
        Seconds = parse.GetValue(seconds) ?? preset.Seconds,
        Applications = parse.GetValue(applications) ?? preset.Applications,
    };
    return StatisticsBenchmark.RunAsync(options, Folder(parse), parse.GetValue(connection), parse.GetValue(api) ?? Paths.Api(), Console.Out,
        cancellation);
});

var micro = new Command("micro", "BenchmarkDotNet: working-day maths, the decider, canonical hashing, each against a baseline") { quick };
micro.SetAction(parse => MicroBenchmarks.Run(parse.GetValue(quick), Console.Out));

var root = new RootCommand("Benchmarks of the routing engine; run with -c Release. Each prints its tables, then one JSON line.")
    { commands, deadlines, oversight, statistics, micro };
return await root.Parse(args).InvokeAsync();
