using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Workflow.Api.Tests;

public class when_a_designer_publishes_a_new_version(ApiFixture api) : ApiTest(api)
{
    private static readonly string Version1 =
        File.ReadAllText(Path.Combine(ApiFixture.RepositoryRoot(), "workflows", "enterprise-registration.yaml"));

    private static string Version(int number, int registerDays = 8, string? effective = null) =>
        Version1.Replace("version: 1", $"version: {number}" + (effective is null ? "" : $"\neffective: {effective}"))
            .Replace("deadline: 10 working days", $"deadline: {registerDays} working days");

    private HttpClient Designer => Api.Client("designer", null, "designer-1");

    private Task<HttpResponseMessage> Publish(string source) => FourEyes.PublishAsync(Api, source);

    private async Task<int> RegisterDays(Guid id)
    {
        await Post(Api.Clerk, $"/api/applications/{id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });
        var history = await Read<History>(await Api.Auditor.GetAsync($"/api/applications/{id}/history"));
        return history.Events.Single(e => e.Type == "step_opened" && e.Data.GetProperty("stepId").GetString() == "register")
            .Data.GetProperty("workingDays").GetInt32();
    }

    [Fact]
    public async Task new_applications_follow_it_while_open_ones_finish_on_theirs()
    {
        var before = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));

        var published = await Publish(Version(2));
        published.StatusCode.ShouldBe(HttpStatusCode.Created, await published.Content.ReadAsStringAsync());
        var after = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));

        (await Api.Auditor.GetFromJsonAsync<Details>($"/api/applications/{before.Id}", ApiFixture.Json))!.WorkflowVersion.ShouldBe(1);
        (await Api.Auditor.GetFromJsonAsync<Details>($"/api/applications/{after.Id}", ApiFixture.Json))!.WorkflowVersion.ShouldBe(2);
        (await RegisterDays(before.Id)).ShouldBe(10);
        (await RegisterDays(after.Id)).ShouldBe(8);

        var versions = await Api.Auditor.GetFromJsonAsync<JsonElement>("/api/workflows/enterprise-registration/versions");
        versions.EnumerateArray()
            .Select(v => (v.GetProperty("version").GetInt32(), v.GetProperty("origin").GetString(), v.GetProperty("inForce").GetBoolean()))
            .ShouldBe([(1, "file", false), (2, "api", true)]);
        versions[1].GetProperty("publishedBy").GetString().ShouldBe("designer-1");
        (await Api.Auditor.GetFromJsonAsync<JsonElement>("/api/workflows/enterprise-registration"))
            .GetProperty("version").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task a_version_takes_effect_on_its_date_and_a_retired_one_no_longer_receives_applications()
    {
        (await Publish(Version(2))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await Publish(Version(3, registerDays: 7, effective: "2099-01-01"))).StatusCode.ShouldBe(HttpStatusCode.Created);

        var now = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        (await Api.Auditor.GetFromJsonAsync<Details>($"/api/applications/{now.Id}", ApiFixture.Json))!.WorkflowVersion.ShouldBe(2);

        (await Post(Designer, "/api/workflows/enterprise-registration/versions/2/retirement", new { }))
            .StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var later = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        (await Api.Auditor.GetFromJsonAsync<Details>($"/api/applications/{later.Id}", ApiFixture.Json))!.WorkflowVersion.ShouldBe(1);
        (await Post(Api.Clerk, $"/api/applications/{now.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK, "a case on a retired version finishes on it");
    }

    [Fact]
    public async Task an_invalid_or_older_version_is_refused_with_its_problems_and_nothing_changes()
    {
        var invalid = await Publish(Version(2).Replace("agency: mops-seal-office", "agency: ministry-of-magic"));
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await Read<Problem>(invalid);
        problem.Errors!.ShouldContain(e => e.Key.StartsWith("enterprise-registration.yaml:") && e.Value[0].Contains("ministry-of-magic"));

        var older = await Publish(Version1.Replace("deadline: 10 working days", "deadline: 9 working days"));
        older.StatusCode.ShouldBe(HttpStatusCode.Conflict);

        (await Post(Api.For("moic-enterprise-registration"), "/api/workflows", new { source = Version(2) }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var versions = await Api.Auditor.GetFromJsonAsync<JsonElement>("/api/workflows/enterprise-registration/versions");
        versions.GetArrayLength().ShouldBe(1);
    }
}

public class when_running_applications_are_migrated_to_a_new_version(ApiFixture api) : ApiTest(api)
{
    private static readonly string Version1 =
        File.ReadAllText(Path.Combine(ApiFixture.RepositoryRoot(), "workflows", "enterprise-registration.yaml"));

    /// <summary>Version 2 renames the registration step and gives it 8 working days.</summary>
    private static readonly string Version2 = Version1.Replace("version: 1", "version: 2")
        .Replace("approve: register", "approve: registration")
        .Replace("  register:\n", "  registration:\n").Replace("deadline: 10 working days", "deadline: 8 working days");

    private HttpClient Designer => Api.Client("designer", null, "designer-1");

    private Task<HttpResponseMessage> Migrate(object mapping, bool apply) =>
        Post(Designer, "/api/workflows/enterprise-registration/migrations",
            new { fromVersion = 1, toVersion = 2, mapping, reason = "Decision 12/2026 shortens registration", apply });

    [Fact]
    public async Task a_dry_run_reports_and_changes_nothing_then_applying_moves_open_steps_without_rerunning_finished_ones()
    {
        var waiting = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        var registering = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        await Post(Api.Clerk, $"/api/applications/{registering.Id}/steps/intake/decision",
            new { outcome = "approve", reason = "complete" });
        (await FourEyes.PublishAsync(Api, Version2)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var before = await Api.CountsAsync();

        var unmapped = await Read<JsonElement>(await Migrate(new { }, apply: false));
        unmapped.EnumerateArray().Single(r => r.GetProperty("applicationId").GetGuid() == registering.Id)
            .GetProperty("problems")[0].GetString()!.ShouldContain("'register' has no counterpart");
        var rerun = await Read<JsonElement>(await Migrate(new { register = "intake" }, apply: false));
        rerun.EnumerateArray().Single(r => r.GetProperty("applicationId").GetGuid() == registering.Id)
            .GetProperty("problems")[0].GetString()!.ShouldContain("already finished");
        var dry = await Read<JsonElement>(await Migrate(new { register = "registration" }, apply: false));
        dry.EnumerateArray().ShouldAllBe(r => r.GetProperty("problems").GetArrayLength() == 0 && !r.GetProperty("applied").GetBoolean());
        dry.EnumerateArray().Single(r => r.GetProperty("applicationId").GetGuid() == registering.Id)
            .GetProperty("changes")[0].GetString()!.ShouldContain("becomes 'registration'");
        (await Api.CountsAsync()).ShouldBe(before);

        var applied = await Read<JsonElement>(await Migrate(new { register = "registration" }, apply: true));
        applied.EnumerateArray().ShouldAllBe(r => r.GetProperty("applied").GetBoolean());

        var details = await Api.Auditor.GetFromJsonAsync<Details>($"/api/applications/{registering.Id}", ApiFixture.Json);
        details!.WorkflowVersion.ShouldBe(2);
        details.OpenSteps.ShouldHaveSingleItem().StepId.ShouldBe("registration");
        details.CompletedSteps.Count(s => s.StepId == "intake").ShouldBe(1);
        var inbox = await Read<Inbox>(
            await Api.For("moic-enterprise-registration").GetAsync("/api/agencies/moic-enterprise-registration/inbox"));
        inbox.Items.ShouldHaveSingleItem().StepId.ShouldBe("registration");
        var history = await Read<History>(await Api.Auditor.GetAsync($"/api/applications/{registering.Id}/history"));
        var migrated = history.Events.Single(e => e.Type == "application_migrated");
        migrated.Actor.UserId.ShouldBe("designer-1");
        migrated.Data.GetProperty("reason").GetString().ShouldBe("Decision 12/2026 shortens registration");
        migrated.Data.GetProperty("mapping").GetProperty("register").GetString().ShouldBe("registration");

        (await Post(Api.For("moic-enterprise-registration"), $"/api/applications/{registering.Id}/steps/registration/decision",
            new { outcome = "approve", reason = "registered" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Api.Auditor.GetFromJsonAsync<Details>($"/api/applications/{registering.Id}", ApiFixture.Json))!
            .OpenSteps.Select(s => s.StepId).Order().ShouldBe(["seal", "social-security"]);
        (await Api.Auditor.GetFromJsonAsync<Details>($"/api/applications/{waiting.Id}", ApiFixture.Json))!.WorkflowVersion.ShouldBe(2);
    }
}
