using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Workflow.Api.Tests;

/// <summary>
/// What-if from history on a small known history of enterprise registrations at the Vientiane centre, recorded through the
/// API at instants the test sets (June 2024 has no public holiday that closes offices). Every expected figure is counted by
/// hand in the comments from the README's mapping rules.
/// </summary>
public class when_a_designer_replays_a_period_through_a_draft(ApiFixture api) : ApiTest(api)
{
    private const string Moic = "moic-enterprise-registration";
    private const string Seal = "mops-seal-office";

    private static readonly string Shipped =
        File.ReadAllText(Path.Combine(ApiFixture.RepositoryRoot(), "workflows", "enterprise-registration.yaml"));

    private static DateTimeOffset June(int day, int hour, int minute = 0) => new(2024, 6, day, hour, minute, 0, TimeSpan.FromHours(7));

    private HttpClient As(string role, string? agency) => ApiFixture.Client(Api.Clocked, role, agency);

    private async Task Act(DateTimeOffset at, HttpClient client, string url, object body)
    {
        Api.Clock.Now = at;
        var response = await Post(client, url, body);
        response.IsSuccessStatusCode.ShouldBeTrue($"{url} at {at}: {await response.Content.ReadAsStringAsync()}");
    }

    private Task Decide(Guid id, DateTimeOffset at, string step, string outcome = "approve") =>
        Act(at, step is "intake" or "handover" ? As("clerk", "odsc") : As("officer", step == "seal" ? Seal : Moic),
            $"/api/applications/{id}/steps/{step}/decision", new { outcome, reason = "recorded by the test" });

    private async Task<Guid> Submit(DateTimeOffset at)
    {
        Api.Clock.Now = at;
        var response = await Post(As("clerk", "odsc"), "/api/applications", new
        {
            workflowId = "enterprise-registration",
            applicant = new { name = "Somchai Phommavong", idNumber = "0123456" },
            data = new
            {
                enterprise_name = "Mekong Rice Trading", enterprise_type = "sole-trader", registered_capital = 50_000_000,
                business_sector = "wholesale", has_employees = false, province = "Vientiane Capital",
            },
            documents = new[] { "application-form", "owner-id" },
        });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await Read<Created>(response)).Id;
    }

    /// <summary>
    /// Four cases decided in June 2024 (no employees: social security is skipped) and one decided in July, outside the period.
    /// Legal deadline 17 working days from the completeness check; working days from completeness to decision in brackets.
    /// </summary>
    private async Task SeedHistory()
    {
        // A: complete Mon 3 June 10:00 (legal due Wed 26 June); register 7 wd, seal 3 wd, handover 1 wd; approved Tue 18 June [11].
        var a = await Submit(June(3, 9));
        await Decide(a, June(3, 10), "intake");
        await Decide(a, June(12, 11), "register");
        await Decide(a, June(17, 14), "seal");
        await Decide(a, June(18, 10), "handover");
        // B: complete Tue 4 June 09:30; register 3 wd, seal 2 wd, handover the same day; approved Tue 11 June [5].
        var b = await Submit(June(4, 9));
        await Decide(b, June(4, 9, 30), "intake");
        await Decide(b, June(7, 15), "register");
        await Decide(b, June(11, 10), "seal");
        await Decide(b, June(11, 15), "handover");
        // C: complete Wed 5 June 09:30; register returns it after 3 wd (Mon 10 June 11:00), the citizen corrects it on Thu 13 June
        // 09:00 (restart: a fresh 17 wd, due Mon 8 July); register 3 wd, seal 2 wd, handover 1 wd; approved Fri 21 June [12].
        var c = await Submit(June(5, 9));
        await Decide(c, June(5, 9, 30), "intake");
        await Decide(c, June(10, 11), "register", "return");
        await Act(June(13, 9), As("clerk", "odsc"), $"/api/applications/{c}/resubmission", new { comment = "Lao name added" });
        await Decide(c, June(18, 10), "register");
        await Decide(c, June(20, 12), "seal");
        await Decide(c, June(21, 9), "handover");
        // D: complete Thu 6 June 09:30; register rejects it after 4 wd on Wed 12 June 10:00 [4].
        var d = await Submit(June(6, 9));
        await Decide(d, June(6, 9, 30), "intake");
        await Decide(d, June(12, 10), "register", "reject");
        // E: rejected on Mon 1 July: outside the period.
        var e = await Submit(June(24, 9));
        await Decide(e, June(24, 10), "intake");
        await Decide(e, new DateTimeOffset(2024, 7, 1, 10, 0, 0, TimeSpan.FromHours(7)), "register", "reject");
    }

    /// <summary>Legal deadline 10 working days instead of 17; registration 5 instead of 10, the seal 3 instead of 5.</summary>
    private static readonly string Shorter = Shipped.Replace("deadline: 17 working days", "deadline: 10 working days")
        .Replace("deadline: 10 working days\n    approve: [seal", "deadline: 5 working days\n    approve: [seal")
        .Replace("deadline: 5 working days\n    approve: handover\n    return: citizen\n\n  social",
            "deadline: 3 working days\n    approve: handover\n    return: citizen\n\n  social");

    private async Task<JsonElement> WhatIf(string draft)
    {
        var response = await Post(As("designer", null), "/api/what-if", new { source = draft, from = "2024-06-01", to = "2024-06-30" });
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }

    private static (int Cases, int OnTime, double Median, double P90) Figures(JsonElement figures) =>
        (figures.GetProperty("cases").GetInt32(), figures.GetProperty("onTime").GetInt32(),
            figures.GetProperty("medianWorkingDays").GetDouble(), figures.GetProperty("p90WorkingDays").GetDouble());

    private static Dictionary<string, (int Decisions, int Late, int Total)> Agencies(JsonElement figures) =>
        figures.GetProperty("agencies").EnumerateArray().ToDictionary(a => a.GetProperty("agency").GetString()!,
            a => (a.GetProperty("decisions").GetInt32(), a.GetProperty("late").GetInt32(), a.GetProperty("totalWorkingDays").GetInt32()));

    [Fact]
    public async Task the_unchanged_version_reproduces_what_actually_happened()
    {
        await SeedHistory();

        var result = await WhatIf(Shipped);

        // Working days [11, 5, 12, 4]: median (5 + 11) / 2 = 8, 90th percentile (continuous) 11 + 0.7 x (12 - 11) = 11.7.
        Figures(result.GetProperty("actual")).ShouldBe((4, 4, 8, 11.7));
        result.GetProperty("draft").GetRawText().ShouldBe(result.GetProperty("actual").GetRawText());
        result.GetProperty("unmappable").GetArrayLength().ShouldBe(0);
        result.GetProperty("changed").GetArrayLength().ShouldBe(0);
        // Registration: A 7, B 3, C 3 (the return) + 3, D 4 = 20 working days in 5 decisions, none late.
        Agencies(result.GetProperty("actual"))[Moic].ShouldBe((5, 0, 20));

        // The published statistics of the same period and procedure give the same figures.
        await when_the_statistics_are_read.CatchUpAsync(Api.Factory.Services.GetRequiredService<Marten.IDocumentStore>());
        var statistics = await Api.Auditor.GetFromJsonAsync<JsonElement>(
            "/api/statistics?from=2024-06-01&to=2024-06-30&period=custom&workflowId=enterprise-registration&by=procedure");
        var row = statistics.GetProperty("rows").EnumerateArray().Single();
        var actual = result.GetProperty("actual");
        (row.GetProperty("completed").GetInt32(), row.GetProperty("onTime").GetInt32(), row.GetProperty("medianDays").GetDouble(),
                row.GetProperty("p90Days").GetDouble(), row.GetProperty("onTimeRate").GetDouble())
            .ShouldBe((actual.GetProperty("cases").GetInt32(), actual.GetProperty("onTime").GetInt32(),
                actual.GetProperty("medianWorkingDays").GetDouble(), actual.GetProperty("p90WorkingDays").GetDouble(),
                actual.GetProperty("onTimeRate").GetDouble()));
    }

    [Fact]
    public async Task a_shorter_deadline_makes_the_slow_registration_late()
    {
        await SeedHistory();

        var result = await WhatIf(Shorter);

        // A: 10 wd from Mon 3 June fall on Mon 17 June 16:00; the handover on Tue 18 June is late, with the apology. B, C (a
        // fresh 10 wd from the correction: Thu 27 June) and D stay on time. The agencies keep their working days.
        Figures(result.GetProperty("draft")).ShouldBe((4, 3, 8, 11.7));
        result.GetProperty("changed").EnumerateArray().Select(c => c.GetProperty("draft").GetString()).ShouldBe(["late-with-apology"]);
        // Registration took 7 wd in A against 5 allowed: the registration office becomes the bottleneck.
        Agencies(result.GetProperty("draft"))[Moic].ShouldBe((5, 1, 20));
        result.GetProperty("draft").GetProperty("bottleneck").GetString().ShouldBe(Moic);
        result.GetProperty("actual").GetProperty("onTimeRate").GetDouble().ShouldBe(1);
        result.GetProperty("draft").GetProperty("onTimeRate").GetDouble().ShouldBe(0.75);
    }

    [Fact]
    public async Task the_workflow_tool_prints_the_same_comparison_from_the_store()
    {
        await SeedHistory();
        // A server started on the store keeps its catalogue there (agencies and calendars) for the tool to read.
        await using var server = ApiFixture.Host(Api.ConnectionString);
        _ = server.Server;
        var folder = Directory.CreateTempSubdirectory("what-if-").FullName;
        var draft = Path.Combine(folder, "shorter.yaml");
        await File.WriteAllTextAsync(draft, Shorter);
        string[] period = ["what-if", "--draft", draft, "--from", "2024-06-01", "--to", "2024-06-30", "--connection", Api.ConnectionString,
            "--chain-key", Store.Audit.ChainKey.DevelopmentKey];

        var csv = ServerProcess.Cli(folder, [.. period, "--format", "csv"]);
        var table = ServerProcess.Cli(folder, period);

        (await csv.ExitAsync()).ShouldBe(0, csv.AllOutput);
        csv.Output.ShouldContain("all,on time,4,3");
        csv.Output.ShouldContain("all,on-time rate,100.0%,75.0%");
        csv.Output.ShouldContain("all,median working days,8,8");
        csv.Output.ShouldContain($"{Moic},late decisions,0,1");
        (await table.ExitAsync()).ShouldBe(0, table.AllOutput);
        table.AllOutput.ShouldContain("| bottleneck agency");
        table.AllOutput.ShouldContain("1 case(s) change timeliness in the draft; 0 cannot be mapped.");
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task a_parallel_step_the_draft_adds_takes_its_whole_deadline()
    {
        await SeedHistory();
        var draft = Shipped.Replace("approve: [seal, social-security]", "approve: [seal, social-security, tax]")
            .Replace("  social-security:\n", """
                  tax:
                    agency: mof-tax
                    title: Register the enterprise for tax
                    deadline: 4 working days
                    approve: handover

                  social-security:

                """);

        var result = await WhatIf(draft);

        // The tax step takes 4 wd after registration and the handover waits for it, then keeps its own working days:
        // A approved Wed 19 June [12]; B handover opens Thu 13 June 16:00 and is decided then [7]; C approved Tue 25 June [14];
        // D rejected at registration as before [4]. Median (7 + 12) / 2 = 9.5, 90th percentile 12 + 0.7 x 2 = 13.4; all on time.
        Figures(result.GetProperty("draft")).ShouldBe((4, 4, 9.5, 13.4));
        Agencies(result.GetProperty("draft"))["mof-tax"].ShouldBe((3, 0, 12));
    }

    [Fact]
    public async Task a_step_the_draft_removes_is_skipped_and_the_others_keep_their_time()
    {
        await SeedHistory();
        var seal = Shipped.IndexOf("  seal:\n", StringComparison.Ordinal);
        var draft = (Shipped[..seal] + Shipped[Shipped.IndexOf("  social-security:\n", StringComparison.Ordinal)..])
            .Replace("approve: [seal, social-security]", "approve: [social-security, handover]");

        var result = await WhatIf(draft);

        // The handover opens when registration approves and keeps its working days: A Thu 13 June [8], B Fri 7 June [3],
        // C Wed 19 June [10], D [4]. Median (4 + 8) / 2 = 6, 90th percentile 8 + 0.7 x 2 = 9.4.
        Figures(result.GetProperty("draft")).ShouldBe((4, 4, 6, 9.4));
        Agencies(result.GetProperty("draft")).ShouldNotContainKey(Seal);
    }

    [Fact]
    public async Task a_case_whose_recorded_outcome_the_draft_does_not_allow_is_listed_not_dropped()
    {
        await SeedHistory();
        var draft = Shipped.Replace("approve: [seal, social-security]   # both branches start\n    reject: rejected\n",
            "approve: [seal, social-security]   # both branches start\n");

        var result = await WhatIf(draft);

        var unmappable = result.GetProperty("unmappable").EnumerateArray().ToList();
        unmappable.Count.ShouldBe(1);
        unmappable[0].GetProperty("reason").GetString()!.ShouldContain("'register'");
        unmappable[0].GetProperty("reason").GetString()!.ShouldContain("reject");
        // The actual side still counts all four; the draft the three it could replay [11, 5, 12] (90th percentile 11 + 0.8),
        // beside what happened to them.
        Figures(result.GetProperty("actual")).ShouldBe((4, 4, 8, 11.7));
        Figures(result.GetProperty("draft")).ShouldBe((3, 3, 11, 11.8));
        Figures(result.GetProperty("actualOfReplayed")).ShouldBe((3, 3, 11, 11.8));
    }

    [Fact]
    public async Task a_draft_with_a_problem_is_refused_at_its_line_and_nothing_is_replayed()
    {
        var response = await Post(As("designer", null), "/api/what-if", new
        {
            source = Shipped.Replace("agency: mops-seal-office", "agency: no-such-office"), fileName = "draft.yaml",
            from = "2024-06-01", to = "2024-06-30",
        });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var line = Shipped[..Shipped.IndexOf("agency: mops-seal-office", StringComparison.Ordinal)].Count(ch => ch == '\n') + 1;
        problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldContain(n => n.StartsWith($"draft.yaml:{line}:"));
    }

    [Theory]
    [InlineData("2024-06-30", "2024-06-01", "to")]
    [InlineData("2023-01-01", "2024-06-30", "to")]
    [InlineData(null, "2024-06-30", "from")]
    public async Task a_period_out_of_bounds_is_refused_naming_the_field(string? from, string to, string field)
    {
        var response = await Post(As("designer", null), "/api/what-if", new { source = Shipped, from, to });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.GetRawText());
    }
}
