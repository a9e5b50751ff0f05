using System.Diagnostics;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Store;
using Workflow.Store.Statistics;

namespace Workflow.Benchmarks;

/// <summary>
/// <c>workflow stats --check</c> at scale: a varied year of applications (every shipped procedure, several centres,
/// parallel steps, returns, rejections, escalations, ratings, withdrawals, lapses, cases still running at the end) made by
/// the real decider and copied into the store; the statistics projection's daemon catching up on all of it from nothing;
/// then the real tool, run as its user runs it, checking the projection against the raw events three ways. Last, a
/// negative control: one case's projected facts altered by SQL must make the check fail, naming that case.
/// </summary>
public static class StatisticsCheckBenchmark
{
    /// <param name="DayMonth">The month (of 2024) checked day by day.</param>
    public sealed record Options(int Applications, int DayMonth = 3)
    {
        public static Options Full => new(100_000);
        public static Options Quick => new(300);
    }

    public static readonly string[] Centres = ["VTE", "LPB", "SVK", "CPS", "XKH"];

    /// <summary>One run of the tool: what was asked, its exit code, how long it took and the last line it printed.</summary>
    public sealed record Check(string Name, string[] Arguments, int ExitCode, double Seconds, string LastLine, bool Passed);

    public sealed record CatchUp(long Events, double Seconds, double EventsPerSecond, bool CaughtUp);

    public static async Task<int> RunAsync(Options options, string workflowsPath, string? connectionString, string cliPath,
        TextWriter output, CancellationToken cancellation = default)
    {
        if (!File.Exists(cliPath)) throw new FileNotFoundException($"no workflow tool at {cliPath}: build this project in the same configuration");
        await using var bench = await BenchStore.StartAsync(workflowsPath, connectionString, cancellation: cancellation, statistics: true);
        output.WriteLine($"PostgreSQL: {bench.Description}; {Environment.ProcessorCount} cores, .NET {Environment.Version}");

        output.WriteLine($"Recording {options.Applications:N0} applications of 2024 with the decider and copying them in ...");
        var figures = new HistoryFigures();
        var watch = Stopwatch.StartNew();
        var written = await History.CopyAsync(bench, History.VariedYear(bench.Catalog, Centres, options.Applications, figures),
            cancellation);
        var generated = watch.Elapsed.TotalSeconds;
        output.WriteLine($"  {written:N0} events in {generated:N0} s");

        var catchUp = await CatchUpAsync(bench, cancellation);
        output.WriteLine($"  the projection caught up on {catchUp.Events:N0} events in {catchUp.Seconds:N1} s");

        var month = new DateOnly(2024, options.DayMonth, 1);
        (string Name, string[] Arguments)[] asked =
        [
            ("2024 by month (centre, procedure)", ["--from", "2024-01-01", "--to", "2024-12-31", "--period", "month"]),
            ("2024 by quarter, by agency and step", ["--from", "2024-01-01", "--to", "2024-12-31", "--period", "quarter", "--by", "agency,step"]),
            ($"{month:MMMM yyyy} by day, by centre and agency",
                ["--from", $"{month:yyyy-MM-dd}", "--to", $"{month.AddMonths(1).AddDays(-1):yyyy-MM-dd}", "--period", "day", "--by", "centre,agency"]),
        ];
        var checks = new List<Check>();
        foreach (var (name, arguments) in asked)
        {
            var check = await RunCheckAsync(cliPath, bench.ConnectionString, workflowsPath, name, arguments, cancellation);
            checks.Add(check);
            output.WriteLine($"  {name}: exit code {check.ExitCode} in {check.Seconds:N1} s");
        }

        var control = await NegativeControlAsync(bench, cliPath, workflowsPath, asked[0].Arguments, cancellation);
        output.WriteLine($"  negative control: exit code {control.Check.ExitCode}, " +
                         $"{(control.Check.Passed ? "the altered case was named" : "the altered case was NOT caught")}");

        output.WriteLine();
        output.WriteLine("| history of 2024 | applications | events | procedures | centres | returns (cases returned twice or more) " +
                         "| rejected | withdrawn | lapsed | escalations (acknowledged) | ratings | running at the end (overdue) |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        output.WriteLine($"| generated in {generated:N0} s | {figures.Applications:N0} | {figures.Events:N0} | {figures.Procedures.Count} " +
                         $"| {figures.Centres.Count} | {figures.Returns:N0} ({figures.ReturnedTwiceOrMore:N0}) | {figures.Rejected:N0} " +
                         $"| {figures.Withdrawn:N0} | {figures.Lapsed:N0} | {figures.Escalations:N0} ({figures.Acknowledged:N0}) " +
                         $"| {figures.Ratings:N0} | {figures.RunningAtEnd:N0} ({figures.OverdueAtEnd:N0}) |");
        output.WriteLine($"Also {figures.Apologies:N0} missed legal deadlines (apologies) and {figures.DeemedApproved:N0} deemed approvals " +
                         "(no shipped procedure grants deemed approval).");
        output.WriteLine();
        output.WriteLine("| projection catch-up from nothing | events | seconds | events per s | caught up |");
        output.WriteLine("|---|---:|---:|---:|---|");
        output.WriteLine($"| async daemon, statistics only | {catchUp.Events:N0} | {catchUp.Seconds:N1} | {catchUp.EventsPerSecond:N0} " +
                         $"| {(catchUp.CaughtUp ? "yes" : "no")} |");
        output.WriteLine();
        output.WriteLine("| `workflow stats --check` | exit code | seconds | verdict | last line printed |");
        output.WriteLine("|---|---:|---:|---|---|");
        foreach (var check in checks.Append(control.Check))
            output.WriteLine($"| {check.Name} | {check.ExitCode} | {check.Seconds:N1} | {(check.Passed ? "as expected" : "FAILED")} " +
                             $"| {check.LastLine} |");

        var passed = catchUp.CaughtUp && checks.All(c => c.Passed) && control.Check.Passed;
        Report.Print(output, new
        {
            benchmark = "stats-check",
            store = bench.Description,
            machine = Report.Machine,
            options,
            history = new
            {
                figures.Applications, figures.Events, procedures = figures.Procedures, centres = figures.Centres, figures.Returns,
                figures.ReturnedTwiceOrMore, figures.Rejected, figures.Withdrawn, figures.Lapsed, figures.Apologies, figures.DeemedApproved,
                figures.Escalations, figures.Acknowledged, figures.Ratings, figures.RunningAtEnd, figures.OverdueAtEnd,
                seconds = Report.Round(generated),
            },
            catchUp,
            checks,
            negativeControl = new { control.Case, control.Check.ExitCode, named = control.Check.Passed },
            passed,
        });
        return passed ? 0 : 1;
    }

    /// <summary>The statistics daemon started on the copied history, as a server starts it, timed until it has read it all.</summary>
    private static async Task<CatchUp> CatchUpAsync(BenchStore bench, CancellationToken cancellation)
    {
        var reader = bench.Services.GetRequiredService<StatisticsReader>();
        long events;
        await using (var count = bench.Database.CreateCommand($"select count(*) from {WorkflowStore.Schema}.mt_events where seq_id > @from"))
        {
            count.Parameters.AddWithValue("from", (await reader.ProgressAsync(cancellation)).Sequence);
            events = (long)(await count.ExecuteScalarAsync(cancellation))!;
        }
        using var daemon = await bench.Store.BuildProjectionDaemonAsync();
        var watch = Stopwatch.StartNew();
        await daemon.StartAllAsync();
        var caughtUp = true;
        try
        {
            await bench.Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromHours(2));
        }
        catch (TimeoutException)
        {
            caughtUp = false;
        }
        var seconds = watch.Elapsed.TotalSeconds;
        await daemon.StopAllAsync();
        var progress = await reader.ProgressAsync(cancellation);
        caughtUp &= progress.Behind == 0;
        return new CatchUp(events, Report.Round(seconds, 1), Report.Round(events / seconds, 0), caughtUp);
    }

    /// <summary>
    /// The check must fail when a projected figure is wrong: one case's facts altered by SQL (a return added that its events
    /// do not have), the tool run again, its output searched for that case; then the document is put back.
    /// </summary>
    private static async Task<(Guid Case, Check Check)> NegativeControlAsync(BenchStore bench, string cliPath, string workflowsPath,
        string[] arguments, CancellationToken cancellation)
    {
        var table = $"{WorkflowStore.Schema}.mt_doc_casefacts";
        Guid altered;
        await using (var pick = bench.Database.CreateCommand($"select id from {table} where (data->>'receivedAt')::timestamptz " +
                                                             "between '2024-01-01T00:00:00+07' and '2024-12-31T23:59:59+07' order by id limit 1"))
            altered = (Guid)(await pick.ExecuteScalarAsync(cancellation))!;
        await bench.ExecuteAsync($"update {table} set data = jsonb_set(data, '{{returns}}', " +
                                 "to_jsonb((data->>'returns')::int + 1)) where id = @id", ("id", altered));
        try
        {
            var check = await RunCheckAsync(cliPath, bench.ConnectionString, workflowsPath,
                "negative control: one case's facts altered by SQL", arguments, cancellation, named: altered.ToString());
            return (altered, check);
        }
        finally
        {
            await bench.ExecuteAsync($"update {table} set data = jsonb_set(data, '{{returns}}', " +
                                     "to_jsonb((data->>'returns')::int - 1)) where id = @id", ("id", altered));
        }
    }

    /// <summary>
    /// <c>workflow stats ... --check</c> as a process of its own, with the store's connection string and the workflows folder.
    /// Passed: exit code 0; or, for the negative control, exit code 1 with a line naming <paramref name="named"/>.
    /// </summary>
    private static async Task<Check> RunCheckAsync(string cliPath, string connectionString, string workflowsPath, string name,
        string[] arguments, CancellationToken cancellation, string? named = null)
    {
        string[] all = [cliPath, "stats", .. arguments, "--check", "--connection", connectionString, "--workflows", workflowsPath];
        var start = new ProcessStartInfo("dotnet", all) { RedirectStandardOutput = true, RedirectStandardError = true };
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var printed = process.StandardOutput.ReadToEndAsync(cancellation);
        var errors = process.StandardError.ReadToEndAsync(cancellation);
        await process.WaitForExitAsync(cancellation);
        var seconds = Report.Round(watch.Elapsed.TotalSeconds, 1);
        var lines = (await printed).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var last = lines.LastOrDefault() ?? (await errors).Trim().Split('\n')[^1];
        var passed = named is null
            ? process.ExitCode == 0
            : process.ExitCode == 1 && lines.Any(l => l.Contains(named, StringComparison.OrdinalIgnoreCase));
        // The connection string is the caller's: never echoed into the report.
        return new Check(name, [.. arguments, "--check"], process.ExitCode, seconds, last, passed);
    }

    /// <summary>The workflow tool as built beside this project in the same configuration (a build dependency of this project).</summary>
    public static string Cli()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent?.Name ?? "Release";
        return Path.Combine(Paths.Root(), "src", "Workflow.Cli", "bin", configuration, framework.Name, "workflow.dll");
    }
}
