using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace Workflow.Api.Tests;

public class when_a_request_is_not_allowed_or_not_valid(ApiFixture api) : ApiTest(api)
{
    private async Task<Created> Registered()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });
        return created;
    }

    [Fact]
    public async Task an_officer_of_another_agency_gets_403_and_nothing_changes()
    {
        var created = await Registered();
        var before = await Api.CountsAsync();

        var response = await Post(Api.For("mops-seal-office"), $"/api/applications/{created.Id}/steps/register/decision",
            new { outcome = "approve", reason = "looks fine" });

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Read<Problem>(response)).Detail.ShouldBe("You may not read or change this application.");
        (await Api.CountsAsync()).ShouldBe(before);
        (await Api.For("mops-seal-office").GetAsync($"/api/applications/{created.Id}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.For("mops-seal-office").GetAsync("/api/agencies/moic-enterprise-registration/inbox"))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task an_auditor_reads_everything_and_changes_nothing()
    {
        var created = await Registered();
        var before = await Api.CountsAsync();

        (await Api.Auditor.GetAsync($"/api/applications/{created.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Api.Auditor.GetAsync($"/api/applications/{created.Id}/history")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Api.Auditor.GetAsync("/api/agencies/moic-enterprise-registration/inbox")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Post(Api.Auditor, $"/api/applications/{created.Id}/steps/register/decision", new { outcome = "approve", reason = "x" }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Post(Api.Auditor, "/api/applications", Samples.Submission("import-licence"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.CountsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task no_token_gets_401()
    {
        (await Api.Anonymous.GetAsync("/api/workflows")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Api.Anonymous.PostAsJsonAsync("/api/applications", Samples.Submission("import-licence")))
            .StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var forged = Api.Factory.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new("Bearer",
            Store.Identity.Tokens.Mint("x", "admin", null, signingKey: "another-key-that-is-long-enough-to-sign-with-0123456789"));
        (await forged.GetAsync("/api/workflows")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Api.CountsAsync()).ShouldBe((0L, 0L));
    }

    /// <summary>
    /// What the caller sees: one decision, the other refused with 409 or 412, never a 500. Sent one after the other the
    /// outcome is the same (the decider refuses a decided step), so the lock itself is proved at the store, in
    /// <see cref="when_two_writers_append_to_one_stream_from_the_same_version"/>.
    /// </summary>
    [Fact]
    public async Task two_simultaneous_decisions_on_one_step_let_exactly_one_through()
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var created = await Registered();
            var officer = Api.For("moic-enterprise-registration");
            var url = $"/api/applications/{created.Id}/steps/register/decision";

            var responses = await Task.WhenAll(
                Post(officer, url, new { outcome = "approve", reason = "registered" }),
                Post(officer, url, new { outcome = "reject", reason = "name taken" }));

            responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(1);
            responses.Single(r => r.StatusCode != HttpStatusCode.OK).StatusCode
                .ShouldBeOneOf(HttpStatusCode.Conflict, HttpStatusCode.PreconditionFailed);
            var history = await Read<History>(await Api.Auditor.GetAsync($"/api/applications/{created.Id}/history"));
            history.Events
                .Count(e => e.Type is "step_approved" or "step_rejected" && e.Data.GetProperty("stepId").GetString() == "register")
                .ShouldBe(1);
        }
    }

    [Fact]
    public async Task a_stale_if_match_gets_412_and_a_current_one_succeeds()
    {
        var created = await Registered();
        var officer = Api.For("moic-enterprise-registration");
        var current = await Api.Auditor.GetAsync($"/api/applications/{created.Id}");
        var etag = current.Headers.ETag!.Tag;

        var stale = new HttpRequestMessage(HttpMethod.Post, $"/api/applications/{created.Id}/steps/register/decision")
        {
            Content = JsonContent.Create(new { outcome = "approve", reason = "ok" }),
        };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"2\"");
        var refused = await officer.SendAsync(stale);
        refused.StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);

        var fresh = new HttpRequestMessage(HttpMethod.Post, $"/api/applications/{created.Id}/steps/register/decision")
        {
            Content = JsonContent.Create(new { outcome = "approve", reason = "ok" }),
        };
        fresh.Headers.TryAddWithoutValidation("If-Match", etag);
        var accepted = await officer.SendAsync(fresh);
        accepted.StatusCode.ShouldBe(HttpStatusCode.OK);
        long.Parse(accepted.Headers.ETag!.Tag.Trim('"')).ShouldBeGreaterThan(long.Parse(etag.Trim('"')));
    }

    [Fact]
    public async Task malformed_json_gets_400_and_nothing_is_written()
    {
        var response = await Api.Clerk.PostAsync(
            "/api/applications", new StringContent("{\"workflowId\": \"import-licence\",", Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await Read<Problem>(response)).Errors!.ShouldContainKey("body");
        (await Api.CountsAsync()).ShouldBe((0L, 0L));
    }

    [Fact]
    public async Task an_unknown_procedure_gets_400_naming_workflow_id()
    {
        var response = await Post(
            Api.Clerk, "/api/applications", new { workflowId = "fishing-licence", applicant = new { name = "A" }, data = new { } });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Read<Problem>(response)).Errors!.ShouldContainKey("workflowId");
        (await Api.CountsAsync()).ShouldBe((0L, 0L));
    }

    [Fact]
    public async Task missing_required_data_and_wrong_types_get_400_naming_each_field()
    {
        var response = await Post(Api.Clerk, "/api/applications", new
        {
            workflowId = "construction-permit",
            applicant = new { name = "Bounmy" },
            data = new
            {
                owner_name = "Bounmy", parcel_number = "P-1", building_use = "castle", floor_area = "large", height = 9, site_area = 300,
            },
            documents = new[] { "application-form", "land-title", "building-plans" },
        });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await Read<Problem>(response);
        problem.Errors!.Keys.Order().ShouldBe(["data.building_use", "data.floor_area", "data.in_protected_area"]);
        problem.Errors["data.floor_area"].ShouldBe(["must be a number"]);
        (await Api.CountsAsync()).ShouldBe((0L, 0L));
    }

    [Fact]
    public async Task a_decision_with_an_unknown_outcome_or_no_reason_gets_400()
    {
        var created = await Registered();
        var officer = Api.For("moic-enterprise-registration");
        var before = await Api.CountsAsync();

        var unknown = await Post(
            officer, $"/api/applications/{created.Id}/steps/register/decision", new { outcome = "maybe", reason = "x" });
        var noReason = await Post(officer, $"/api/applications/{created.Id}/steps/register/decision", new { outcome = "approve" });

        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Read<Problem>(unknown)).Errors!.ShouldContainKey("outcome");
        noReason.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Read<Problem>(noReason)).Errors!.ShouldContainKey("reason");
        (await Api.CountsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task unknown_applications_and_steps_get_404()
    {
        var created = await Registered();

        (await Api.Auditor.GetAsync($"/api/applications/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/stamp/decision", new { outcome = "approve", reason = "x" }))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Post(Api.Clerk, $"/api/applications/{Guid.NewGuid()}/steps/intake/decision", new { outcome = "approve", reason = "x" }))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
