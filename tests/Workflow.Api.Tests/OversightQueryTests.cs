using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Workflow.Store;
using Workflow.Store.Applications;

namespace Workflow.Api.Tests;

public class when_auditors_query_the_record(ApiFixture api) : ApiTest(api)
{
    private static readonly TimeSpan Lao = TimeSpan.FromHours(7);

    [Fact]
    public async Task decisions_breaches_repeated_returns_and_late_decisions_are_found_and_filtered()
    {
        var clock = Api.Clock;
        clock.Now = new DateTimeOffset(2024, 6, 3, 9, 0, 0, Lao);
        var host = Api.Clocked;
        var clerk = ApiFixture.Client(host, "clerk", "odsc");
        var officer = ApiFixture.Client(host, "officer", "moic-enterprise-registration", "officer-7");
        var supervisor = ApiFixture.Client(host, "supervisor", "moic-enterprise-registration", "head-2");
        var auditor = ApiFixture.Client(host, "auditor", null);

        var late = await Read<Created>(await Post(clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        await Post(clerk, $"/api/applications/{late.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });
        await Post(officer, $"/api/applications/{late.Id}/steps/register/decision", new { outcome = "return", reason = "name not in Lao" });
        await Post(clerk, $"/api/applications/{late.Id}/resubmission", new { comment = "fixed" });
        (await Post(supervisor, $"/api/applications/{late.Id}/steps/register/decision",
            new { outcome = "return", reason = "owner id expired", reasonCode = "document:owner-id" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        await Post(clerk, $"/api/applications/{late.Id}/resubmission", new { documents = new[] { "owner-id" } });
        var other = await Read<Created>(await Post(clerk, "/api/applications", Samples.Submission("import-licence")));
        await Post(clerk, $"/api/applications/{other.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });

        clock.Now = new DateTimeOffset(2024, 6, 25, 10, 0, 0, Lao);
        while (await host.Services.GetRequiredService<DeadlineSweeper>().SweepOnceAsync() > 0) { }
        (await auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{late.Id}")).GetProperty("breaches").GetArrayLength()
            .ShouldBe(1, "the sweep recorded the breach of the registration step");
        await Post(officer, $"/api/applications/{late.Id}/steps/register/decision", new { outcome = "approve", reason = "registered" });

        var byOfficer = await auditor.GetFromJsonAsync<JsonElement>("/api/oversight/decisions?user=officer-7");
        byOfficer.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("outcome").GetString())
            .ShouldBe(["returned", "approved"]);
        byOfficer.GetProperty("items")[0].GetProperty("trackingNumber").GetString().ShouldBe(late.TrackingNumber);

        var lateOnes = await auditor.GetFromJsonAsync<JsonElement>("/api/oversight/late-decisions?agency=moic-enterprise-registration");
        lateOnes.GetProperty("items").EnumerateArray().ShouldHaveSingleItem().GetProperty("reason").GetString().ShouldBe("registered");

        var breaches = await auditor.GetFromJsonAsync<JsonElement>("/api/oversight/breaches?workflowId=enterprise-registration");
        breaches.GetProperty("byAgency").EnumerateArray()
            .ShouldContain(a => a.GetProperty("agency").GetString() == "moic-enterprise-registration");
        breaches.GetProperty("breaches").GetProperty("items").EnumerateArray()
            .ShouldContain(b => b.GetProperty("stepId").GetString() == "register" && b.GetProperty("applicationId").GetGuid() == late.Id);

        var returned = await auditor.GetFromJsonAsync<JsonElement>("/api/oversight/returned");
        var repeat = returned.GetProperty("items").EnumerateArray().ShouldHaveSingleItem();
        repeat.GetProperty("applicationId").GetGuid().ShouldBe(late.Id);
        repeat.GetProperty("returns").GetInt32().ShouldBe(2);

        (await auditor.GetFromJsonAsync<JsonElement>("/api/oversight/decisions?workflowId=import-licence"))
            .GetProperty("items").EnumerateArray().ShouldAllBe(d => d.GetProperty("procedure").GetString() == "import-licence@1");
        (await auditor.GetFromJsonAsync<JsonElement>("/api/oversight/decisions?to=2001-01-01T00:00:00Z"))
            .GetProperty("total").GetInt32().ShouldBe(0);
        (await auditor.GetFromJsonAsync<JsonElement>("/api/oversight/decisions?pageSize=1&page=2"))
            .GetProperty("items").GetArrayLength().ShouldBe(1);
        (await clerk.GetAsync("/api/oversight/decisions")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}
