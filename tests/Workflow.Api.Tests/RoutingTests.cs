using System.Net;
using System.Net.Http.Json;

namespace Workflow.Api.Tests;

public class when_an_application_is_driven_over_http(ApiFixture api) : ApiTest(api)
{
    private async Task<Created> Submit(string workflowId)
    {
        var response = await Post(Api.Clerk, "/api/applications", Samples.Submission(workflowId));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var created = await Read<Created>(response);
        response.Headers.Location!.ToString().ShouldEndWith(created.Id.ToString());
        return created;
    }

    private async Task<Details> Get(Guid id) => await Read<Details>(await Api.Auditor.GetAsync($"/api/applications/{id}"));

    private Task<HttpResponseMessage> Decide(
        Guid id, string step, string agency, string outcome, string reason = "meets the requirements") =>
        Post(Api.For(agency), $"/api/applications/{id}/steps/{step}/decision", new { outcome, reason });

    [Theory]
    [InlineData("enterprise-registration", 5)]
    [InlineData("construction-permit", 8)]
    [InlineData("land-title-transfer", 6)]
    [InlineData("import-licence", 5)]
    [InlineData("accommodation-licence", 6)]
    public async Task officers_of_the_right_agencies_drive_it_to_approved(string workflowId, int decisions)
    {
        var created = await Submit(workflowId);
        created.TrackingNumber.ShouldMatch(@"^VTE-\d{4}-\d{6}$");
        created.Status.ShouldBe("submitted");

        var details = await Get(created.Id);
        for (var round = 0; details.Status != "approved" && round < 20; round++)
        {
            details.OpenSteps.ShouldNotBeEmpty();
            foreach (var step in details.OpenSteps)
                (await Decide(created.Id, step.StepId, step.Agency, "approve")).StatusCode.ShouldBe(HttpStatusCode.OK);
            details = await Get(created.Id);
        }

        details.Status.ShouldBe("approved");
        details.WorkflowId.ShouldBe(workflowId);
        details.WorkflowVersion.ShouldBe(1);
        var history = await Read<History>(await Api.Auditor.GetAsync($"/api/applications/{created.Id}/history"));
        var approvals = history.Events.Where(e => e.Type == "step_approved").ToList();
        approvals.Count.ShouldBe(decisions);
        foreach (var approval in approvals)
        {
            approval.Actor.Agency.ShouldBe(approval.Data.GetProperty("agency").GetString());
            approval.Data.GetProperty("by").GetProperty("userId").GetString().ShouldBe(approval.Actor.UserId);
            approval.Data.GetProperty("reason").GetString().ShouldBe("meets the requirements");
        }
        history.Events.Select(e => e.Version).ShouldBe(Enumerable.Range(1, history.Events.Count).Select(v => (long)v));
        history.Events.Last().Type.ShouldBe("application_approved");
    }

    [Fact]
    public async Task a_rejection_finishes_it_as_rejected_and_later_decisions_are_refused()
    {
        var created = await Submit("enterprise-registration");
        await Decide(created.Id, "intake", "odsc", "approve");

        var rejected = await Decide(created.Id, "register", "moic-enterprise-registration", "reject", "the name is already registered");

        rejected.StatusCode.ShouldBe(HttpStatusCode.OK);
        var details = await Get(created.Id);
        details.Status.ShouldBe("rejected");
        details.OpenSteps.ShouldBeEmpty();
        details.CompletedSteps.Last().ShouldSatisfyAllConditions(
            s => s.Outcome.ShouldBe("rejected"), s => s.Reason.ShouldBe("the name is already registered"),
            s => s.By!.Agency.ShouldBe("moic-enterprise-registration"));
        var again = await Decide(created.Id, "register", "moic-enterprise-registration", "approve");
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Read<Problem>(again)).Code.ShouldBe("application-finished");
        (await Read<Inbox>(await Api.For("moic-enterprise-registration").GetAsync("/api/agencies/moic-enterprise-registration/inbox")))
            .Total.ShouldBe(0);
    }

    [Fact]
    public async Task a_return_waits_for_the_citizen_and_the_resubmission_reopens_the_step()
    {
        var created = await Submit("enterprise-registration");
        await Decide(created.Id, "intake", "odsc", "approve");
        await Decide(created.Id, "register", "moic-enterprise-registration", "approve");

        (await Decide(created.Id, "seal", "mops-seal-office", "return", "the seal design is missing"))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Decide(created.Id, "social-security", "molsw-social-security", "approve")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var waiting = await Get(created.Id);
        waiting.Status.ShouldBe("awaiting-correction");
        waiting.OpenSteps.ShouldHaveSingleItem()
            .ShouldSatisfyAllConditions(s => s.StepId.ShouldBe("seal"), s => s.AwaitingCorrection.ShouldBeTrue());
        (await Read<Inbox>(await Api.For("mops-seal-office").GetAsync("/api/agencies/mops-seal-office/inbox"))).Total.ShouldBe(0);

        var resubmitted = await Post(Api.Clerk, $"/api/applications/{created.Id}/resubmission",
            new { data = new { enterprise_name = "Mekong Rice Trading Co" }, comment = "seal design attached" });
        resubmitted.StatusCode.ShouldBe(HttpStatusCode.OK, await resubmitted.Content.ReadAsStringAsync());

        var reopened = await Get(created.Id);
        reopened.Status.ShouldBe("in-progress");
        reopened.OpenSteps.ShouldHaveSingleItem()
            .ShouldSatisfyAllConditions(s => s.StepId.ShouldBe("seal"), s => s.AwaitingCorrection.ShouldBeFalse());
        await Decide(created.Id, "seal", "mops-seal-office", "approve");
        var joined = await Get(created.Id);
        joined.OpenSteps.Select(s => s.StepId).ShouldBe(["handover"]);
    }

    [Fact]
    public async Task a_clerk_can_withdraw_it_with_a_reason()
    {
        var created = await Submit("land-title-transfer");

        var withdrawn = await Post(Api.Clerk, $"/api/applications/{created.Id}/withdrawal", new { reason = "the sale was cancelled" });

        withdrawn.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Get(created.Id)).Status.ShouldBe("withdrawn");
    }

    [Fact]
    public async Task the_inbox_lists_open_steps_earliest_due_first_and_pages()
    {
        var first = await Submit("enterprise-registration");
        var second = await Submit("import-licence");
        await Submit("construction-permit");
        await Decide(first.Id, "intake", "odsc", "approve");

        var page1 = await Read<Inbox>(await Api.Clerk.GetAsync("/api/agencies/odsc/inbox?page=1&pageSize=1"));
        var page2 = await Read<Inbox>(await Api.Clerk.GetAsync("/api/agencies/odsc/inbox?page=2&pageSize=1"));

        page1.Total.ShouldBe(2);
        page1.Items.Single().ApplicationId.ShouldBe(second.Id);
        page2.Items.Single().StepId.ShouldBe("intake");
        page1.Items[0].DueAt.ShouldBeLessThanOrEqualTo(page2.Items[0].DueAt);
        var moic = await Read<Inbox>(
            await Api.For("moic-enterprise-registration").GetAsync("/api/agencies/moic-enterprise-registration/inbox"));
        moic.Items.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            i => i.StepId.ShouldBe("register"),
            i => i.TrackingNumber.ShouldBe(first.TrackingNumber),
            i => i.WorkflowId.ShouldBe("enterprise-registration"));
    }

    [Fact]
    public async Task a_repeated_submission_with_the_same_idempotency_key_returns_the_first_application()
    {
        var client = Api.Clerk;
        client.DefaultRequestHeaders.Add("Idempotency-Key", "counter-3/2026-11-27/0001");

        var first = await Read<Created>(await Post(client, "/api/applications", Samples.Submission("import-licence")));
        var second = await Read<Created>(await Post(client, "/api/applications", Samples.Submission("import-licence")));

        second.Id.ShouldBe(first.Id);
        second.TrackingNumber.ShouldBe(first.TrackingNumber);
        (await Api.CountsAsync()).ShouldBe((2L, 1L));
    }

    [Fact]
    public async Task every_event_records_the_channel_the_delegation_and_the_rules_in_force()
    {
        var clerk = Api.Clerk;
        clerk.DefaultRequestHeaders.Add("X-Correlation-Id", "counter-visit-42");
        var created = await Read<Created>(await Post(clerk, "/api/applications", Samples.Submission("import-licence")));
        var officer = Api.For("odsc");
        officer.DefaultRequestHeaders.Add("X-Channel", "web");
        officer.DefaultRequestHeaders.Add("X-On-Behalf-Of", "head-of-centre");
        await Post(officer, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });

        var history = await Read<History>(await Api.Auditor.GetAsync($"/api/applications/{created.Id}/history"));

        history.Events.ShouldAllBe(e => e.Procedure == "import-licence@1" && e.Calendar!.StartsWith("odsc-vientiane-capital@1"));
        history.Events.Where(e => e.Version <= 2).ShouldAllBe(e => e.Channel == "counter" && e.CorrelationId == "counter-visit-42");
        history.Events.Where(e => e.Version > 2).ShouldAllBe(e => e.Channel == "web" && e.Actor.OnBehalfOf == "head-of-centre");
    }
}
