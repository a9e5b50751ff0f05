using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Workflow.Api.Tests;

public class when_a_finished_case_is_replayed(ApiFixture api) : ApiTest(api)
{
    /// <summary>The state as returned, without the counts of remaining working days, which are relative to the moment asked.</summary>
    private static string Comparable(JsonElement application)
    {
        var node = JsonNode.Parse(application.GetRawText())!.AsObject();
        node["clock"]!.AsObject().Remove("remainingWorkingDays");
        foreach (var step in node["openSteps"]!.AsArray()) step!.AsObject().Remove("remainingWorkingDays");
        return node.ToJsonString();
    }

    [Fact]
    public async Task each_version_gives_the_state_the_api_returned_at_that_moment()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        var seen = new Dictionary<long, string>();
        async Task<JsonElement> Capture()
        {
            var response = await Api.Auditor.GetAsync($"/api/applications/{created.Id}");
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            seen[long.Parse(response.Headers.ETag!.Tag.Trim('"'))] = Comparable(body);
            return body;
        }

        var state = await Capture();
        await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });
        await Capture();
        await Post(Api.For("moic-enterprise-registration"), $"/api/applications/{created.Id}/steps/register/decision",
            new { outcome = "return", reason = "name not in Lao script" });
        await Capture();
        await Post(Api.Clerk, $"/api/applications/{created.Id}/resubmission", new { comment = "Lao name added" });
        state = await Capture();
        while (state.GetProperty("status").GetString() != "approved")
        {
            foreach (var step in state.GetProperty("openSteps").EnumerateArray())
                await Post(Api.For(step.GetProperty("agency").GetString()!),
                    $"/api/applications/{created.Id}/steps/{step.GetProperty("stepId").GetString()}/decision",
                    new { outcome = "approve", reason = "in order" });
            state = await Capture();
        }
        seen.Count.ShouldBeGreaterThan(5);

        foreach (var (version, expected) in seen)
        {
            var replayed = await Api.Auditor.GetAsync($"/api/applications/{created.Id}?atVersion={version}");
            replayed.StatusCode.ShouldBe(HttpStatusCode.OK);
            replayed.Headers.ETag!.Tag.ShouldBe($"\"{version}\"");
            Comparable(await replayed.Content.ReadFromJsonAsync<JsonElement>()).ShouldBe(expected, $"version {version}");
        }
    }

    [Fact]
    public async Task as_of_a_moment_gives_the_state_then()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("import-licence")));
        DateTimeOffset before;
        // The instant the submission was stored (the database's time, which asOf reads): the decision comes after it.
        await using (var session = Api.Factory.Services.GetRequiredService<IDocumentStore>().QuerySession())
            before = (await session.Events.FetchStreamAsync(created.Id)).Max(e => e.Timestamp);
        await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });

        var then = await Api.Auditor.GetFromJsonAsync<JsonElement>(
            $"/api/applications/{created.Id}?asOf={Uri.EscapeDataString(before.ToString("O"))}");
        var now = await Api.Auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{created.Id}");

        then.GetProperty("status").GetString().ShouldBe("submitted");
        then.GetProperty("openSteps")[0].GetProperty("stepId").GetString().ShouldBe("intake");
        now.GetProperty("status").GetString().ShouldBe("in-progress");
        (await Api.Auditor.GetAsync($"/api/applications/{created.Id}?asOf=2001-01-01T00:00:00Z"))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Api.Auditor.GetAsync($"/api/applications/{created.Id}?atVersion=0")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
