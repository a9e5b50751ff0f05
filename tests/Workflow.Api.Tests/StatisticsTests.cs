using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Workflow.Core.Definitions;
using Workflow.Core.Statistics;
using Workflow.Store;
using Workflow.Store.Statistics;

namespace Workflow.Api.Tests;

/// <summary>
/// The statistics as supervisors, auditors and evaluators read them: a history spanning three months (the test moves
/// the clock), figured by the async daemon, read through the API and the CLI, and recomputed from the raw events.
/// </summary>
public class when_the_statistics_are_read(ApiFixture api) : ApiTest(api), IDisposable
{
    private static readonly TimeSpan Lao = TimeSpan.FromHours(7);
    private const string Range = "from=2024-01-01&to=2024-03-31";
    private readonly string _folder = Directory.CreateTempSubdirectory("workflow-stats-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private IDocumentStore Store => Api.Factory.Services.GetRequiredService<IDocumentStore>();

    /// <summary>Runs the async daemon until the statistics have read every event, then stops it, as a node that stops does.</summary>
    internal static async Task CatchUpAsync(IDocumentStore store)
    {
        using var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.StartAllAsync();
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        await daemon.StopAllAsync();
    }

    /// <summary>
    /// An enterprise registration received on 10 January 2024 and declared complete (legal deadline 17 working days:
    /// Friday 2 February, 16:00), one received on 12 February and left at the counter, one received and declared complete
    /// on 11 March (due 3 April).
    /// </summary>
    private async Task SeedThreeMonthsAsync()
    {
        var clerk = ApiFixture.Client(Api.Clocked, "clerk", "odsc");
        async Task Receive(DateTimeOffset at, bool complete)
        {
            Api.Clock.Now = at;
            var created = await Read<Created>(await Post(clerk, "/api/applications", Samples.Submission("enterprise-registration")));
            if (complete)
                (await Post(clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
                    .StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        await Receive(new DateTimeOffset(2024, 1, 10, 9, 0, 0, Lao), complete: true);
        await Receive(new DateTimeOffset(2024, 2, 12, 9, 0, 0, Lao), complete: false);
        await Receive(new DateTimeOffset(2024, 3, 11, 9, 0, 0, Lao), complete: true);
    }

    private static async Task<JsonObject> Report(HttpClient client, string query)
    {
        var response = await client.GetAsync($"/api/statistics?{query}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private static List<JsonObject> Rows(JsonObject report) => [.. report["rows"]!.AsArray().Select(r => r!.AsObject())];

    private async Task<(int Code, ServerProcess Process)> Cli(params string[] arguments)
    {
        var process = ServerProcess.Cli(_folder, [.. arguments, "--connection", Api.ConnectionString,
            "--workflows", Path.Combine(ApiFixture.RepositoryRoot(), "workflows")]);
        return (await process.ExitAsync(), process);
    }

    [Fact]
    public async Task a_month_by_month_table_gives_the_hand_counted_figures_and_equals_the_cli_and_the_recomputation()
    {
        await SeedThreeMonthsAsync();
        await CatchUpAsync(Store);

        var report = await Report(Api.Auditor, Range);
        var rows = Rows(report);
        rows.Select(r => (string)r["period"]!).ShouldBe(["2024-01", "2024-02", "2024-03"]);
        rows.Select(r => (int)r["received"]!).ShouldBe([1, 1, 1]);
        rows.Select(r => (int)r["completed"]!).ShouldBe([0, 0, 0]);
        // The January case is past its legal deadline (2 February) at the end of February and of March.
        rows.Select(r => (int)r["pendingNotDue"]!).ShouldBe([1, 1, 2]);
        rows.Select(r => (int)r["pendingOverdue"]!).ShouldBe([0, 1, 1]);
        ((long)report["through"]!["behind"]!).ShouldBe(0);

        // The counter's work: two completeness checks decided on the day, each on time.
        var steps = Rows(await Report(Api.Auditor, $"{Range}&period=custom&agency=odsc"));
        steps.Count.ShouldBe(1);
        ((int)steps[0]["completed"]!, (int)steps[0]["onTime"]!, (string)steps[0]["agency"]!).ShouldBe((2, 2, "odsc"));

        var cli = await Cli("stats", "--from", "2024-01-01", "--to", "2024-03-31");
        cli.Code.ShouldBe(0, cli.Process.AllOutput);
        var printed = JsonNode.Parse(string.Join('\n', cli.Process.Output))!;
        JsonNode.DeepEquals(printed["rows"], report["rows"]).ShouldBeTrue("the CLI and the API give the same figures");

        var check = await Cli("stats", "--from", "2024-01-01", "--to", "2024-03-31", "--check");
        check.Code.ShouldBe(0, check.Process.AllOutput);
        check.Process.Output.Last().ShouldStartWith("equal");
    }

    [Fact]
    public async Task csv_is_given_on_request_with_one_line_per_row()
    {
        await SeedThreeMonthsAsync();
        await CatchUpAsync(Store);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/statistics?{Range}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var byHeader = await Api.Auditor.SendAsync(request);
        byHeader.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var text = await byHeader.Content.ReadAsStringAsync();
        var lines = text.TrimEnd().Split('\n');
        lines[0].ShouldStartWith("period,from,to,centre,agency,procedure,step,received,completed,on_time,late");
        lines.Length.ShouldBe(4);
        lines[3].ShouldStartWith("2024-03,2024-03-01,2024-03-31,");
        (await Api.Auditor.GetStringAsync($"/api/statistics?{Range}&format=csv")).ShouldBe(text);
    }

    /// <summary>The operator's rebuild, as ministry IT staff run it: the store's own catalogue, no workflows folder.</summary>
    private async Task<(int Code, ServerProcess Process)> Rebuild()
    {
        var process = ServerProcess.Cli(_folder, ["stats", "--rebuild", "--connection", Api.ConnectionString]);
        return (await process.ExitAsync(), process);
    }

    [Fact]
    public async Task a_rebuild_from_the_cli_folds_every_event_again_once_and_replaces_totals_that_were_altered()
    {
        await SeedThreeMonthsAsync();
        await CatchUpAsync(Store);
        var before = Rows(await Report(Api.Auditor, Range)).Select(r => r.ToJsonString()).ToList();
        // Totals that no longer match the events, as a calendar change for past days or an older store leaves them.
        await using (var command = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                         $"update {WorkflowStore.Schema}.{CaseFactsProjection.Table} set value = value + 3 " +
                         $"where view = {(short)TallyView.Cases} and grain = {(short)TallyGrain.Month} and day = '2024-01-01' " +
                         $"and counter = '{TallyCounters.Received}'"))
            (await command.ExecuteNonQueryAsync()).ShouldBe(1);
        Rows(await Report(Api.Auditor, Range)).Select(r => (int)r["received"]!).ShouldBe([4, 1, 1]);
        // A server's start stores the catalogue it loaded, whose calendars the rebuild counts with.
        await using (var server = ApiFixture.Host(Api.ConnectionString)) _ = server.Server;

        var rebuilt = await Rebuild();
        rebuilt.Code.ShouldBe(0, rebuilt.Process.AllOutput);
        rebuilt.Process.Output.Last().ShouldStartWith("rebuilt: the case facts and the totals count every event up to sequence");

        // Every figure as the events give it, each counted once: the same table as before the alteration.
        Rows(await Report(Api.Auditor, Range)).Select(r => r.ToJsonString()).ShouldBe(before);
        var check = await Cli("stats", "--from", "2024-01-01", "--to", "2024-03-31", "--check", "--by", "agency");
        check.Code.ShouldBe(0, check.Process.AllOutput);

        // A rebuild names no period and reads no workflows folder: it counts with the calendars the servers loaded.
        var misused = ServerProcess.Cli(_folder, ["stats", "--rebuild", "--from", "2024-01-01", "--connection", Api.ConnectionString]);
        (await misused.ExitAsync()).ShouldBe(2);
        misused.Error.ShouldContain(l => l.Contains("--rebuild takes only --connection"), misused.AllOutput);
    }

    [Fact]
    public async Task a_rebuild_is_refused_while_a_servers_daemon_runs_the_statistics_and_runs_once_it_has_stopped()
    {
        await SeedThreeMonthsAsync();
        var lockId = Api.Factory.Services.GetRequiredService<StatisticsRebuild>().LockId;
        var database = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>();
        async Task<bool> Held()
        {
            await using var command = database.CreateCommand(
                "select count(*) > 0 from pg_locks where locktype = 'advisory' and objsubid = 1 and granted " +
                "and ((classid::bigint << 32) | objid::bigint) = $1");
            command.Parameters.AddWithValue(lockId);
            return (bool)(await command.ExecuteScalarAsync())!;
        }

        // A server as it runs in production: its statistics daemon hot/cold, the leader holding the projection's lock.
        await using (var server = ApiFixture.Host(Api.ConnectionString, settings: new() { ["Workflow:Statistics:Daemon"] = "HotCold" }))
        {
            _ = server.Server;
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!await Held() && waited.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(200);
            (await Held()).ShouldBeTrue("the server's daemon takes the statistics projection's lock");

            var refused = await Rebuild();
            refused.Code.ShouldBe(2, refused.Process.AllOutput);
            refused.Process.Error.ShouldContain(l => l.Contains("statistics daemon is running on this store"), refused.Process.AllOutput);
        }

        // Its lock goes with its connection, which the stopped host closes as it is disposed (not always at once).
        var released = System.Diagnostics.Stopwatch.StartNew();
        while (await Held() && released.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(200);
        (await Held()).ShouldBeFalse("a server that stops lets its lock go");
        var rebuilt = await Rebuild();
        rebuilt.Code.ShouldBe(0, rebuilt.Process.AllOutput);
        Rows(await Report(Api.Auditor, Range)).Select(r => (int)r["received"]!).ShouldBe([1, 1, 1]);

        // In a process that goes on, the rebuild lets the lock go as it ends, though its connection stays in the pool.
        await Api.Factory.Services.GetRequiredService<StatisticsRebuild>().RunAsync(null, TimeSpan.FromSeconds(10), CancellationToken.None);
        (await Held()).ShouldBeFalse("a finished rebuild holds no lock");
    }

    [Fact]
    public async Task a_projected_figure_that_no_longer_matches_the_events_is_reported_by_the_check()
    {
        await SeedThreeMonthsAsync();
        await CatchUpAsync(Store);
        // What the API serves is summed from the running totals: one bucket altered (February's applications received).
        await using (var command = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                         $"update {WorkflowStore.Schema}.{CaseFactsProjection.Table} set value = value + 1 " +
                         $"where view = {(short)TallyView.Cases} and grain = {(short)TallyGrain.Month} and day = '2024-02-01' " +
                         $"and counter = '{TallyCounters.Received}'"))
            (await command.ExecuteNonQueryAsync()).ShouldBe(1);
        var served = Rows(await Report(Api.Auditor, Range));
        served.Select(r => (int)r["received"]!).ShouldBe([1, 2, 1]);

        var check = await Cli("stats", "--from", "2024-01-01", "--to", "2024-03-31", "--check");
        check.Code.ShouldBe(1, check.Process.AllOutput);
        check.Process.Output.ShouldContain(l => l.StartsWith("2024-02|") && l.Contains("received 1 (recomputed) against 2 (projection)"));
        check.Process.Output.Last().ShouldContain("difference");
    }

    [Fact]
    public async Task a_batch_of_tallies_adds_to_the_stored_totals_and_leaves_no_counter_at_zero()
    {
        // Tallies of a centre no other test uses, written as the daemon writes them: in the batch of a session.
        static Tally Received(string procedure, long value) =>
            new(TallyView.Cases, TallyGrain.Day, new DateOnly(2024, 5, 6), "zero-test", procedure, "", "", TallyCounters.Received, value);
        async Task SaveAsync(params Tally[] tallies)
        {
            await using var session = Store.LightweightSession();
            CaseFactsProjection.Add(session, tallies, WorkflowStore.Schema);
            await session.SaveChangesAsync();
        }
        await SaveAsync(Received("a", 1), Received("b", 2), Received("c", 5));
        // a and c come back to zero, b grows, d is new and zero, e is new.
        await SaveAsync(Received("a", -1), Received("b", 1), Received("c", -5), Received("d", 0), Received("e", -2));
        await SaveAsync(Received("e", 2), Received("b", 0));

        var stored = new Dictionary<string, long>();
        await using var command = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            $"select procedure, value from {WorkflowStore.Schema}.{CaseFactsProjection.Table} where centre = 'zero-test'");
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) stored[reader.GetString(0)] = reader.GetInt64(1);
        stored.ShouldBe(new Dictionary<string, long> { ["b"] = 3 });
    }

    [Fact]
    public async Task a_projected_case_whose_facts_no_longer_match_the_events_is_reported_by_the_check()
    {
        await SeedThreeMonthsAsync();
        await CatchUpAsync(Store);
        await using (var command = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                         $"update {WorkflowStore.Schema}.mt_doc_casefacts set data = jsonb_set(data, '{{returns}}', '3')"))
            (await command.ExecuteNonQueryAsync()).ShouldBe(3);

        var check = await Cli("stats", "--from", "2024-01-01", "--to", "2024-03-31", "--check", "--by", "agency");
        check.Code.ShouldBe(1, check.Process.AllOutput);
        check.Process.Output.ShouldContain(l => l.Contains("projected facts differ"));
        check.Process.Output.Last().ShouldContain("difference");
    }

    [Fact]
    public async Task a_daemon_stopped_and_started_again_counts_every_event_once()
    {
        var clerk = Api.Clerk;
        for (var i = 0; i < 12; i++)
            (await Post(clerk, "/api/applications", Samples.Submission("land-title-transfer"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        // Stopped at once after its start: usually part of the way through the events, never harmful.
        using (var daemon = await Store.BuildProjectionDaemonAsync())
        {
            await daemon.StartAllAsync();
            await daemon.StopAllAsync();
        }
        await CatchUpAsync(Store);
        for (var i = 0; i < 8; i++)
            (await Post(clerk, "/api/applications", Samples.Submission("land-title-transfer"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        await CatchUpAsync(Store);
        await CatchUpAsync(Store);

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var query = $"from={today.AddDays(-1):yyyy-MM-dd}&to={today.AddDays(1):yyyy-MM-dd}&period=custom";
        var rows = Rows(await Report(Api.Auditor, query));
        rows.Sum(r => (int)r["received"]!).ShouldBe(20);
        var check = await Cli("stats", "--from", $"{today.AddDays(-1):yyyy-MM-dd}", "--to", $"{today.AddDays(1):yyyy-MM-dd}", "--check");
        check.Code.ShouldBe(0, check.Process.AllOutput);
    }

    [Fact]
    public async Task the_totals_after_daemons_stopped_part_way_equal_the_figures_recomputed_from_the_events()
    {
        await SeedThreeMonthsAsync();
        Api.Clock.Now = TimeProvider.System.GetUtcNow();
        for (var i = 0; i < 10; i++)
        {
            var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
            if (i % 2 == 0)
                (await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
                    .StatusCode.ShouldBe(HttpStatusCode.OK);
            // Stopped at once after its start, again and again: each time part of the way through the events.
            using var daemon = await Store.BuildProjectionDaemonAsync();
            await daemon.StartAllAsync();
            await daemon.StopAllAsync();
        }
        await CatchUpAsync(Store);

        var reader = Api.Factory.Services.GetRequiredService<StatisticsReader>();
        var calendars = Api.Factory.Services.GetRequiredService<WorkflowCatalog>().Calendars;
        var recomputed = await reader.RecomputeAsync((await reader.ProgressAsync(CancellationToken.None)).Sequence, CancellationToken.None);
        recomputed.Count.ShouldBe(13);
        var today = Period.LocalDay(DateTimeOffset.UtcNow);
        foreach (var query in new StatisticsQuery[]
                 {
                     new(PeriodKind.Month, new DateOnly(2024, 1, 1), today),
                     new(PeriodKind.Day, today.AddDays(-3), today.AddDays(1), By: [Dimensions.Agency, Dimensions.Step]),
                     new(PeriodKind.Custom, new DateOnly(2024, 1, 1), today, By: [Dimensions.Centre, Dimensions.Agency]),
                     new(PeriodKind.Quarter, new DateOnly(2024, 1, 1), new DateOnly(2024, 6, 30), Agency: "odsc", By: [Dimensions.Step]),
                 })
        {
            var report = await reader.ReportAsync(query, CancellationToken.None);
            Indicators.Differences(Indicators.Compute(recomputed, query, calendars), report.Rows).ShouldBeEmpty();
            report.Index.ShouldBe(QualityIndex.Of(query.Touching(recomputed), new Period(PeriodKind.Custom, query.From, query.To), calendars));
            report.Rows.ShouldNotBeEmpty();
        }

        // A rebuild starts the totals again from nothing, with the facts: every figure is counted once more, not twice.
        using (var daemon = await Store.BuildProjectionDaemonAsync())
            await daemon.RebuildProjectionAsync(CaseFactsProjection.ProjectionName, CancellationToken.None);
        var year = new StatisticsQuery(PeriodKind.Month, new DateOnly(2024, 1, 1), today, By: [Dimensions.Agency]);
        Indicators.Differences(Indicators.Compute(recomputed, year, calendars), await reader.IndicatorsAsync(year, CancellationToken.None))
            .ShouldBeEmpty();
    }

    [Fact]
    public async Task no_public_answer_holds_personal_data_of_the_cases_it_counts()
    {
        var people = new[]
        {
            (Name: "Vilayphone Sengdara", Id: "LA-7730-1144", Phone: "+856 20 9988 1201", Email: "vilayphone@example.la"),
            (Name: "Bounthavy Keomany", Id: "LA-5521-0093", Phone: "+856 20 7711 3402", Email: "bounthavy@example.la"),
        };
        var tracking = new List<string>();
        foreach (var person in people)
        {
            var body = JsonSerializer.SerializeToNode(Samples.Submission("land-title-transfer"), ApiFixture.Json)!.AsObject();
            body["applicant"] = new JsonObject
            {
                ["name"] = person.Name, ["idNumber"] = person.Id, ["phone"] = person.Phone, ["email"] = person.Email,
            };
            var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", body));
            tracking.Add(created.TrackingNumber);
        }
        await CatchUpAsync(Store);
        await Api.Factory.Services.GetRequiredService<Workspace.Transparency.PublicFigures>().RefreshAsync(CancellationToken.None);

        var anonymous = Api.Anonymous;
        var csv = await anonymous.GetStringAsync("/transparency/figures.csv");
        csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Sum(line => int.Parse(line.Split(',')[7])).ShouldBe(2);
        var json = await anonymous.GetStringAsync("/transparency/figures.json");
        JsonNode.Parse(json)!["licence"]!.GetValue<string>().ShouldBe("CC BY 4.0");
        var pages = new List<string>();
        foreach (var language in new[] { "en", "lo" })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/transparency");
            request.Headers.Add("Cookie", $".workflow.language=c={language}|uic={language}");
            var page = await anonymous.SendAsync(request);
            page.StatusCode.ShouldBe(HttpStatusCode.OK);
            pages.Add(await page.Content.ReadAsStringAsync());
        }
        pages[0].ShouldContain("Decided on time");
        pages[1].ShouldContain("ຕັດສິນທັນເວລາ");
        foreach (var text in pages.Append(csv).Append(json))
        {
            foreach (var person in people)
                foreach (var secret in new[] { person.Name, person.Id, person.Phone, person.Email, person.Name.Split(' ')[1] })
                    text.ShouldNotContain(secret, Case.Insensitive);
            foreach (var number in tracking) text.ShouldNotContain(number);
        }
    }

    [Theory]
    [InlineData("to=2024-01-31", "from")]
    [InlineData("from=2024-02-30&to=2024-03-01", "from")]
    [InlineData("from=2024-03-01&to=2024-02-01", "to")]
    [InlineData("from=2024-01-01&to=2024-12-31&period=fortnight", "period")]
    [InlineData("from=2000-01-01&to=2024-12-31&period=day", "period")]
    [InlineData("from=2024-01-01&to=2024-12-31&by=colour", "by")]
    [InlineData("from=2024-01-01&to=2024-12-31&format=xml", "format")]
    public async Task a_bad_request_is_refused_naming_the_field(string query, string field)
    {
        var response = await Api.Auditor.GetAsync($"/api/statistics?{query}");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await Read<Problem>(response);
        problem.Errors!.Keys.ShouldContain(field);
    }
}
