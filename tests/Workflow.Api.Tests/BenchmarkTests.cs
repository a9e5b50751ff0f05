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
        // The two cases, the template case and its five copies, and the record of the procedures' publications.
        report.GetProperty("verification").GetProperty("streams").GetInt32().ShouldBe(9);
        report.GetProperty("verification").GetProperty("broken").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task the_projection_check_benchmark_finds_nothing_in_a_store_of_faithful_copies_and_says_what_it_read()
    {
        var output = new StringWriter();

        var code = await ProjectionsBenchmark.RunAsync(new(Applications: 40, Rounds: 2), Workflows, Api.ConnectionString, output);

        code.ShouldBe(0, output.ToString());
        var report = LastLine(output);
        report.GetProperty("benchmark").GetString().ShouldBe("projections");
        // Half the copies wait at the ministry (an inbox item, deadline rows), half at the centre's completeness check.
        report.GetProperty("inboxItems").GetInt64().ShouldBe(40);
        var rounds = report.GetProperty("rounds").EnumerateArray().ToList();
        rounds.Count.ShouldBe(2);
        rounds.ShouldAllBe(r => r.GetProperty("differences").GetInt32() == 0 && r.GetProperty("checkMs").GetDouble() > 0 &&
                                r.GetProperty("peakResidentMiB").GetDouble() > 0);
    }

    [Fact]
    public async Task the_search_benchmark_finds_with_each_criterion_what_the_hand_written_sql_finds_and_leaves_its_indexes_built()
    {
        var output = new StringWriter();

        var code = await OversightSearchBenchmark.RunAsync(new(Applications: 120, Reads: 2, Rounds: 1, Approvals: 2), Workflows,
            Api.ConnectionString, output);

        code.ShouldBe(0, output.ToString());
        var report = LastLine(output);
        report.GetProperty("benchmark").GetString().ShouldBe("search");
        // The runner stops when the search, the SQL and the earlier query disagree on a total; each criterion finds some
        // cases and fewer than all (the template case and its 120 copies), except the search without one.
        var totals = report.GetProperty("rows").EnumerateArray()
            .ToDictionary(r => r.GetProperty("search").GetString()!, r => r.GetProperty("total").GetInt32());
        totals.Count.ShouldBe(11);
        totals["newest first, no criterion"].ShouldBe(121);
        totals.Where(t => t.Key != "newest first, no criterion").ShouldAllBe(t => t.Value > 0 && t.Value < 121);
        report.GetProperty("writeCost").GetProperty("approvals").GetInt32().ShouldBe(2);
        await using var indexes = new Npgsql.NpgsqlConnection(Api.ConnectionString);
        await indexes.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand(
            "select count(*) from pg_indexes where tablename = 'mt_doc_applicationdetails' and indexname like '%\\_idx\\_%'", indexes);
        ((long)(await count.ExecuteScalarAsync())!).ShouldBe(8, "the indexes dropped to measure writes without them are built again");
    }

    [Fact]
    public async Task the_what_if_benchmark_replays_a_recorded_year_and_the_unchanged_version_reproduces_it()
    {
        var output = new StringWriter();

        var code = await WhatIfBenchmark.RunAsync(new(Cases: 40, Rounds: 1, Checks: 2), Workflows, Api.ConnectionString, output);

        code.ShouldBe(0, output.ToString());
        var report = LastLine(output);
        report.GetProperty("benchmark").GetString().ShouldBe("what-if");
        report.GetProperty("whatIf").GetProperty("reproduces").GetBoolean().ShouldBeTrue();
        // Received through the first ten months of 2024: nearly all are decided within the year.
        report.GetProperty("whatIf").GetProperty("cases").GetInt32().ShouldBeInRange(30, 40);
        report.GetProperty("whatIf").GetProperty("unmappable").GetInt32().ShouldBe(0);
        report.GetProperty("check").GetProperty("checks").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task the_http_benchmark_drives_the_api_process_with_every_operation_and_no_error()
    {
        var output = new StringWriter();

        // Development: the API process shares the test database, whose chain is linked with the development key.
        var code = await HttpBenchmark.RunAsync(new(Operations: 3, Rounds: 1, Warmup: 2, Clients: [1, 2], Environment: "Development"),
            Workflows, Api.ConnectionString, Paths.Api(), output, Api.DataDirectory);

        code.ShouldBe(0, output.ToString());
        var report = LastLine(output);
        report.GetProperty("benchmark").GetString().ShouldBe("http");
        var rows = report.GetProperty("rows").EnumerateArray()
            .Select(r => (Operation: r.GetProperty("operation").GetString(), Clients: r.GetProperty("clients").GetInt32(),
                PerSecond: r.GetProperty("opsPerSecond").GetDouble(), Errors: r.GetProperty("errors").GetInt32()))
            .ToList();
        rows.Select(r => (r.Operation, r.Clients)).ShouldBe([
            ("raw INSERT+COMMIT", 1), ("submit", 1), ("approve", 1), ("read", 1), ("inbox", 1),
            ("raw INSERT+COMMIT", 2), ("submit", 2), ("approve", 2), ("read", 2), ("inbox", 2)]);
        rows.ShouldAllBe(r => r.PerSecond > 0 && r.Errors == 0);
        if (Api.DataDirectory is null) return;   // a server of the environment's: its CPU is not metered, so no budgets
        // The server's CPU metered: each targeted command's budget at each concurrency, from the raw rate of its own row.
        var budgets = report.GetProperty("budgets").EnumerateArray().ToList();
        budgets.Select(b => (b.GetProperty("operation").GetString(), b.GetProperty("clients").GetInt32()))
            .ShouldBe([("submit", 1), ("approve", 1), ("submit", 2), ("approve", 2)]);
        foreach (var budget in budgets)
        {
            var raw = rows.Single(r => r.Operation == HttpBenchmark.Raw && r.Clients == budget.GetProperty("clients").GetInt32());
            budget.GetProperty("targetPerSecond").GetDouble()
                .ShouldBe(HttpBenchmark.Targets[budget.GetProperty("operation").GetString()!] * raw.PerSecond, tolerance: 0.5);
        }
        output.ToString().ShouldContain("| operation | clients | target | ops/s at the target | CPU it may cost |");
    }

    [Fact]
    public void a_commands_budget_is_what_the_cores_allow_at_its_target_and_its_floor_the_servers_part_plus_a_read()
    {
        HttpBenchmark.Row Row(string operation, double perSecond, double api, double database) =>
            new(operation, 8, perSecond, 0, 1, 2, 3, 0, api, database);
        // The quiet run of the README: 18,138 raw commits per second; an approval cost the API 0.90 ms and PostgreSQL 1.12.
        HttpBenchmark.Row[] rows =
        [
            Row(HttpBenchmark.Raw, 18_138, 0, 0.04), Row("submit", 388, 2.78, 1.02), Row("approve", 720, 0.90, 1.12),
            Row("read", 4_999, 0.28, 0.04), Row("inbox", 1_258, 0.72, 0.62),
        ];

        var budgets = HttpBenchmark.Budgets(rows, cores: 2);

        budgets.Select(b => b.Operation).ShouldBe(["submit", "approve"]);
        var approve = budgets[1];
        approve.TargetPerSecond.ShouldBe(2_721);                       // 15 % of 18,138
        approve.BudgetMs.ShouldBe(0.735, tolerance: 0.001);            // 2,000 ms of CPU a second over 2,721 approvals
        approve.SpentMs.ShouldBe(2.02, tolerance: 0.001);
        approve.FloorMs.ShouldBe(1.40, tolerance: 0.001);              // 1.12 of PostgreSQL's and 0.28 for a read
        approve.WithinReach.ShouldBeFalse();
        budgets[0].BudgetMs.ShouldBe(0.551, tolerance: 0.001);         // 20 % of raw: 3,628 submissions a second
        budgets[0].WithinReach.ShouldBeFalse();

        // With a slow raw commit (a loaded server), the same costs fit: 15 % of 1,000 leaves 13.3 ms per approval.
        rows[0] = Row(HttpBenchmark.Raw, 1_000, 0, 0.04);
        HttpBenchmark.Budgets(rows, cores: 2).ShouldAllBe(b => b.WithinReach);
        // Rows without the server's CPU (a server not on this machine) give no budget.
        HttpBenchmark.Budgets(rows.Select(r => r with { DatabaseCpuMs = null }).ToList(), cores: 2).ShouldBeEmpty();
    }

    [Fact]
    public async Task the_http_benchmark_asked_for_the_servers_statements_says_when_the_server_does_not_load_them()
    {
        if (Api.DataDirectory is null) return;   // a server of the environment's may load the extension
        var output = new StringWriter();

        var code = await HttpBenchmark.RunAsync(new(Operations: 1, Rounds: 1, Warmup: 0, Clients: [1], Environment: "Development",
            Statements: true), Workflows, Api.ConnectionString, Paths.Api(), output);

        code.ShouldBe(2, output.ToString());
        output.ToString().ShouldContain("--statements needs pg_stat_statements loaded on the server");
        output.ToString().ShouldContain("shared_preload_libraries");
    }

    [Fact]
    public async Task the_memory_benchmark_reads_the_api_process_and_where_its_memory_is_under_each_setting_with_no_error()
    {
        var output = new StringWriter();
        MemoryBenchmark.Setting[] settings = [MemoryBenchmark.Settings[0], MemoryBenchmark.Settings[^1]];

        var code = await MemoryBenchmark.RunAsync(new(Applications: 3, Clients: 2, Readers: 2, Environment: "Development"), Workflows,
            Api.ConnectionString, Paths.Api(), output, settings);

        code.ShouldBe(0, output.ToString());
        var report = LastLine(output);
        report.GetProperty("benchmark").GetString().ShouldBe("memory");
        var rows = report.GetProperty("rows").EnumerateArray().ToList();
        rows.Select(r => r.GetProperty("setting").GetString()).ShouldBe(settings.Select(s => s.Name));
        rows.ShouldAllBe(r => r.GetProperty("errors").GetInt32() == 0 && r.GetProperty("approvalsPerSecond").GetDouble() > 0
            && r.GetProperty("peakMiB").GetInt64() >= r.GetProperty("residentAfterApplicationsMiB").GetInt64()
            && r.GetProperty("caseFileKiB").GetInt32() > 0);
        // Where the memory is: the managed heap and the runtime's code found in the API process's map, the parts adding up.
        rows.ShouldAllBe(r => r.GetProperty("afterReads").GetProperty("managedHeap").GetDouble() > 0
            && r.GetProperty("afterReads").GetProperty("executable").GetDouble() > 0
            && r.GetProperty("afterReads").GetProperty("resident").GetDouble() >= r.GetProperty("residentAfterReadsMiB").GetInt64() - 8);
        output.ToString().ShouldContain("| setting | resident | proportional | managed heap |");
    }

    [Fact]
    public async Task the_inbox_benchmark_reads_every_page_of_a_copied_store_without_error()
    {
        var output = new StringWriter();

        var code = await InboxBenchmark.RunAsync(new(Applications: 30, AgencySteps: 12, Reads: 3, Readers: 2, Rounds: 1), Workflows,
            Api.ConnectionString, Paths.Api(), output);

        code.ShouldBe(0, output.ToString());
        var report = LastLine(output);
        report.GetProperty("benchmark").GetString().ShouldBe("inbox");
        report.GetProperty("agencyOpenSteps").GetInt64().ShouldBeGreaterThanOrEqualTo(12);
        var rows = report.GetProperty("rows").EnumerateArray().ToList();
        rows.Select(r => r.GetProperty("reader").GetString()).Distinct().Count().ShouldBe(5);
        rows.ShouldAllBe(r => r.GetProperty("errors").GetInt32() == 0 && r.GetProperty("perSecond").GetDouble() > 0);
    }

    [Fact]
    public async Task the_profile_counts_the_round_trips_of_each_command()
    {
        var output = new StringWriter();

        var code = await ProfileBenchmark.RunAsync(new(Operations: 3, Rounds: 1, Warmup: 1), Workflows, Api.ConnectionString, output);

        code.ShouldBe(0, output.ToString());
        var rows = LastLine(output).GetProperty("rows").EnumerateArray()
            .ToDictionary(r => r.GetProperty("command").GetString()!, r => r.GetProperty("roundTrips").GetDouble());
        rows["raw INSERT+COMMIT"].ShouldBe(1);
        rows["approve step"].ShouldBeGreaterThan(1);
        rows["submit-and-route"].ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task the_cluster_benchmark_loses_nothing_when_a_node_is_killed()
    {
        var output = new StringWriter();

        var code = await ClusterBenchmark.RunAsync(new(Nodes: [2], Clients: 2, Seconds: 2, Environment: "Development"), Workflows,
            Api.ConnectionString, Paths.Api(), output);

        code.ShouldBe(0, output.ToString());
        var report = LastLine(output);
        report.GetProperty("sound").GetBoolean().ShouldBeTrue();
        var check = report.GetProperty("checks")[0];
        check.GetProperty("submitted").GetInt32().ShouldBeGreaterThan(0);
        check.GetProperty("applications").GetInt32().ShouldBe(check.GetProperty("submitted").GetInt32());
        report.GetProperty("rows")[0].GetProperty("nodeKilled").GetBoolean().ShouldBeTrue();
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

    [Fact]
    public async Task the_statistics_check_runner_finds_the_projection_equal_and_catches_an_altered_case()
    {
        var output = new StringWriter();

        var code = await StatisticsCheckBenchmark.RunAsync(new(Applications: 60), Workflows, Api.ConnectionString,
            StatisticsCheckBenchmark.Cli(), output);

        code.ShouldBe(0, output.ToString());
        var report = LastLine(output);
        report.GetProperty("benchmark").GetString().ShouldBe("stats-check");
        var history = report.GetProperty("history");
        history.GetProperty("applications").GetInt32().ShouldBe(60);
        history.GetProperty("procedures").GetArrayLength().ShouldBe(5);
        history.GetProperty("returns").GetInt32().ShouldBeGreaterThan(0);
        report.GetProperty("catchUp").GetProperty("caughtUp").GetBoolean().ShouldBeTrue();
        report.GetProperty("catchUp").GetProperty("events").GetInt64().ShouldBeGreaterThanOrEqualTo(history.GetProperty("events").GetInt64());
        var checks = report.GetProperty("checks").EnumerateArray().ToList();
        checks.Count.ShouldBe(3);
        checks.ShouldAllBe(c => c.GetProperty("exitCode").GetInt32() == 0 && c.GetProperty("lastLine").GetString()!.StartsWith("equal"));
        // The altered case makes the real tool exit 1 and name it.
        report.GetProperty("negativeControl").GetProperty("exitCode").GetInt32().ShouldBe(1);
        report.GetProperty("negativeControl").GetProperty("named").GetBoolean().ShouldBeTrue();
    }
}
