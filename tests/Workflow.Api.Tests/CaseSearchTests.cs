using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Workflow.Core.Applications;
using Workflow.Store.Oversight;
using Workflow.Store.Applications;
using Workflow.Store.Identity;

namespace Workflow.Api.Tests;

/// <summary>
/// Three cases on a clock the test moves: A (enterprise registration at VTE, received 3 June 2024, its registration step
/// breached and escalated by 25 June), B (an import licence received on 25 June) and C (an enterprise registration
/// received at LPB on 25 June, then withdrawn).
/// </summary>
public class when_auditors_search_cases(ApiFixture api) : ApiTest(api)
{
    private static readonly TimeSpan Lao = TimeSpan.FromHours(7);

    private sealed record Three(Created A, Created B, Created C);

    private async Task<Three> SeedAsync()
    {
        var clock = Api.Clock;
        clock.Now = new DateTimeOffset(2024, 6, 3, 9, 0, 0, Lao);
        var host = Api.Clocked;
        var clerk = ApiFixture.Client(host, "clerk", "odsc");
        var a = await Read<Created>(await Post(clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        await Post(clerk, $"/api/applications/{a.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });

        clock.Now = new DateTimeOffset(2024, 6, 25, 10, 0, 0, Lao);
        while (await host.Services.GetRequiredService<DeadlineSweeper>().SweepOnceAsync() > 0) { }
        var b = await Read<Created>(await Post(clerk, "/api/applications", Samples.Submission("import-licence")));
        clock.Now = clock.Now.AddMinutes(1);
        var lpb = Client(host, "clerk", "odsc", "LPB");
        var body = JsonSerializer.SerializeToNode(Samples.Submission("enterprise-registration"))!.AsObject();
        body["centre"] = "LPB";
        var c = await Read<Created>(await Post(lpb, "/api/applications", body));
        (await Post(lpb, $"/api/applications/{c.Id}/withdrawal", new { reason = "the citizen withdrew" })).StatusCode
            .ShouldBe(HttpStatusCode.OK);
        return new Three(a, b, c);
    }

    [Fact]
    public async Task each_criterion_finds_exactly_its_cases_newest_first_and_pages()
    {
        var (a, b, c) = await SeedAsync();
        var auditor = ApiFixture.Client(Api.Clocked, "auditor", null);

        async Task<List<string>> Found(string query)
        {
            var page = await auditor.GetFromJsonAsync<JsonElement>($"/api/oversight/cases?{query}");
            return [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("trackingNumber").GetString()!)];
        }

        (await Found("")).ShouldBe([c.TrackingNumber, b.TrackingNumber, a.TrackingNumber]);
        (await Found("lateness=late")).ShouldBe([a.TrackingNumber]);
        (await Found("lateness=on-time")).ShouldBe([c.TrackingNumber, b.TrackingNumber]);
        (await Found("workflowId=import-licence")).ShouldBe([b.TrackingNumber]);
        (await Found("agency=moic-enterprise-registration")).ShouldBe([a.TrackingNumber]);
        (await Found("centre=LPB")).ShouldBe([c.TrackingNumber]);
        (await Found("status=withdrawn")).ShouldBe([c.TrackingNumber]);
        (await Found("status=in-progress")).ShouldBe([a.TrackingNumber]);
        (await Found("status=awaiting-correction")).ShouldBeEmpty();
        (await Found($"trackingNumber={a.TrackingNumber.ToLowerInvariant()}")).ShouldBe([a.TrackingNumber]);
        (await Found("trackingNumber=lpb-")).ShouldBe([c.TrackingNumber]);
        (await Found("trackingNumber=%25")).ShouldBeEmpty("a percent sign is a character, not a wildcard");
        (await Found("from=2024-06-20")).ShouldBe([c.TrackingNumber, b.TrackingNumber]);
        (await Found("to=2024-06-20")).ShouldBe([a.TrackingNumber]);
        (await Found("from=2024-06-25T10:00:30%2B07:00&to=2024-06-26")).ShouldBe([c.TrackingNumber]);
        (await Found("workflowId=enterprise-registration&lateness=on-time&centre=LPB&status=withdrawn")).ShouldBe([c.TrackingNumber]);

        var second = await auditor.GetFromJsonAsync<JsonElement>("/api/oversight/cases?pageSize=2&page=2");
        second.GetProperty("total").GetInt32().ShouldBe(3);
        second.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("trackingNumber").GetString())
            .ShouldBe([a.TrackingNumber]);
        var first = (await auditor.GetFromJsonAsync<JsonElement>($"/api/oversight/cases?trackingNumber={a.TrackingNumber}"))
            .GetProperty("items")[0];
        first.GetProperty("breaches").GetInt32().ShouldBe(1);
        first.GetProperty("status").GetString().ShouldBe("in-progress");
        first.GetProperty("agencies").EnumerateArray().Select(x => x.GetString()).ShouldContain("moic-enterprise-registration");
    }

    /// <summary>
    /// Each criterion, and the newest-first page with none, is answered from an index of the search's own (Marten declares
    /// them with the document), never by reading every case: with sequential scans priced out, as they are for a few
    /// matches among hundreds of thousands, PostgreSQL plans no statement of the search as one, and one of them on the index
    /// named. A condition written differently from its index's expression would leave a sequential scan here.
    /// </summary>
    [Fact]
    public async Task each_criterion_and_the_newest_first_page_read_an_index_never_every_case()
    {
        var (a, _, _) = await SeedAsync();
        var index = "mt_doc_applicationdetails_idx_";
        var searches = new (CaseCriteria Criteria, string Index)[]
        {
            (new(), $"{index}submitted_at"),
            // A prefix as an auditor types it, long enough to be selective: six characters match every case of the centre's year,
            // and PostgreSQL then rightly prefers to read a whole index whatever indexes there are.
            (new(TrackingNumber: a.TrackingNumber[..^1].ToLowerInvariant()), $"{index}tracking_number"),
            (new(WorkflowId: "import-licence"), $"{index}workflow_id"),
            (new(Agency: "moic-enterprise-registration"), $"{index}agencies"),
            (new(Centre: "LPB"), $"{index}centre"),
            (new(Status: ApplicationStatus.Withdrawn), $"{index}status"),
            (new(From: new DateTimeOffset(2024, 6, 20, 0, 0, 0, Lao), To: new DateTimeOffset(2024, 7, 1, 0, 0, 0, Lao)),
                $"{index}submitted_at"),
            (new(Lateness: LatenessFilter.Late), $"{index}late"),
            (new(Lateness: LatenessFilter.CaseLate), index),
        };
        await using var connection = await Api.Factory.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        // The statistics as an automatic analyze leaves them at any moment of a run (the few cases seeded here), so that the
        // plans do not depend on whether one ran; then sequential scans priced out.
        await using (var off = new NpgsqlCommand(
                         $"analyze {Store.WorkflowStore.Schema}.mt_doc_applicationdetails; set enable_seqscan = off", connection))
            await off.ExecuteNonQueryAsync();
        foreach (var (criteria, expected) in searches)
        {
            var plans = new List<string>();
            foreach (var (sql, values) in CaseSearch.Statements(criteria))
            {
                await using var explain = new NpgsqlCommand($"explain (costs off) {sql}", connection);
                foreach (var value in values) explain.Parameters.Add(new NpgsqlParameter { Value = value });
                var text = await QueryPlans.ReadAsync(explain);
                text.ShouldNotContain("Seq Scan", customMessage: $"{criteria}:\n{text}");
                plans.Add(text);
            }
            // The total is counted on the criterion's own index. The page may instead read the newest first along the index of
            // the day received, filtering as it goes, when the table's statistics say the criterion matches many of the few
            // cases a test holds (after an automatic analyze): PostgreSQL's choice, and an index either way.
            plans.ShouldContain(text => text.Contains(expected), customMessage: $"{criteria}:\n{string.Join("\n", plans)}");
        }

        // The same statements, sent by the search, find what the criteria ask (the plans above are of a working query).
        (await Api.Clocked.Services.GetRequiredService<CaseSearch>().FindAsync(new(Lateness: LatenessFilter.Late))).Items
            .Select(i => i.TrackingNumber).ShouldBe([a.TrackingNumber]);
    }

    /// <summary>The store's schema is what the configuration declares: a restart finds no index to drop and build again.</summary>
    [Fact]
    public async Task the_search_indexes_stand_as_declared_so_a_restart_changes_nothing()
    {
        var store = Api.Factory.Services.GetRequiredService<IDocumentStore>();
        await store.Storage.Database.AssertDatabaseMatchesConfigurationAsync();
    }

    [Theory]
    [InlineData("status=nearly-done", "status")]
    [InlineData("lateness=soon", "lateness")]
    [InlineData("agency=nowhere", "agency")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2024-13-45", "to")]
    [InlineData("from=2024-06-20&to=2024-06-01", "to")]
    [InlineData("page=0", "page")]
    [InlineData("page=two", "page")]
    [InlineData("pageSize=1000", "pageSize")]
    [InlineData("trackingNumber=VTE-2024-00000000000000000000000000000000001", "trackingNumber")]
    public async Task bad_input_is_a_400_naming_the_field_and_changes_nothing(string query, string field)
    {
        await SeedAsync();
        var before = await Api.CountsAsync();
        var response = await ApiFixture.Client(Api.Clocked, "auditor", null).GetAsync($"/api/oversight/cases?{query}");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await Read<Problem>(response);
        problem.Errors.ShouldNotBeNull().Keys.ShouldBe([field]);
        (await Api.CountsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task the_alerts_of_a_target_are_read_by_its_watchers_who_acknowledge_only_the_level_that_named_them()
    {
        var (a, _, _) = await SeedAsync();
        var host = Api.Clocked;
        var national = Client(host, "supervisor", "national-dashboard", null);
        var provincial = Client(host, "supervisor", "provincial-home-affairs", "VTE");
        var otherProvince = Client(host, "supervisor", "provincial-home-affairs", "LPB");

        var alerts = await national.GetFromJsonAsync<JsonElement>("/api/alerts");
        var alert = alerts.EnumerateArray().ShouldHaveSingleItem();
        alert.GetProperty("trackingNumber").GetString().ShouldBe(a.TrackingNumber);
        alert.GetProperty("stepId").GetString().ShouldBe("register");
        alert.GetProperty("level").GetInt32().ShouldBe(2);
        alert.GetProperty("overdueWorkingDays").GetInt32().ShouldBe(6);
        alert.GetProperty("acknowledgedBy").ValueKind.ShouldBe(JsonValueKind.Null);
        (await provincial.GetFromJsonAsync<JsonElement>("/api/alerts")).GetArrayLength().ShouldBe(1);
        (await otherProvince.GetFromJsonAsync<JsonElement>("/api/alerts")).GetArrayLength().ShouldBe(0, "another province's centre");
        (await ApiFixture.Client(host, "auditor", null).GetFromJsonAsync<JsonElement>("/api/alerts?target=provincial-home-affairs"))
            .GetArrayLength().ShouldBe(1, "oversight reads every target's alerts");
        (await Api.Client("supervisor", "moic-enterprise-registration").GetAsync("/api/alerts")).StatusCode
            .ShouldBe(HttpStatusCode.Forbidden);
        (await national.GetAsync("/api/alerts?target=provincial-home-affairs")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var wrong = await national.GetAsync("/api/alerts?target=agency-head");
        wrong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Read<Problem>(wrong)).Errors.ShouldNotBeNull().Keys.ShouldBe(["target"]);

        // A watcher reads nothing else of the case, and acknowledges only a level that named its target, in its own province.
        (await national.GetAsync($"/api/applications/{a.Id}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var before = await Api.CountsAsync();
        (await Post(national, $"/api/applications/{a.Id}/steps/register/escalations/1/acknowledgement", new { }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Post(otherProvince, $"/api/applications/{a.Id}/steps/register/escalations/2/acknowledgement", new { }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.CountsAsync()).ShouldBe(before);
        (await Post(national, $"/api/applications/{a.Id}/steps/register/escalations/2/acknowledgement", new { comment = "seen" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Post(provincial, $"/api/applications/{a.Id}/steps/register/escalations/2/acknowledgement", new { }))
            .StatusCode.ShouldBe(HttpStatusCode.OK, "the level is acknowledged already: nothing more is recorded");
        (await Api.CountsAsync()).Events.ShouldBe(before.Events + 1);
        (await provincial.GetFromJsonAsync<JsonElement>("/api/alerts"))[0].GetProperty("acknowledgedBy").GetString()
            .ShouldBe("Test supervisor of national-dashboard");
    }

    private static HttpClient Client(WebApplicationFactory<Program> host, string role, string agency, string? centre)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            Tokens.Mint($"{role}-{agency}-{centre}", role, agency, name: $"Test {role} of {agency}", centre: centre));
        return client;
    }
}
