using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Store.Definitions;

namespace Workflow.Api.Tests;

/// <summary>Publication through the API as it works everywhere: one designer asks, a second one approves.</summary>
public static class FourEyes
{
    /// <summary>Asks as designer-1 and approves as designer-2; the answer of the approval (or of the request when refused).</summary>
    public static async Task<HttpResponseMessage> PublishAsync(ApiFixture api, string source,
        string fileName = "enterprise-registration.yaml")
    {
        var asked = await api.Client("designer", null, "designer-1").PostAsJsonAsync("/api/workflows", new { fileName, source },
            ApiFixture.Json);
        if (asked.StatusCode != HttpStatusCode.Accepted) return asked;
        var id = (await asked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        return await api.Client("designer", null, "designer-2").PostAsync($"/api/publication-requests/{id}/approval", null);
    }
}

public class when_designers_keep_drafts(ApiFixture api) : ApiTest(api)
{
    private static readonly string Version1 =
        File.ReadAllText(Path.Combine(ApiFixture.RepositoryRoot(), "workflows", "enterprise-registration.yaml"));

    private HttpClient Phout => Api.Client("designer", null, "designer-1");
    private HttpClient Noy => Api.Client("designer", null, "designer-2");

    private static int LineOf(string text, string fragment) =>
        text[..text.IndexOf(fragment, StringComparison.Ordinal)].Count(c => c == '\n') + 1;

    [Fact]
    public async Task a_draft_with_a_mistake_lists_it_at_its_line_and_column_and_a_corrected_one_has_no_problem()
    {
        var broken = Version1.Replace("version: 1", "version: 2").Replace("deadline: 10 working days", "deadline: ten working days");

        var saved = await Post(Phout, "/api/drafts", new { fileName = "enterprise-registration.yaml", source = broken });

        saved.StatusCode.ShouldBe(HttpStatusCode.Created);
        var draft = await Read<Draft>(saved);
        var problem = draft.Problems.ShouldHaveSingleItem();
        problem.Line.ShouldBe(LineOf(broken, "deadline: ten working days"));
        problem.Column.ShouldBeGreaterThan(1);
        problem.Message.ShouldContain("ten working days");
        draft.WorkflowId.ShouldBe("enterprise-registration");

        var fixedText = broken.Replace("deadline: ten working days", "deadline: 8 working days");
        var again = await Phout.PutAsJsonAsync($"/api/drafts/{draft.Id}", new { fileName = "enterprise-registration.yaml", source = fixedText },
            ApiFixture.Json);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Read<Draft>(again)).Problems.ShouldBeEmpty();
        (await Phout.GetFromJsonAsync<Draft>($"/api/drafts/{draft.Id}", ApiFixture.Json))!.Source.ShouldBe(fixedText);
    }

    [Fact]
    public async Task a_draft_is_its_designers_own_and_is_never_in_force()
    {
        var text = Version1.Replace("version: 1", "version: 2").Replace("deadline: 10 working days", "deadline: 8 working days");
        var draft = await Read<Draft>(await Post(Phout, "/api/drafts", new { fileName = "enterprise-registration.yaml", source = text }));

        (await Noy.GetAsync($"/api/drafts/{draft.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Noy.PutAsJsonAsync($"/api/drafts/{draft.Id}", new { source = "id: taken" }, ApiFixture.Json))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Noy.DeleteAsync($"/api/drafts/{draft.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Noy.GetFromJsonAsync<List<Draft>>("/api/drafts", ApiFixture.Json))!.ShouldBeEmpty();
        (await Phout.GetFromJsonAsync<List<Draft>>("/api/drafts", ApiFixture.Json))!.ShouldHaveSingleItem().Id.ShouldBe(draft.Id);

        var submitted = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        (await Api.Auditor.GetFromJsonAsync<Details>($"/api/applications/{submitted.Id}", ApiFixture.Json))!.WorkflowVersion.ShouldBe(1);
        (await Api.Auditor.GetFromJsonAsync<JsonElement>("/api/workflows/enterprise-registration/versions")).GetArrayLength().ShouldBe(1);

        (await Phout.DeleteAsync($"/api/drafts/{draft.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await Phout.GetAsync($"/api/drafts/{draft.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task an_elsa_flowchart_becomes_a_draft_and_an_unreadable_one_is_refused_on_its_field()
    {
        var flowchart = File.ReadAllText(Path.Combine(ApiFixture.RepositoryRoot(), "tests", "Workflow.Design.Tests", "Elsa",
            "licence-flowchart.json"));

        var draft = await Read<Draft>(await Post(Phout, "/api/drafts", new { elsaFlowchart = flowchart }));
        draft.Source.ShouldContain("steps:");
        // The flowchart names agencies a, b and c, which the catalogue does not know: each is listed where the draft says it.
        draft.Problems.ShouldNotBeEmpty();
        draft.Problems.ShouldAllBe(p => p.Message.Contains("unknown agency") && p.Line > 1);

        var bad = await Post(Phout, "/api/drafts", new { elsaFlowchart = "{ not json" });
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Read<Problem>(bad)).Errors!.Keys.ShouldContain("elsaFlowchart");
        (await Phout.GetFromJsonAsync<List<Draft>>("/api/drafts", ApiFixture.Json))!.Count.ShouldBe(1);
    }
}

public class when_a_publication_needs_a_second_designer(ApiFixture api) : ApiTest(api)
{
    private static readonly string Version1 =
        File.ReadAllText(Path.Combine(ApiFixture.RepositoryRoot(), "workflows", "enterprise-registration.yaml"));

    private static readonly string Version2 =
        Version1.Replace("version: 1", "version: 2").Replace("deadline: 10 working days", "deadline: 8 working days");

    private HttpClient Designer(int n) => Api.Client("designer", null, $"designer-{n}");

    private async Task<Guid> AskAsync(object body)
    {
        var asked = await Post(Designer(1), "/api/workflows", body);
        asked.StatusCode.ShouldBe(HttpStatusCode.Accepted, await asked.Content.ReadAsStringAsync());
        return (await Read<JsonElement>(asked)).GetProperty("id").GetGuid();
    }

    private async Task<int> StoredVersion2Async()
    {
        await using var session = Api.Factory.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Query<StoredDefinition>().Where(d => d.WorkflowId == "enterprise-registration" && d.Version == 2).CountAsync();
    }

    [Fact]
    public async Task the_designer_who_asked_cannot_approve_and_another_publishes_it_with_both_names_and_its_date()
    {
        var id = await AskAsync(new { fileName = "enterprise-registration.yaml", source = Version2, effective = "2099-01-01" });
        (await StoredVersion2Async()).ShouldBe(0, "asking publishes nothing");

        var own = await Post(Designer(1), $"/api/publication-requests/{id}/approval", new { });
        own.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Read<Problem>(own)).Code.ShouldBe("four-eyes");
        (await StoredVersion2Async()).ShouldBe(0);

        var approved = await Post(Designer(2), $"/api/publication-requests/{id}/approval", new { });
        approved.StatusCode.ShouldBe(HttpStatusCode.Created, await approved.Content.ReadAsStringAsync());

        var versions = await Api.Auditor.GetFromJsonAsync<JsonElement>("/api/workflows/enterprise-registration/versions");
        var version2 = versions.EnumerateArray().Single(v => v.GetProperty("version").GetInt32() == 2);
        version2.GetProperty("publishedBy").GetString().ShouldBe("designer-1");
        version2.GetProperty("approvedBy").GetString().ShouldBe("designer-2");
        version2.GetProperty("approvedAt").GetDateTimeOffset().ShouldBeGreaterThan(version2.GetProperty("requestedAt").GetDateTimeOffset());
        version2.GetProperty("effectiveFrom").GetString().ShouldBe("2099-01-01");
        version2.GetProperty("inForce").GetBoolean().ShouldBeFalse("it takes effect in 2099");
        (await Read<JsonElement>(await Designer(1).GetAsync($"/api/publication-requests/{id}")))
            .GetProperty("status").GetString().ShouldBe("approved");
        (await Post(Designer(3), $"/api/publication-requests/{id}/approval", new { })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task two_designers_approving_at_the_same_moment_publish_it_once()
    {
        var id = await AskAsync(new { fileName = "enterprise-registration.yaml", source = Version2 });

        var answers = await Task.WhenAll(Enumerable.Range(2, 8).Select(n =>
            Post(Designer(n), $"/api/publication-requests/{id}/approval", new { })));

        answers.Count(a => a.StatusCode == HttpStatusCode.Created).ShouldBe(1);
        answers.Count(a => a.StatusCode == HttpStatusCode.Conflict).ShouldBe(7);
        (await StoredVersion2Async()).ShouldBe(1);
    }

    [Fact]
    public async Task a_text_with_a_mistake_is_refused_with_its_line_and_column_and_nothing_is_asked()
    {
        var broken = Version2.Replace("agency: mops-seal-office", "agency: ministry-of-magic");
        var line = broken[..broken.IndexOf("ministry-of-magic", StringComparison.Ordinal)].Count(c => c == '\n') + 1;

        var refused = await Post(Designer(1), "/api/workflows", new { fileName = "enterprise-registration.yaml", source = broken });

        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Read<Problem>(refused)).Errors!.ShouldContain(e =>
            e.Key.StartsWith($"enterprise-registration.yaml:{line}:") && e.Value[0].Contains("ministry-of-magic"));
        (await Designer(2).GetFromJsonAsync<JsonElement>("/api/publication-requests")).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task the_same_request_twice_is_one_request_and_only_its_designer_withdraws_it()
    {
        var first = await AskAsync(new { fileName = "enterprise-registration.yaml", source = Version2 });
        (await AskAsync(new { fileName = "enterprise-registration.yaml", source = Version2 })).ShouldBe(first);

        (await Post(Designer(2), $"/api/publication-requests/{first}/withdrawal", new { })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Post(Designer(1), $"/api/publication-requests/{first}/withdrawal", new { })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Post(Designer(2), $"/api/publication-requests/{first}/approval", new { })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await StoredVersion2Async()).ShouldBe(0);
    }
}
