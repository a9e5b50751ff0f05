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

var checkedApplications = Number("--applications", "applications in the store, each exactly what its events fold into (default 100,000)");
var projections = new Command("projections",
        "The whole-store projection check against a raw read of the same events and read models, and its memory")
    { quick, workflows, connection, checkedApplications, rounds };
projections.SetAction((parse, cancellation) =>
{
    var preset = parse.GetValue(quick) ? ProjectionsBenchmark.Options.Quick : ProjectionsBenchmark.Options.Full;
    var options = preset with
    {
        Applications = parse.GetValue(checkedApplications) ?? preset.Applications,
        Rounds = parse.GetValue(rounds) ?? preset.Rounds,
    };
    return ProjectionsBenchmark.RunAsync(options, Folder(parse), parse.GetValue(connection), Console.Out, cancellation);
});

var cases = Number("--cases", "enterprise registrations recorded through 2024 (default 100,000)");
var whatIf = new Command("what-if",
        "What-if from history over a year of cases against the raw read of the same events, and checking a draft")
    { quick, workflows, connection, cases, rounds };
whatIf.SetAction((parse, cancellation) =>
{
    var preset = parse.GetValue(quick) ? WhatIfBenchmark.Options.Quick : WhatIfBenchmark.Options.Full;
    var options = preset with { Cases = parse.GetValue(cases) ?? preset.Cases, Rounds = parse.GetValue(rounds) ?? preset.Rounds };
    return WhatIfBenchmark.RunAsync(options, Folder(parse), parse.GetValue(connection), Console.Out, cancellation);
});

var clientCounts = new Option<int[]?>("--clients")
    { Description = "concurrent clients of each row (default 1 8 32)", AllowMultipleArgumentsPerToken = true };
var environment = new Option<string?>("--environment") { Description = "the API's environment (default Production)" };
var applicationCount = Number("--applications", "applications received and approved per setting (default 10,000)");
var readyToRunApi = new Option<string?>("--ready-to-run-api")
{
    Description = "the API published with ReadyToRun code (dotnet publish src/Workflow.Api -c Release -r linux-x64 " +
                  "--self-contained false -p:PublishReadyToRun=true -o DIR), measured as rows of its own; without it they are left out",
};
var settingCount = Number("--settings", "only the first N settings: the runtimeconfig, then as it was before (default: all)");
var caseFileFormat = new Option<string>("--format")
{
    Description = "the case file read: json (default) or html, the printable report", DefaultValueFactory = _ => "json",
};
caseFileFormat.AcceptOnlyFromAmong("json", "html");
var memoryCommand = new Command("memory",
    "The API's resident memory, and where it is, under each runtime setting, after many applications and case-file reads")
    { quick, workflows, connection, applicationCount, api, readyToRunApi, settingCount, caseFileFormat };
memoryCommand.SetAction((parse, cancellation) =>
{
    var preset = parse.GetValue(quick) ? MemoryBenchmark.Options.Quick : MemoryBenchmark.Options.Full;
    var options = preset with
    {
        Applications = parse.GetValue(applicationCount) ?? preset.Applications, ReadyToRunApi = parse.GetValue(readyToRunApi),
        Format = parse.GetValue(caseFileFormat)!,
    };
    var settings = MemoryBenchmark.Settings.Take(parse.GetValue(settingCount) ?? MemoryBenchmark.Settings.Count).ToList();
    return MemoryBenchmark.RunAsync(options, Folder(parse), parse.GetValue(connection), parse.GetValue(api) ?? Paths.Api(), Console.Out,
        settings, cancellation);
});

var dataDirectory = new Option<string?>("--data-directory")
{
    Description = "the data folder of the server given by --connection, when it runs on this machine: its CPU is metered from its postmaster.pid",
};
var statementsOption = new Option<bool>("--statements")
{
    Description = "each operation's statements on the server per operation (calls, rows, execution and planning time), " +
                  "from pg_stat_statements, which the server must load (shared_preload_libraries)",
};
var http = new Command("http", "The API as a process over HTTP: submit, approve, read and inbox beside raw INSERT+COMMIT")
    { quick, workflows, connection, dataDirectory, operations, rounds, warmup, clientCounts, environment, api, statementsOption };
http.SetAction((parse, cancellation) =>
{
    var preset = parse.GetValue(quick) ? HttpBenchmark.Options.Quick : HttpBenchmark.Options.Full;
    var options = preset with
    {
        Operations = parse.GetValue(operations) ?? preset.Operations,
        Rounds = parse.GetValue(rounds) ?? preset.Rounds,
        Warmup = parse.GetValue(warmup) ?? preset.Warmup,
        Clients = parse.GetValue(clientCounts) is { Length: > 0 } c ? c : preset.Clients,
        Environment = parse.GetValue(environment) ?? preset.Environment,
        Statements = parse.GetValue(statementsOption),
    };
    return HttpBenchmark.RunAsync(options, Folder(parse), parse.GetValue(connection), parse.GetValue(api) ?? Paths.Api(), Console.Out,
        parse.GetValue(dataDirectory), cancellation);
});

var applications = Number("--applications", "applications in the store (default 100,000; the scale target is 1,000,000)");
var agencySteps = Number("--agency-steps", "open steps of the large agency (default 10,000)");
var reads = Number("--reads", "reads per measurement (default 1,000)");
var readers = Number("--readers", "concurrent readers of the inbox (default 20)");
var inbox = new Command("inbox", "The agency inbox, the desk page and the tracking page in a large store, against hand-written SQL")
    { quick, workflows, connection, applications, agencySteps, reads, readers, rounds, api };
inbox.SetAction((parse, cancellation) =>
{
    var preset = parse.GetValue(quick) ? InboxBenchmark.Options.Quick : InboxBenchmark.Options.Full;
    var options = preset with
    {
        Applications = parse.GetValue(applications) ?? preset.Applications,
        AgencySteps = parse.GetValue(agencySteps) ?? preset.AgencySteps,
        Reads = parse.GetValue(reads) ?? preset.Reads,
        Readers = parse.GetValue(readers) ?? preset.Readers,
        Rounds = parse.GetValue(rounds) ?? preset.Rounds,
    };
    return InboxBenchmark.RunAsync(options, Folder(parse), parse.GetValue(connection), parse.GetValue(api) ?? Paths.Api(), Console.Out,
        cancellation);
});

var profile = new Command("profile", "Where a command's time goes: round trips, time in PostgreSQL and in .NET, allocations")
    { quick, workflows, connection, operations, rounds, warmup };
profile.SetAction((parse, cancellation) =>
{
    var preset = parse.GetValue(quick) ? ProfileBenchmark.Options.Quick : ProfileBenchmark.Options.Full;
    var options = preset with
    {
        Operations = parse.GetValue(operations) ?? preset.Operations,
        Rounds = parse.GetValue(rounds) ?? preset.Rounds,
        Warmup = parse.GetValue(warmup) ?? preset.Warmup,
    };
    return ProfileBenchmark.RunAsync(options, Folder(parse), parse.GetValue(connection), Console.Out, cancellation);
});

var nodeCounts = new Option<int[]?>("--nodes")
    { Description = "API nodes of each run (default 1 2 3)", AllowMultipleArgumentsPerToken = true };
var seconds = new Option<double?>("--seconds") { Description = "seconds each run drives the nodes (default 30)" };
var clusterClients = Number("--cluster-clients", "concurrent clients (default 16)");
var cluster = new Command("cluster", "Several API nodes on one PostgreSQL behind a reverse proxy; one killed under load in the last run")
    { quick, workflows, connection, nodeCounts, seconds, clusterClients, api };
cluster.SetAction((parse, cancellation) =>
{
    var preset = parse.GetValue(quick) ? ClusterBenchmark.Options.Quick : ClusterBenchmark.Options.Full;
    var options = preset with
    {
        Nodes = parse.GetValue(nodeCounts) is { Length: > 0 } n ? n : preset.Nodes,
        Seconds = parse.GetValue(seconds) ?? preset.Seconds,
        Clients = parse.GetValue(clusterClients) ?? preset.Clients,
    };
    return ClusterBenchmark.RunAsync(options, Folder(parse), parse.GetValue(connection), parse.GetValue(api) ?? Paths.Api(), Console.Out,
        cancellation);
});

var rate = Number("--events-per-second", "events written per second while the daemon runs (default 1,000)");
var loadSeconds = Number("--seconds", "how long the steady load lasts (default 30)");
var yearApplications = Number("--year-applications", "case facts of one year for the dashboard query (default 1,000,000)");
var queryRounds = Number("--query-rounds", "rounds of each dashboard query (default 20)");
var factsApplications = Number("--facts-applications",
    "of those, how many the former path over the facts is timed at (default 100,000)");
var statistics = new Command("statistics", "The async projection's lag under a steady load, the dashboard query over a year, " +
                                           "and the public transparency page of a running API")
    { quick, workflows, connection, rate, loadSeconds, yearApplications, queryRounds, factsApplications, api };
statistics.SetAction((parse, cancellation) =>
{
    var preset = parse.GetValue(quick) ? StatisticsBenchmark.Options.Quick : StatisticsBenchmark.Options.Full;
    var options = preset with
    {
        EventsPerSecond = parse.GetValue(rate) ?? preset.EventsPerSecond,
        Seconds = parse.GetValue(loadSeconds) ?? preset.Seconds,
        Applications = parse.GetValue(yearApplications) ?? preset.Applications,
        QueryRounds = parse.GetValue(queryRounds) ?? preset.QueryRounds,
        FactsApplications = parse.GetValue(factsApplications) ?? preset.FactsApplications,
    };
    return StatisticsBenchmark.RunAsync(options, Folder(parse), parse.GetValue(connection), parse.GetValue(api) ?? Paths.Api(), Console.Out,
        cancellation);
});

var checkApplications = Number("--applications", "applications recorded through 2024 (default 100,000)");
var cli = new Option<string?>("--cli") { Description = "the built workflow tool that is run; default: the one built with this project" };
var statsCheck = new Command("stats-check", "`workflow stats --check` on a varied year of applications: the projection's catch-up, " +
                                            "three checks by the real tool, and a negative control")
    { quick, workflows, connection, checkApplications, cli };
statsCheck.SetAction((parse, cancellation) =>
{
    var preset = parse.GetValue(quick) ? StatisticsCheckBenchmark.Options.Quick : StatisticsCheckBenchmark.Options.Full;
    var options = preset with { Applications = parse.GetValue(checkApplications) ?? preset.Applications };
    return StatisticsCheckBenchmark.RunAsync(options, Folder(parse), parse.GetValue(connection), parse.GetValue(cli) ?? StatisticsCheckBenchmark.Cli(),
        Console.Out, cancellation);
});

var micro = new Command("micro", "BenchmarkDotNet: working-day maths, the decider, canonical hashing, each against a baseline") { quick };
micro.SetAction(parse => MicroBenchmarks.Run(parse.GetValue(quick), Console.Out));

var searchApplications = Number("--applications", "applications in the store (default 100,000)");
var searches = Number("--reads", "searches per measurement (default 200)");
var approvals = Number("--approvals", "approvals per measurement of the indexes' write cost (default 300)");
var search = new Command("search",
        "The auditors' case search by each criterion at scale, beside hand-written SQL and the query before its indexes, and " +
        "what the indexes cost an approval")
    { quick, workflows, connection, searchApplications, searches, rounds, approvals };
search.SetAction((parse, cancellation) =>
{
    var preset = parse.GetValue(quick) ? OversightSearchBenchmark.Options.Quick : OversightSearchBenchmark.Options.Full;
    var options = preset with
    {
        Applications = parse.GetValue(searchApplications) ?? preset.Applications,
        Reads = parse.GetValue(searches) ?? preset.Reads,
        Rounds = parse.GetValue(rounds) ?? preset.Rounds,
        Approvals = parse.GetValue(approvals) ?? preset.Approvals,
    };
    return OversightSearchBenchmark.RunAsync(options, Folder(parse), parse.GetValue(connection), Console.Out, cancellation);
});

var root = new RootCommand("Benchmarks of the routing engine; run with -c Release. Each prints its tables, then one JSON line.")
    { commands, deadlines, oversight, projections, search, whatIf, statistics, statsCheck, http, inbox, profile, cluster, memoryCommand, micro };
return await root.Parse(args).InvokeAsync();

/// <summary>The runners' entry point, internal: the test project also sees the API's public Program.</summary>
internal partial class Program;
