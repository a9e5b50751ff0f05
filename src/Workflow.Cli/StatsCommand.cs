using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Core.Definitions;
using Workflow.Core.Statistics;
using Workflow.Store.Audit;
using Workflow.Store.Statistics;

namespace Workflow.Cli;

/// <summary>
/// <c>workflow stats</c>: the same indicator table as <c>GET /api/statistics</c>, read from the store's running totals;
/// with <c>--check</c>, every figure recomputed from the raw events by code that does not read the projection, compared
/// with those the totals give and with each case's projected facts, and every difference printed (exit code 1 when there
/// is any).
/// </summary>
public static class StatsCommand
{
    /// <summary>As the API writes JSON: camel case, enums as kebab-case text.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        WriteIndented = true,
    };

    public static Command Create()
    {
        var from = new Option<string?>("--from") { Description = "first day, such as 2026-01-01 (required but with --rebuild)" };
        var to = new Option<string?>("--to") { Description = "last day (included), such as 2026-12-31 (required but with --rebuild)" };
        var period = new Option<string?>("--period") { Description = "day, month (default), quarter, year or custom (the whole range)" };
        var centre = new Option<string?>("--centre") { Description = "only this centre" };
        var agency = new Option<string?>("--agency") { Description = "only the steps of this agency" };
        var workflow = new Option<string?>("--workflow") { Description = "only this procedure (its id)" };
        var step = new Option<string?>("--step") { Description = "only this step" };
        var by = new Option<string?>("--by") { Description = "break down by centre, agency, procedure, step (comma separated)" };
        var format = new Option<string>("--format") { Description = "json or csv", DefaultValueFactory = _ => "json" };
        format.AcceptOnlyFromAmong("json", "csv");
        var check = new Option<bool>("--check")
        {
            Description = "recompute every figure from the raw events without the projection and print each difference",
        };
        var rebuild = new Option<bool>("--rebuild")
        {
            Description = "fold every event again into the case facts and the totals, with the calendars of the store's catalogue " +
                          "(after a calendar change for past days); refused while a server's statistics daemon runs",
        };
        var workflows = Connection.Workflows(orStore: true);
        var connection = Connection.Option();
        var command = new Command("stats", "Print the indicators of a period from the store (JSON or CSV); --check recomputes them " +
                                            "from the raw events: exit code 0 when equal, 1 when any figure differs, 2 for usage errors; " +
                                            "--rebuild projects them again from nothing")
            { from, to, period, centre, agency, workflow, step, by, format, check, rebuild, workflows, connection };
        command.SetAction(async (parse, cancellation) =>
        {
            if (parse.GetValue(rebuild))
            {
                Option[] others = [from, to, period, centre, agency, workflow, step, by, format, check, workflows];
                if (others.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } other)
                    throw new CommandError($"--rebuild takes only --connection: {other.Name} does not apply (the rebuild counts with " +
                                           "the calendars of the store's catalogue, which the servers use)");
                return await RebuildAsync(parse.GetValue(connection), cancellation);
            }
            if (parse.GetValue(from) is null || parse.GetValue(to) is null)
                throw new CommandError("--from and --to are required (or --rebuild)");
            var errors = new Dictionary<string, string[]>();
            var query = StatisticsRequest.Parse(parse.GetValue(from)!, parse.GetValue(to)!, parse.GetValue(period), parse.GetValue(centre),
                parse.GetValue(agency), parse.GetValue(workflow), parse.GetValue(step), parse.GetValue(by), errors);
            if (query is null)
                throw new CommandError(string.Join(Environment.NewLine, errors.Select(e => $"--{Option(e.Key)}: {e.Value[0]}")));
            // Reading statistics appends no event, so the chain key the store's set-up asks for is never used: a stand-in
            // lets an evaluator without the key read and check the figures.
            if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ChainKey.Variable)))
                Environment.SetEnvironmentVariable(ChainKey.Variable, ChainKey.DevelopmentKey);
            var catalog = await Connection.CatalogueAsync(parse, workflows, connection, cancellation);
            await using var provider = await Connection.OpenAsync(parse.GetValue(connection), cancellation);
            if (provider is null) return 2;
            var reader = provider.GetRequiredService<StatisticsReader>();
            return parse.GetValue(check)
                ? await CheckAsync(reader, query, catalog, cancellation)
                : await PrintAsync(reader, query, parse.GetValue(format)!, cancellation);
        });
        return command;
    }

    /// <summary>
    /// The statistics projection folded again from nothing (<see cref="StatisticsRebuild"/>): exit code 0 when done, 2 when
    /// a server's daemon runs it or the store holds no catalogue.
    /// </summary>
    private static async Task<int> RebuildAsync(string? connection, CancellationToken cancellation)
    {
        // A rebuild appends no event: the chain key is never used (as for reading).
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ChainKey.Variable)))
            Environment.SetEnvironmentVariable(ChainKey.Variable, ChainKey.DevelopmentKey);
        await using var provider = await Connection.OpenForStatisticsAsync(connection, cancellation);
        if (provider is null) return 2;
        var rebuild = provider.GetRequiredService<StatisticsRebuild>();
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var done = await rebuild.RunAsync(
                p => Console.WriteLine($"{p.Sequence:N0} of {p.HighestSequence:N0} events folded ({started.Elapsed.TotalSeconds:N0} s)"),
                TimeSpan.FromSeconds(10), cancellation);
            Console.WriteLine($"rebuilt: the case facts and the totals count every event up to sequence {done.Sequence:N0} " +
                              $"({started.Elapsed.TotalSeconds:N1} s)");
            return 0;
        }
        catch (StatisticsDaemonRunning refused)
        {
            throw new CommandError(refused.Message);
        }
    }

    private static string Option(string field) => field == "workflowId" ? "workflow" : field;

    private static async Task<int> PrintAsync(StatisticsReader reader, StatisticsQuery query, string format, CancellationToken cancellation)
    {
        var report = await reader.ReportAsync(query, cancellation);
        Console.Write(format == "csv" ? IndicatorCsv.Write(report.Rows) : JsonSerializer.Serialize(report, Json) + Environment.NewLine);
        return 0;
    }

    private static async Task<int> CheckAsync(StatisticsReader reader, StatisticsQuery query, WorkflowCatalog catalog,
        CancellationToken cancellation)
    {
        // Both sides must see the same history: the totals and the projected facts are read between two readings of the
        // projection's progress, and read again when the daemon moved in between.
        ProjectionProgress before, after;
        IReadOnlyList<Tally> totals;
        IReadOnlyList<CaseFacts> projected;
        var attempts = 0;
        do
        {
            before = await reader.ProgressAsync(cancellation);
            (_, totals) = await reader.TalliesAsync(query, cancellation);
            projected = await reader.FactsAsync(query, cancellation);
            after = await reader.ProgressAsync(cancellation);
        } while (before.Sequence != after.Sequence && ++attempts < 10);
        var recomputed = await reader.RecomputeAsync(after.Sequence, cancellation);
        // What the API serves (summed from the running totals) against the calculator over the facts folded again.
        var differences = Indicators.Differences(Indicators.Compute(recomputed, query, catalog.Calendars),
            TallyTable.Compute(totals, query)).ToList();
        var whole = new Period(PeriodKind.Custom, query.From, query.To);
        var index = QualityIndex.Of(query.Touching(recomputed), whole, catalog.Calendars);
        var served = TallyTable.Index(totals, query);
        differences.AddRange(index.Except(served).Select(i => $"index {i.Scope} {i.Id}: {i} (recomputed) differs from the projection"));
        differences.AddRange(served.Except(index).Select(i => $"index {i.Scope} {i.Id}: {i} (projection) differs from the recomputed"));
        var theirs = projected.ToDictionary(f => f.Id);
        foreach (var facts in query.Touching(recomputed))
        {
            var mine = JsonSerializer.Serialize(facts, Json);
            if (!theirs.Remove(facts.Id, out var other)) differences.Add($"case {facts.Id}: not in the projection");
            else if (JsonSerializer.Serialize(other, Json) != mine) differences.Add($"case {facts.Id}: its projected facts differ");
        }
        differences.AddRange(theirs.Keys.Select(id => $"case {id}: in the projection only"));
        foreach (var line in differences) Console.WriteLine(line);
        Console.WriteLine(differences.Count == 0
            ? $"equal: every figure of {query.From:yyyy-MM-dd}..{query.To:yyyy-MM-dd} recomputed from the events up to " +
              $"sequence {after.Sequence} matches the projection ({after.Behind} newer events not yet projected)"
            : $"{differences.Count} difference(s) between the raw events and the projection, up to sequence {after.Sequence}");
        return differences.Count == 0 ? 0 : 1;
    }
}
