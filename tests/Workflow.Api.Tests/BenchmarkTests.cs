using System.Text.Json;
using Workflow.Benchmarks;

namespace Workflow.Api.Tests;

/// <summary>
/// Each console benchmark at a tiny size on the test database: it still runs through the command shell, the sweeper and
/// the verification it measures, and ends with its JSON line. Timings are not asserted; what was done is.
/// </summary>
public class when_each_benchmark_runs_at_a_tiny_size(ApiFixture api) : ApiTest(api)
{
    private static readonly string Workflows = Path.Combine(ApiFixture.RepositoryRoot(), "workflows");

    private static JsonElement LastLine(StringWriter output) =>
        JsonDocument.Parse(output.ToString().TrimEnd().Split('\n')[^1]).RootElement;

    [Fact]
    public async Task the_command_benchmark_measures_each_operation_at_each_concurrency()
    {
        var output = new StringWriter();

        var code = await CommandsBenchmark.RunAsync(new(Operations: 3, Rounds: 1, Warmup: 0, MemoryApplications: 2, Clients: [1, 2]),
            Workflows, Api.ConnectionString, output);

        code.ShouldBe(0, output.ToString());
        var report = LastLine(output);
        report.GetProperty("benchmark").GetString().ShouldBe("commands");
        var rows = report.GetProperty("rows").EnumerateArray()
            .Select(r => (Operation: r.GetProperty("operation").GetString(), Clients: r.GetProperty("clients").GetInt32(),
                PerSecond: r.GetProperty("opsPerSecond").GetDouble()))
            .ToList();
        rows.Select(r => (r.Operation, r.Clients)).ShouldBe([
            ("raw INSERT+COMMIT", 1), ("submit-and-route", 1), ("approve step", 1),
            ("raw INSERT+COMMIT", 2), ("submit-and-route", 2), ("approve step", 2)]);
        rows.ShouldAllBe(r => r.PerSecond > 0);
        report.GetProperty("memory").GetProperty("applications").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task the_deadline_benchmark_fires_every_due_warning_through_the_sweeper()
    {
        var output = new StringWriter();

        var code = await DeadlinesBenchmark.RunAsync(new(Open: 10, Due: 3, ClaimRounds: 1, StartupRounds: 0), Workflows,
            Api.ConnectionString, apiPath: "", output);

        code.ShouldBe(0, output.ToString());
        var report = LastLine(output);
        report.GetProperty("benchmark").GetString().ShouldBe("deadlines");
        report.GetProperty("sweep").GetProperty("due").GetInt32().ShouldBe(3);
        report.GetProperty("sweep").GetProperty("fired").GetInt32().ShouldBe(3);
    }

    [Fact]
    public async Task the_oversight_benchmark_replays_both_cases_and_verifies_every_stream()
    {
        var output = new StringWriter();

        var code = await OversightBenchmark.RunAsync(new(TypicalEvents: 10, LongEvents: 15, TypicalRounds: 1, LongRounds: 1, Warmup: 0,
            Streams: 5, VerifyRounds: 1), Workflows, Api.ConnectionString, output);

        code.ShouldBe(0, output.ToString());
        var report = LastLine(output);
        report.GetProperty("benchmark").GetString().ShouldBe("oversight");
        report.GetProperty("replay").EnumerateArray().Select(r => r.GetProperty("events").GetInt32()).ShouldBe([10, 15]);
        // The two cases, the template case and its five copies.
        report.GetProperty("verification").GetProperty("streams").GetInt32().ShouldBe(8);
        report.GetProperty("verification").GetProperty("broken").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task the_statistics_benchmark_projects_every_event_checks_it_and_answers_the_dashboard()
    {
        var output = new StringWriter();

        var code = await StatisticsBenchmark.RunAsync(new(EventsPerSecond: 100, Seconds: 1, Applications: 40, QueryRounds: 1,
            PageRequests: 0), Workflows, Api.ConnectionString, apiPath: "", output);

        code.ShouldBe(0, output.ToString());
        var report = LastLine(output);
        report.GetProperty("benchmark").GetString().ShouldBe("statistics");
        report.GetProperty("projection").GetProperty("caughtUp").GetBoolean().ShouldBeTrue();
        report.GetProperty("projection").GetProperty("written").GetInt64().ShouldBeGreaterThan(0);
        report.GetProperty("check").GetProperty("visits").GetInt32().ShouldBeGreaterThan(0);
        report.GetProperty("check").GetProperty("differences").GetInt32().ShouldBe(0);
        report.GetProperty("dashboard").GetProperty("queryP50").GetDouble().ShouldBeGreaterThan(0);
    }
}
