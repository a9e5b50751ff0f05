using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workflow.Store.Identity;

namespace Workflow.Api.Tests;

/// <summary>
/// Luang Prabang (centre LPB) runs a local variant of the national enterprise registration: 15 working days instead of 17,
/// registration in 8 instead of 10. Every other centre runs the standard (rule 16 of Core/README.md).
/// </summary>
public class when_a_centre_runs_a_local_variant(ApiFixture api) : ApiTest(api)
{
    private static readonly string Standard =
        File.ReadAllText(Path.Combine(ApiFixture.RepositoryRoot(), "workflows", "enterprise-registration.yaml"));

    private static readonly string Variant = Standard
        .Replace("id: enterprise-registration", "id: enterprise-registration-lpb\nextends: enterprise-registration\ncentres: [LPB]")
        .Replace("title: Enterprise registration", "title: Enterprise registration in Luang Prabang")
        .Replace("deadline: 17 working days", "deadline: 15 working days")
        .Replace("deadline: 10 working days", "deadline: 8 working days");

    private HttpClient Designer => Api.Client("designer", null, "designer-1");

    private HttpClient ClerkAt(string centre)
    {
        var client = Api.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            Tokens.Mint($"clerk-{centre}", "clerk", "odsc", name: $"Clerk of {centre}", centre: centre));
        return client;
    }

    private Task<HttpResponseMessage> Publish(string source) => FourEyes.PublishAsync(Api, source, "enterprise-registration-lpb.yaml");

    private async Task<Details> Receive(string centre, string workflowId = "enterprise-registration")
    {
        var response = await Post(ClerkAt(centre), "/api/applications", Submission(workflowId));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var created = await Read<Created>(response);
        return (await Api.Auditor.GetFromJsonAsync<Details>($"/api/applications/{created.Id}", ApiFixture.Json))!;
    }

    private static JsonObject Submission(string workflowId)
    {
        var body = JsonSerializer.SerializeToNode(Samples.Submission("enterprise-registration"))!.AsObject();
        body["workflowId"] = workflowId;
        return body;
    }

    [Fact]
    public async Task an_application_received_at_the_centre_follows_the_variant_and_elsewhere_the_standard()
    {
        (await Publish(Variant)).StatusCode.ShouldBe(HttpStatusCode.Created);

        var luangPrabang = await Receive("LPB");
        var vientiane = await Receive("VTE");

        (luangPrabang.WorkflowId, luangPrabang.WorkflowVersion).ShouldBe(("enterprise-registration-lpb", 1));
        vientiane.WorkflowId.ShouldBe("enterprise-registration");
    }

    [Fact]
    public async Task the_variant_asked_for_by_name_at_another_centre_is_refused_and_nothing_is_recorded()
    {
        (await Publish(Variant)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var before = await Api.CountsAsync();

        var response = await Post(ClerkAt("VTE"), "/api/applications", Submission("enterprise-registration-lpb"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Read<Problem>(response)).Errors!["workflowId"][0].ShouldContain("not a procedure of this service at this centre");
        (await Api.CountsAsync()).ShouldBe(before);
        (await Receive("LPB", "enterprise-registration-lpb")).WorkflowId.ShouldBe("enterprise-registration-lpb");
    }

    [Fact]
    public async Task the_designers_list_reads_which_centres_run_a_variant_and_how_it_differs()
    {
        (await Publish(Variant)).StatusCode.ShouldBe(HttpStatusCode.Created);

        var list = await Api.Auditor.GetFromJsonAsync<JsonElement>("/api/workflows/enterprise-registration/variants", ApiFixture.Json);

        list.GetProperty("id").GetString().ShouldBe("enterprise-registration");
        list.GetProperty("variantCentres").EnumerateArray().Select(c => c.GetString()).ShouldBe(["LPB"]);
        var variant = list.GetProperty("variants").EnumerateArray().ShouldHaveSingleItem();
        variant.GetProperty("id").GetString().ShouldBe("enterprise-registration-lpb");
        variant.GetProperty("extends").GetString().ShouldBe("enterprise-registration");
        variant.GetProperty("differences").EnumerateArray().Select(d => d.GetProperty("text").GetString()).ShouldBe([
            "~ procedure legal deadline: 17 working days -> 15 working days",
            "~ step register deadline: 10 working days -> 8 working days",
        ]);
        (await Api.Auditor.GetAsync("/api/workflows/no-such-procedure/variants")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var procedures = await Api.Auditor.GetFromJsonAsync<JsonElement>("/api/workflows", ApiFixture.Json);
        var listed = procedures.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "enterprise-registration-lpb");
        listed.GetProperty("extends").GetString().ShouldBe("enterprise-registration");
        var one = await Api.Auditor.GetFromJsonAsync<JsonElement>("/api/workflows/enterprise-registration-lpb", ApiFixture.Json);
        (one.GetProperty("extends").GetString(), one.GetProperty("centres")[0].GetString()).ShouldBe(("enterprise-registration", "LPB"));
    }

    [Fact]
    public async Task a_variant_that_lengthens_the_legal_deadline_is_refused_at_its_line()
    {
        var response = await Publish(Variant.Replace("deadline: 15 working days", "deadline: 20 working days"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await Read<Problem>(response);
        problem.Errors!.ShouldContain(e => e.Key.StartsWith("enterprise-registration-lpb.yaml:9:")
                                           && e.Value[0].Contains("longer than the 17 of the standard 'enterprise-registration'"));
        (await Api.Auditor.GetAsync("/api/workflows/enterprise-registration-lpb")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
