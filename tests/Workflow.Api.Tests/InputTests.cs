using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Store.Definitions;

namespace Workflow.Api.Tests;

public class when_input_is_malformed_or_too_large(ApiFixture api) : ApiTest(api)
{
    private HttpClient Designer => Api.Client("designer", null, "designer-1");

    private async Task<Created> Registered()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        (await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        return created;
    }

    private static StringContent Raw(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task a_definition_of_nested_brackets_is_refused_at_its_line_and_the_server_keeps_serving()
    {
        var response = await Post(Designer, "/api/workflows", new { fileName = "deep.yaml", source = new string('[',
            20_000) + new string(']', 20_000) });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await Read<Problem>(response);
        problem.Errors!.ShouldHaveSingleItem().Key.ShouldStartWith("deep.yaml:1:");
        problem.Errors!.Single().Value.ShouldHaveSingleItem().ShouldContain("nested more than 32 levels");
        (await Api.Auditor.GetAsync("/api/workflows")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    [InlineData("99")]
    [InlineData("\"APPROVE\"")]
    [InlineData("\"Reject\"")]
    [InlineData("true")]
    public async Task an_outcome_other_than_the_three_names_is_refused_naming_them(string outcome)
    {
        var created = await Registered();
        var before = await Api.CountsAsync();

        var response = await Api.For("moic-enterprise-registration").PostAsync($"/api/applications/{created.Id}/steps/register/decision",
            Raw($"{{\"outcome\":{outcome},\"reason\":\"ok\"}}"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Read<Problem>(response)).Errors!["outcome"].ShouldBe(["outcome must be approve, reject or return"]);
        (await Api.CountsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task truncated_json_is_blamed_on_the_body_with_where_it_stops()
    {
        var text = JsonSerializer.Serialize(Samples.Submission("enterprise-registration"));

        var response = await Api.Clerk.PostAsync("/api/applications", Raw(text[..40]));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await Read<Problem>(response);
        problem.Errors!.Keys.ShouldBe(["body"]);
        problem.Errors["body"][0].ShouldStartWith("The request body is not valid JSON (line 1, byte ");
        (await Api.CountsAsync()).ShouldBe((0L, 0L));
    }

    [Fact]
    public async Task a_value_of_the_wrong_type_says_what_the_field_takes()
    {
        var response = await Api.Clerk.PostAsync("/api/applications",
            Raw("{\"workflowId\": 7, \"applicant\": {\"name\": \"A\"}, \"data\": {}}"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Read<Problem>(response)).Errors!["workflowId"].ShouldBe(["must be text (a JSON string)"]);
    }

    [Theory]
    [InlineData("reason")]
    [InlineData("comment")]
    [InlineData("reasonCode")]
    public async Task a_nul_character_in_a_decision_is_refused_on_its_field(string field)
    {
        var created = await Registered();
        var before = await Api.CountsAsync();
        var body = new Dictionary<string, string> { ["outcome"] = "return", ["reason"] = "missing" };
        body[field] = "a\u0000b";

        var response = await Post(Api.For("moic-enterprise-registration"), $"/api/applications/{created.Id}/steps/register/decision",
            body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Read<Problem>(response)).Errors![field].ShouldContain("must not contain the NUL character (\\u0000)");
        (await Api.CountsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task a_nul_character_in_a_submission_resubmission_or_withdrawal_is_refused()
    {
        var created = await Registered();
        var before = await Api.CountsAsync();
        var submission = JsonSerializer.Serialize(Samples.Submission("enterprise-registration")).Replace("Mekong", "Me\\u0000kong");

        var submitted = await Api.Clerk.PostAsync("/api/applications", Raw(submission));
        var resubmitted = await Post(Api.Clerk, $"/api/applications/{created.Id}/resubmission", new { comment = "\u0000" });
        var withdrawn = await Post(Api.Clerk, $"/api/applications/{created.Id}/withdrawal", new { reason = "moved\u0000away" });

        (await Read<Problem>(submitted)).Errors!.Keys.ShouldBe(["data.enterprise_name"]);
        (await Read<Problem>(resubmitted)).Errors!.Keys.ShouldBe(["comment"]);
        (await Read<Problem>(withdrawn)).Errors!.Keys.ShouldBe(["reason"]);
        (await Api.CountsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task the_all_zero_id_is_not_found()
    {
        const string zero = "00000000-0000-0000-0000-000000000000";

        var withdrawn = await Post(Api.Clerk, $"/api/applications/{zero}/withdrawal", new { reason = "x" });
        var acknowledged = await Post(Api.Client("supervisor", "moic-enterprise-registration"),
            $"/api/applications/{zero}/steps/register/escalations/0/acknowledgement", new { comment = "x" });

        withdrawn.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        acknowledged.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Read<Problem>(withdrawn)).Detail.ShouldBe("No application has the all-zero id.");
    }

    [Fact]
    public async Task replay_past_the_last_event_is_not_found_and_replay_after_now_is_the_present()
    {
        var created = await Registered();
        var current = await Read<Details>(await Api.Auditor.GetAsync($"/api/applications/{created.Id}"));

        (await Api.Auditor.GetAsync($"/api/applications/{created.Id}?atVersion={current.Version + 1}")).StatusCode
            .ShouldBe(HttpStatusCode.NotFound);
        (await Api.Auditor.GetAsync($"/api/applications/{created.Id}?atVersion=2147483648")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var future = await Api.Auditor.GetAsync($"/api/applications/{created.Id}?asOf=9999-12-31T23:59:59Z");
        future.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Read<Details>(future)).Version.ShouldBe(current.Version);
    }

    [Fact]
    public async Task pages_beyond_any_list_and_dates_beyond_the_calendars_are_refused()
    {
        var officer = Api.For("moic-enterprise-registration");

        (await Read<Problem>(await officer.GetAsync("/api/agencies/moic-enterprise-registration/inbox?page=2147483647"))).Errors!.Keys
            .ShouldBe(["page"]);
        (await Read<Problem>(await officer.GetAsync("/api/agencies/moic-enterprise-registration/overdue?page=2147483647"))).Errors!.Keys
            .ShouldBe(["page"]);
        (await Read<Problem>(await Api.Auditor.GetAsync("/api/oversight/breaches?page=2147483647"))).Errors!.Keys.ShouldBe(["page"]);
        (await Read<Problem>(await Api.Auditor.GetAsync("/api/calendars/lao-national/due?from=0001-01-01&workingDays=5"))).Errors!.Keys
            .ShouldBe(["from"]);
        (await Read<Problem>(await Api.Auditor.GetAsync("/api/calendars/lao-national/due?from=9999-12-31&workingDays=1000"))).Errors!.Keys
            .ShouldBe(["from"]);
    }

    [Fact]
    public async Task a_body_above_the_limit_gets_413_and_a_text_above_its_kind_400()
    {
        var created = await Registered();
        var before = await Api.CountsAsync();
        var url = $"/api/applications/{created.Id}/steps/register/decision";
        var officer = Api.For("moic-enterprise-registration");

        var huge = await Post(officer, url, new { outcome = "approve", reason = new string('x', 1_100_000) });
        var chunked = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StreamContent(new MemoryStream(
                Encoding.UTF8.GetBytes($"{{\"outcome\":\"approve\",\"reason\":\"{new string('x', 1_100_000)}\"}}"))),
        };
        chunked.Content.Headers.ContentType = new("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        var unsized = await officer.SendAsync(chunked);
        var longReason = await Post(officer, url, new { outcome = "approve", reason = new string('x', 2001) });
        var manyDocuments = await Post(Api.Clerk, $"/api/applications/{created.Id}/resubmission",
            new { documents = Enumerable.Repeat("owner-id", 201) });

        huge.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await Read<Problem>(huge)).Detail
            .ShouldBe("A request body holds at most 1,048,576 bytes (setting Workflow:Limits:MaxRequestBytes).");
        unsized.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        longReason.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Read<Problem>(longReason)).Errors!.Keys.ShouldBe(["reason"]);
        (await Read<Problem>(manyDocuments)).Errors!.Keys.ShouldBe(["documents"]);
        (await Api.CountsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task the_limits_are_settings()
    {
        await using var host = ApiFixture.Host(Api.ConnectionString, settings: new()
        {
            ["Workflow:Limits:MaxRequestBytes"] = "4096", ["Workflow:Limits:MaxTextLength"] = "50",
        });
        var clerk = ApiFixture.Client(host, "clerk", "odsc", "clerk-vte");
        var created = await Read<Created>(await Post(clerk, "/api/applications", Samples.Submission("enterprise-registration")));

        var longComment = await Post(clerk, $"/api/applications/{created.Id}/resubmission", new { comment = new string('x', 51) });
        var bigBody = await Post(clerk, $"/api/applications/{created.Id}/resubmission", new { comment = "x", pad = new string('x',
            5000) });

        (await Read<Problem>(longComment)).Errors!.Keys.ShouldBe(["comment"]);
        bigBody.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task twenty_simultaneous_retries_with_one_idempotency_key_give_one_application_and_the_same_answer()
    {
        var body = JsonSerializer.Serialize(Samples.Submission("enterprise-registration"));
        var clerk = Api.Clerk;

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/applications") { Content = Raw(body) };
            request.Headers.Add("Idempotency-Key", "counter-7-ticket-0042");
            return clerk.SendAsync(request);
        }));

        responses.Select(r => r.StatusCode).Distinct().ShouldBe([HttpStatusCode.Created]);
        var answers = await Task.WhenAll(responses.Select(Read<Created>));
        answers.Select(a => (a.Id, a.TrackingNumber)).Distinct().ShouldHaveSingleItem();
        (await Api.CountsAsync()).Documents.ShouldBe(1);
    }

    [Fact]
    public async Task the_same_idempotency_key_with_another_body_gets_422_naming_the_key()
    {
        async Task<HttpResponseMessage> Submit(object body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/applications") { Content = JsonContent.Create(body,
                options: ApiFixture.Json) };
            request.Headers.Add("Idempotency-Key", "counter-7-ticket-0043");
            return await Api.Clerk.SendAsync(request);
        }
        (await Submit(Samples.Submission("enterprise-registration"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var before = await Api.CountsAsync();

        var again = await Submit(Samples.Submission("enterprise-registration"));
        var other = await Submit(Samples.Submission("import-licence"));

        again.StatusCode.ShouldBe(HttpStatusCode.Created);
        other.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var problem = await Read<Problem>(other);
        problem.Code.ShouldBe("idempotency-key-reused");
        problem.Detail!.ShouldContain("'counter-7-ticket-0043'");
        (await Api.CountsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task ten_simultaneous_approvals_of_one_version_number_store_exactly_one()
    {
        var version1 = File.ReadAllText(Path.Combine(ApiFixture.RepositoryRoot(), "workflows", "enterprise-registration.yaml"));
        var texts = Enumerable.Range(1, 10).Select(days =>
            version1.Replace("version: 1", "version: 2").Replace("deadline: 10 working days", $"deadline: {days} working days"));

        var requests = await Task.WhenAll(texts.Select(source =>
            Post(Designer, "/api/workflows", new { fileName = "enterprise-registration.yaml", source })));
        requests.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Accepted);
        var ids = await Task.WhenAll(requests.Select(async r => (await Read<JsonElement>(r)).GetProperty("id").GetGuid()));
        var second = Api.Client("designer", null, "designer-2");
        var responses = await Task.WhenAll(ids.Select(id => Post(second, $"/api/publication-requests/{id}/approval", new { })));

        responses.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.Conflict).ShouldBe(9);
        await using var session = Api.Factory.Services.GetRequiredService<IDocumentStore>().QuerySession();
        (await session.Query<StoredDefinition>().Where(d => d.WorkflowId == "enterprise-registration" && d.Version == 2).CountAsync())
            .ShouldBe(1);
    }
}
