using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Marten;
using Marten.Linq;
using Npgsql;
using AgencyInbox = Workflow.Store.Applications.AgencyInbox;
using StoredInboxItem = Workflow.Store.Applications.InboxItem;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Store.Definitions;
using Workflow.Store.Identity;

namespace Workflow.Api.Tests;

/// <summary>
/// The agency desk over HTTP on the real host: an enterprise registration received at centre VTE, its registration step
/// at MoIC worked by officers Seven and Nine and their supervisor.
/// </summary>
public class when_officers_work_the_agency_desk(ApiFixture api) : ApiTest(api)
{
    private const string Moic = "moic-enterprise-registration";

    private HttpClient Seven => Api.Client(Roles.Officer, Moic, "officer-7");
    private HttpClient Nine => Api.Client(Roles.Officer, Moic, "officer-9");
    private HttpClient Head => Api.Client(Roles.Supervisor, Moic, "head-1");

    private static string Step(Guid id, string step, string action) => $"/api/applications/{id}/steps/{step}/{action}";

    private async Task<Guid> Registered()
    {
        var response = await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration"));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var id = (await Read<Created>(response)).Id;
        (await Post(Api.Clerk, Step(id, "intake", "decision"), new { outcome = "approve", reason = "complete" })).StatusCode
            .ShouldBe(HttpStatusCode.OK);
        return id;
    }

    private async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expected, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private async Task<JsonElement> OpenStep(Guid id, string step) =>
        (await Json(await Api.Auditor.GetAsync($"/api/applications/{id}"))).GetProperty("openSteps").EnumerateArray()
        .Single(s => s.GetProperty("stepId").GetString() == step);

    private async Task<JsonElement> InboxItem(HttpClient client, Guid id) =>
        (await Json(await client.GetAsync($"/api/agencies/{Moic}/inbox"))).GetProperty("items").EnumerateArray()
        .Single(i => i.GetProperty("applicationId").GetGuid() == id);

    private static async Task<string?> Code(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expected, body);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        return JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
    }

    private async Task<List<string>> HistoryTypes(Guid id) =>
        [.. (await Json(await Api.Auditor.GetAsync($"/api/applications/{id}/history"))).GetProperty("events").EnumerateArray()
            .Select(e => e.GetProperty("type").GetString()!)];

    [Fact]
    public async Task a_claimed_step_shows_its_holder_and_only_the_holder_decides_it()
    {
        var id = await Registered();

        var claimed = await Json(await Post(Seven, Step(id, "register", "claim"), new { reason = "I am working on this" }));

        claimed.GetProperty("events").EnumerateArray().Select(e => e.GetString()).ShouldBe(["StepClaimed"]);
        (await OpenStep(id, "register")).GetProperty("holder").GetProperty("userId").GetString().ShouldBe("officer-7");
        (await InboxItem(Seven, id)).GetProperty("holder").GetProperty("userId").GetString().ShouldBe("officer-7");
        var history = await Json(await Api.Auditor.GetAsync($"/api/applications/{id}/history"));
        var recorded = history.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "step_claimed");
        recorded.GetProperty("actor").GetProperty("userId").GetString().ShouldBe("officer-7");
        recorded.GetProperty("data").GetProperty("reason").GetString().ShouldBe("I am working on this");

        (await Code(await Post(Nine, Step(id, "register", "claim"), new { }), HttpStatusCode.Conflict)).ShouldBe("step-claimed");
        (await Code(await Post(Nine, Step(id, "register", "decision"), new { outcome = "approve", reason = "in order" }),
            HttpStatusCode.Conflict)).ShouldBe("step-claimed");
        (await Post(Seven, Step(id, "register", "decision"), new { outcome = "approve", reason = "in order" })).StatusCode
            .ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task the_holder_releases_it_and_a_supervisor_reassigns_it_to_a_named_officer()
    {
        var id = await Registered();
        await Json(await Post(Seven, Step(id, "register", "claim"), new { }));

        (await Code(await Post(Seven, Step(id, "register", "release"), new { }), HttpStatusCode.BadRequest)).ShouldBeNull();
        await Json(await Post(Seven, Step(id, "register", "release"), new { reason = "on leave tomorrow" }));
        (await OpenStep(id, "register")).GetProperty("holder").ValueKind.ShouldBe(JsonValueKind.Null);

        (await Code(await Post(Seven, Step(id, "register", "reassignment"), new { toUserId = "officer-9", reason = "mine" }),
            HttpStatusCode.Forbidden)).ShouldBeNull();
        await Json(await Post(Head, Step(id, "register", "reassignment"),
            new { toUserId = "officer-9", toName = "Officer Nine", reason = "Seven is on leave" }));

        (await InboxItem(Head, id)).GetProperty("holder").GetProperty("name").GetString().ShouldBe("Officer Nine");
        (await Code(await Post(Seven, Step(id, "register", "decision"), new { outcome = "approve", reason = "in order" }),
            HttpStatusCode.Conflict)).ShouldBe("step-claimed");
        (await HistoryTypes(id)).ShouldContain("step_reassigned");
    }

    [Fact]
    public async Task a_stale_if_match_is_refused_with_412_and_changes_nothing()
    {
        var id = await Registered();
        var version = (await Json(await Api.Auditor.GetAsync($"/api/applications/{id}"))).GetProperty("version").GetInt64();
        await Json(await Post(Nine, Step(id, "register", "claim"), new { }));

        var request = new HttpRequestMessage(HttpMethod.Post, Step(id, "register", "claim"))
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { }),
        };
        request.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
        (await Code(await Seven.SendAsync(request), HttpStatusCode.PreconditionFailed)).ShouldBe("stale-version");
        (await OpenStep(id, "register")).GetProperty("holder").GetProperty("userId").GetString().ShouldBe("officer-9");
    }

    [Fact]
    public async Task bad_requests_are_problems_and_change_nothing()
    {
        var id = await Registered();
        var before = await Api.CountsAsync();

        (await Code(await Post(Head, Step(id, "register", "reassignment"), new { reason = "why" }), HttpStatusCode.BadRequest))
            .ShouldBeNull();
        (await Code(await Post(Seven, $"/api/applications/{id}/recusal", new { reason = "a\u0000b" }), HttpStatusCode.BadRequest))
            .ShouldBeNull();
        (await Code(await Post(Seven, $"/api/applications/{id}/delegations", new { toUserId = "officer-9", reason = "away" }),
            HttpStatusCode.BadRequest)).ShouldBeNull();
        (await Code(await Post(Seven, Step(id, "no-such-step", "claim"), new { }), HttpStatusCode.NotFound)).ShouldBe("step-unknown");
        (await Code(await Post(Seven, Step(Guid.NewGuid(), "register", "claim"), new { }), HttpStatusCode.NotFound)).ShouldBeNull();
        (await Code(await Post(Api.Client(Roles.Officer, "mops-seal-office"), Step(id, "register", "claim"), new { }),
            HttpStatusCode.Forbidden)).ShouldBeNull();
        (await Code(await Post(Api.Auditor, Step(id, "register", "claim"), new { }), HttpStatusCode.Forbidden)).ShouldBeNull();

        (await Api.CountsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task a_step_claimed_and_let_go_in_a_loop_stops_changing_hands_at_the_bound_and_is_still_decided()
    {
        var id = await Registered();
        for (var i = 0; i < Core.Applications.Decider.MaxHandOversPerStep; i++)
        {
            await Json(await Post(Seven, Step(id, "register", "claim"), new { }));
            await Json(await Post(Seven, Step(id, "register", "release"), new { reason = "back to the pool" }));
        }
        var before = await Api.CountsAsync();
        var version = (await Json(await Api.Auditor.GetAsync($"/api/applications/{id}"))).GetProperty("version").GetInt64();

        (await Code(await Post(Nine, Step(id, "register", "claim"), new { }), HttpStatusCode.Conflict)).ShouldBe("hand-over-limit");
        (await Code(await Post(Head, Step(id, "register", "reassignment"), new { toUserId = "officer-9", reason = "Nine then" }),
            HttpStatusCode.Conflict)).ShouldBe("hand-over-limit");
        (await Api.CountsAsync()).ShouldBe(before);
        (await Json(await Api.Auditor.GetAsync($"/api/applications/{id}"))).GetProperty("version").GetInt64().ShouldBe(version);

        await Json(await Post(Nine, Step(id, "register", "decision"), new { outcome = "approve", reason = "in order" }));
        (await HistoryTypes(id)).Count(t => t == "step_claimed").ShouldBe(Core.Applications.Decider.MaxHandOversPerStep);
    }

    [Fact]
    public async Task an_officer_who_recused_himself_can_no_longer_claim_or_decide_and_the_case_shows_it()
    {
        var id = await Registered();
        await Json(await Post(Seven, Step(id, "register", "claim"), new { }));

        var recused = await Json(await Post(Seven, $"/api/applications/{id}/recusal", new { reason = "the applicant is my cousin" }));

        recused.GetProperty("events").EnumerateArray().Select(e => e.GetString()).ShouldBe(["OfficerRecused", "StepReleased"]);
        var details = await Json(await Api.Auditor.GetAsync($"/api/applications/{id}"));
        details.GetProperty("recusals").EnumerateArray().ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            r => r.GetProperty("officer").GetProperty("userId").GetString().ShouldBe("officer-7"),
            r => r.GetProperty("reason").GetString().ShouldBe("the applicant is my cousin"));
        (await Code(await Post(Seven, Step(id, "register", "claim"), new { }), HttpStatusCode.Conflict)).ShouldBe("recused");
        (await Code(await Post(Seven, Step(id, "register", "decision"), new { outcome = "reject", reason = "no" }),
            HttpStatusCode.Conflict)).ShouldBe("recused");
        (await Code(await Post(Head, Step(id, "register", "reassignment"), new { toUserId = "officer-7", reason = "back" }),
            HttpStatusCode.Conflict)).ShouldBe("recused");
    }

    [Fact]
    public async Task an_officer_delegates_all_his_steps_at_the_agency_and_the_colleague_decides_them_in_the_period()
    {
        var first = await Registered();
        var second = await Registered();
        var other = await Registered();
        await Json(await Post(Seven, Step(first, "register", "claim"), new { }));
        await Json(await Post(Seven, Step(second, "register", "claim"), new { }));
        await Json(await Post(Nine, Step(other, "register", "claim"), new { }));
        var until = DateTimeOffset.UtcNow.AddDays(7);

        var delegated = await Json(await Post(Seven, $"/api/agencies/{Moic}/delegations",
            new { toUserId = "officer-9", toName = "Officer Nine", until, reason = "training course" }));

        var cases = delegated.GetProperty("cases").EnumerateArray().ToList();
        cases.Select(c => c.GetProperty("applicationId").GetGuid()).Order().ShouldBe(new[] { first, second }.Order());
        cases.ShouldAllBe(c => c.GetProperty("refused").ValueKind == JsonValueKind.Null);
        (await Json(await Api.Auditor.GetAsync($"/api/applications/{first}"))).GetProperty("delegations").EnumerateArray()
            .ShouldHaveSingleItem().GetProperty("to").GetProperty("userId").GetString().ShouldBe("officer-9");
        (await Post(Nine, Step(first, "register", "decision"), new { outcome = "approve", reason = "in order" })).StatusCode
            .ShouldBe(HttpStatusCode.OK);

        await Json(await Post(Seven, $"/api/applications/{second}/delegations/revocation", new { reason = "back early" }));
        (await Code(await Post(Nine, Step(second, "register", "decision"), new { outcome = "approve", reason = "in order" }),
            HttpStatusCode.Conflict)).ShouldBe("step-claimed");
        (await HistoryTypes(second)).ShouldContain("delegation_revoked");
    }

    [Fact]
    public async Task a_delegation_of_all_steps_reports_each_case_that_refuses_it_and_records_the_others()
    {
        var open = await Registered();
        var conflicted = await Registered();
        await Json(await Post(Seven, Step(open, "register", "claim"), new { }));
        await Json(await Post(Seven, Step(conflicted, "register", "claim"), new { }));
        await Json(await Post(Nine, $"/api/applications/{conflicted}/recusal", new { reason = "my cousin's firm" }));

        var delegated = await Json(await Post(Seven, $"/api/agencies/{Moic}/delegations",
            new { toUserId = "officer-9", until = DateTimeOffset.UtcNow.AddDays(2), reason = "away" }));

        var cases = delegated.GetProperty("cases").EnumerateArray().ToDictionary(c => c.GetProperty("applicationId").GetGuid());
        cases[open].GetProperty("refused").ValueKind.ShouldBe(JsonValueKind.Null);
        cases[conflicted].GetProperty("refused").GetString().ShouldBe("recused");
        (await HistoryTypes(open)).ShouldContain("delegation_granted");
        (await HistoryTypes(conflicted)).ShouldNotContain("delegation_granted");
        var auditor = await Post(Api.Auditor, $"/api/agencies/{Moic}/delegations",
            new { toUserId = "officer-9", until = DateTimeOffset.UtcNow.AddDays(2), reason = "away" });
        (await Code(auditor, HttpStatusCode.Forbidden)).ShouldBeNull();
    }

    [Fact]
    public async Task a_four_eyes_approval_takes_effect_only_when_a_second_officer_confirms_it()
    {
        var source = File.ReadAllText(Path.Combine(ApiFixture.RepositoryRoot(), "workflows", "enterprise-registration.yaml"))
            .Replace("version: 1", "version: 2")
            .Replace("    agency: moic-enterprise-registration\n", "    agency: moic-enterprise-registration\n    four_eyes: true\n");
        await Api.Factory.Services.GetRequiredService<PinnedDefinitions>().PublishAsync("enterprise-registration.yaml", source,
            "designer-1");
        var id = await Registered();

        var first = await Json(await Post(Seven, Step(id, "register", "decision"), new { outcome = "approve", reason = "all in order" }));

        first.GetProperty("events").EnumerateArray().Select(e => e.GetString()).ShouldBe(["StepApprovedPendingConfirmation"]);
        (await OpenStep(id, "register")).GetProperty("pendingApproval").GetProperty("by").GetProperty("userId").GetString()
            .ShouldBe("officer-7");
        (await InboxItem(Nine, id)).GetProperty("pendingApproval").GetProperty("by").GetProperty("userId").GetString()
            .ShouldBe("officer-7");
        (await Code(await Post(Seven, Step(id, "register", "approval-confirmation"), new { reason = "sure" }), HttpStatusCode.Conflict))
            .ShouldBe("four-eyes");

        var confirmed = await Json(await Post(Nine, Step(id, "register", "approval-confirmation"), new { reason = "checked the file" }));

        confirmed.GetProperty("events").EnumerateArray().Select(e => e.GetString()).Take(2).ShouldBe(["StepApprovalConfirmed",
            "StepApproved"]);
        var details = await Json(await Api.Auditor.GetAsync($"/api/applications/{id}"));
        details.GetProperty("workflowVersion").GetInt32().ShouldBe(2);
        details.GetProperty("openSteps").EnumerateArray().Select(s => s.GetProperty("stepId").GetString()).Order()
            .ShouldBe(["seal", "social-security"]);
        (await Json(await Seven.GetAsync($"/api/agencies/{Moic}/inbox"))).GetProperty("total").GetInt32().ShouldBe(0);
    }

    /// <summary>
    /// Both claims are held at the commit until the other has read the same version of the case, so they truly overlap:
    /// one is written, the other loses on the stream's version. Sent one after the other, the first would wait in vain.
    /// </summary>
    [Fact]
    public async Task two_officers_claiming_the_same_step_at_once_exactly_one_wins()
    {
        var id = await Registered();
        var rendezvous = new Rendezvous(2);
        await using var host = Api.Factory.WithWebHostBuilder(b =>
            b.ConfigureServices(services => services.ConfigureMarten(options => options.Listeners.Add(rendezvous))));
        HttpClient Client(string user)
        {
            var client = host.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.Mint(user, Roles.Officer, Moic));
            return client;
        }
        var (seven, nine) = (Client("officer-7"), Client("officer-9"));

        rendezvous.Armed = true;
        var answers = await Task.WhenAll(Post(seven, Step(id, "register", "claim"), new { }), Post(nine, Step(id, "register", "claim"),
            new { }));
        rendezvous.Armed = false;

        answers.Select(a => a.StatusCode).Order().ShouldBe([HttpStatusCode.OK, HttpStatusCode.Conflict]);
        (await Code(answers.Single(a => a.StatusCode == HttpStatusCode.Conflict), HttpStatusCode.Conflict)).ShouldBe("concurrent-change");
        var winner = answers[0].StatusCode == HttpStatusCode.OK ? "officer-7" : "officer-9";
        (await HistoryTypes(id)).Count(t => t == "step_claimed").ShouldBe(1);
        (await OpenStep(id, "register")).GetProperty("holder").GetProperty("userId").GetString().ShouldBe(winner);
    }
}

/// <summary>Holds each session's commit until <paramref name="parties"/> sessions have reached theirs.</summary>
public sealed class Rendezvous(int parties) : DocumentSessionListenerBase
{
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;

    public bool Armed { get; set; }

    public override async Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        if (!Armed) return;
        if (Interlocked.Increment(ref _arrived) == parties) _all.TrySetResult();
        await _all.Task.WaitAsync(TimeSpan.FromSeconds(20), token);
    }
}

/// <summary>An agency's inbox as the desk reads it: filtered, paged with a total, and for the centre, its own centre's only.</summary>
public class when_an_agency_reads_its_inbox(ApiFixture api) : ApiTest(api)
{
    private const string Moic = "moic-enterprise-registration";

    private HttpClient ClerkOf(string centre) => Client(Api.Factory, centre);

    private static HttpClient Client(WebApplicationFactory<Program> factory, string centre)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            Tokens.Mint($"clerk-{centre.ToLowerInvariant()}", Roles.Clerk, "odsc", centre: centre));
        return client;
    }

    private async Task<Guid> Receive(HttpClient clerk, string workflowId)
    {
        var response = await Post(clerk, "/api/applications", Samples.Submission(workflowId));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await Read<Created>(response)).Id;
    }

    private static async Task<JsonElement> Page(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private static List<string> Centres(JsonElement page) =>
        [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("centre").GetString()!)];

    [Fact]
    public async Task the_centres_own_staff_see_only_their_centres_steps_in_the_inbox_and_the_overdue_list()
    {
        await Receive(ClerkOf("VTE"), "enterprise-registration");
        await Receive(ClerkOf("VTE"), "land-title-transfer");
        await Receive(ClerkOf("LPB"), "enterprise-registration");

        var vte = await Page(ClerkOf("VTE"), "/api/agencies/odsc/inbox");
        vte.GetProperty("total").GetInt32().ShouldBe(2);
        Centres(vte).ShouldBe(["VTE", "VTE"]);
        Centres(await Page(ClerkOf("LPB"), "/api/agencies/odsc/inbox")).ShouldBe(["LPB"]);
        (await Page(Api.Auditor, "/api/agencies/odsc/inbox")).GetProperty("total").GetInt32().ShouldBe(3);
        Centres(await Page(Api.Auditor, "/api/agencies/odsc/inbox?centre=LPB")).ShouldBe(["LPB"]);
        (await ClerkOf("VTE").GetAsync("/api/agencies/odsc/inbox?centre=LPB")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        Api.Clock.Now = DateTimeOffset.UtcNow.AddDays(60);
        var host = Api.Clocked;
        (await Page(Client(host, "VTE"), "/api/agencies/odsc/overdue")).GetProperty("total").GetInt32().ShouldBe(2);
        (await Page(Client(host, "LPB"), "/api/agencies/odsc/overdue")).GetProperty("total").GetInt32().ShouldBe(1);
        (await Page(ApiFixture.Client(host, Roles.Auditor, null), "/api/agencies/odsc/overdue")).GetProperty("total").GetInt32()
            .ShouldBe(3);
    }

    [Fact]
    public async Task warnings_and_breaches_show_at_a_glance()
    {
        var clerk = ClerkOf("VTE");
        var late = await Receive(clerk, "enterprise-registration");
        var fresh = await Receive(clerk, "enterprise-registration");
        foreach (var id in new[] { late, fresh })
            (await Post(clerk, $"/api/applications/{id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
                .StatusCode.ShouldBe(HttpStatusCode.OK);
        var later = new ManualClock(DateTimeOffset.UtcNow.AddDays(60));
        var commands = ActivatorUtilities.CreateInstance<Store.Applications.ApplicationCommands>(Api.Factory.Services,
            (TimeProvider)later);
        await commands.HandleAsync(late, null, new Core.Applications.ReachDeadline("register", Core.Applications.DeadlineScopes.System),
            new Store.Applications.CommandContext("desk-test"));

        var items = (await Page(Api.Client(Roles.Officer, Moic), $"/api/agencies/{Moic}/inbox")).GetProperty("items").EnumerateArray()
            .ToDictionary(i => i.GetProperty("applicationId").GetGuid());

        items[late].ShouldSatisfyAllConditions(i => i.GetProperty("warned").GetBoolean().ShouldBeTrue(),
            i => i.GetProperty("breached").GetBoolean().ShouldBeTrue(),
            i => i.GetProperty("escalationLevel").GetInt32().ShouldBeGreaterThan(0));
        items[fresh].ShouldSatisfyAllConditions(i => i.GetProperty("warned").GetBoolean().ShouldBeFalse(),
            i => i.GetProperty("breached").GetBoolean().ShouldBeFalse());
    }

    [Fact]
    public async Task an_agency_whose_steps_all_fall_due_at_once_gets_each_page_from_its_index_in_order_without_a_sort()
    {
        // 300 steps due and opened at one instant, as a migration or a sweep leaves them, stored as the projection writes them.
        var at = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(7));
        var store = Api.Factory.Services.GetRequiredService<IDocumentStore>();
        await using (var session = store.LightweightSession())
        {
            for (var i = 0; i < 300; i++)
            {
                var application = Guid.NewGuid();
                session.Store(new StoredInboxItem
                {
                    Id = StoredInboxItem.IdOf(application, "register"), ApplicationId = application, TrackingNumber = $"VTE-2026-{i:D6}",
                    WorkflowId = "enterprise-registration", Centre = "VTE", StepId = "register", Title = "Registration", Agency = Moic,
                    OpenedAt = at, DueAt = at.AddDays(10),
                });
            }
            await session.SaveChangesAsync();
        }

        await using var query = store.QuerySession();
        var command = AgencyInbox.InOrder(query.Query<StoredInboxItem>().Where(i => i.Agency == Moic)).Skip(50).Take(50)
            .ToCommand(FetchType.FetchMany);
        await using var connection = await Api.Factory.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        // The table's statistics as autovacuum keeps them; sequential scans ruled out, so that the indexes are compared.
        await using (var off = new NpgsqlCommand(
                         $"analyze {Workflow.Store.WorkflowStore.Schema}.mt_doc_inboxitem; set enable_seqscan = off", connection))
            await off.ExecuteNonQueryAsync();
        command.Connection = connection;
        command.CommandText = "explain " + command.CommandText;
        var text = await QueryPlans.ReadAsync(command);
        await using (var on = new NpgsqlCommand("reset enable_seqscan", connection)) await on.ExecuteNonQueryAsync();
        text.ShouldContain("Index Scan", customMessage: text);
        text.ShouldNotContain("Sort", customMessage: text);

        var officer = Api.Client(Roles.Officer, Moic, "officer-7");
        var pages = new List<string>();
        for (var page = 1; page <= 3; page++)
            pages.AddRange((await Page(officer, $"/api/agencies/{Moic}/inbox?pageSize=100&page={page}")).GetProperty("items")
                .EnumerateArray().Select(i => i.GetProperty("trackingNumber").GetString()!));
        pages.Count.ShouldBe(300);
        pages.Distinct().Count().ShouldBe(300, "no step on two pages, none left out");
    }

    [Fact]
    public async Task it_filters_by_procedure_and_holder_and_pages_with_the_total()
    {
        var clerk = ClerkOf("VTE");
        await Receive(clerk, "land-title-transfer");
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var id = await Receive(clerk, "enterprise-registration");
            (await Post(clerk, $"/api/applications/{id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
                .StatusCode.ShouldBe(HttpStatusCode.OK);
            ids.Add(id);
        }
        var officer = Api.Client(Roles.Officer, Moic, "officer-7");
        (await Post(officer, $"/api/applications/{ids[1]}/steps/register/claim", new { })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var first = await Page(officer, $"/api/agencies/{Moic}/inbox?pageSize=2");
        var second = await Page(officer, $"/api/agencies/{Moic}/inbox?pageSize=2&page=2");
        first.GetProperty("total").GetInt32().ShouldBe(3);
        var items = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).ToList();
        items.Select(i => i.GetProperty("applicationId").GetGuid()).ShouldBe(ids);
        items.ShouldAllBe(i => i.GetProperty("remainingWorkingDays").GetInt32() > 0 && !i.GetProperty("breached").GetBoolean());
        (await officer.GetAsync($"/api/agencies/{Moic}/inbox?page=2147483647")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Page(officer, $"/api/agencies/{Moic}/inbox?page=100000")).GetProperty("items").GetArrayLength().ShouldBe(0);

        (await Page(officer, $"/api/agencies/{Moic}/inbox?holder=none")).GetProperty("total").GetInt32().ShouldBe(2);
        var mine = await Page(officer, $"/api/agencies/{Moic}/inbox?holder=officer-7");
        mine.GetProperty("items").EnumerateArray().ShouldHaveSingleItem().GetProperty("applicationId").GetGuid().ShouldBe(ids[1]);
        (await Page(clerk, "/api/agencies/odsc/inbox?workflowId=land-title-transfer")).GetProperty("items").EnumerateArray()
            .ShouldHaveSingleItem().GetProperty("workflowId").GetString().ShouldBe("land-title-transfer");
        (await Page(officer, $"/api/agencies/{Moic}/inbox?workflowId=construction-permit")).GetProperty("total").GetInt32().ShouldBe(0);
        (await officer.GetAsync($"/api/agencies/{Moic}/inbox?pageSize=501")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
