using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using Workflow.Core.Applications;
using Workflow.Store;
using Workflow.Store.Applications;
using Workflow.Store.Audit;
using Workflow.Store.Definitions;
using Workflow.Store.Identity;

namespace Workflow.Api.Tests;

/// <summary>
/// The README's roles table as a matrix: every action against every role, of the application's own and of another
/// agency, of its own and of another centre. Each cell asserts the exact status; a refused change must leave the store
/// as it was, an allowed one must change it, and a refusal never names the application.
/// The application is an enterprise registration received at centre VTE; its registration step belongs to MoIC.
/// </summary>
public class when_each_role_tries_each_action(ApiFixture api) : ApiTest(api)
{
    private const string Moic = "moic-enterprise-registration";
    private const string SealOffice = "mops-seal-office";

    /// <summary>The callers with a valid token, in the order of the columns of <see cref="Expected"/>.</summary>
    private static readonly (string Name, string Role, string? Agency, string? Centre)[] Callers =
    [
        ("clerk", "clerk", "odsc", "VTE"),
        ("clerk of another centre", "clerk", "odsc", "LPB"),
        ("clerk claiming MoIC", "clerk", Moic, "VTE"),
        ("officer", "officer", Moic, null),
        ("officer of another agency", "officer", SealOffice, null),
        ("supervisor", "supervisor", Moic, null),
        ("supervisor of another agency", "supervisor", SealOffice, null),
        ("supervisor of the centre", "supervisor", "odsc", "VTE"),
        ("supervisor of another centre", "supervisor", "odsc", "LPB"),
        ("officer of the centre", "officer", "odsc", "VTE"),
        ("auditor", "auditor", null, null),
        ("admin", "admin", null, null),
        ("designer", "designer", null, null),
    ];

    /// <summary>Tokens that authentication refuses (401 for every action), and no token at all.</summary>
    private static readonly (string Name, Dictionary<string, object>? Claims)[] Refused =
    [
        ("token without a role", new() { ["sub"] = "someone", ["agency"] = Moic }),
        ("token without sub", new() { ["role"] = "officer", ["agency"] = Moic }),
        ("token with an unknown role", new() { ["sub"] = "someone", ["role"] = "system" }),
        ("no token", null),
    ];

    // Columns: clerk of the centre, of another centre, claiming MoIC; officer of MoIC, of another agency; supervisor of MoIC,
    // of another agency, of the centre, of another centre; officer of the centre; auditor; admin; designer.
    private static readonly Dictionary<string, string> Expected = new()
    {
        //                                            clk ck2 ckM off of2 sup su2 suC su3 ofC aud adm des
        ["submit for centre VTE"] =                  "201 403 201 403 403 403 403 403 403 403 403 403 403",
        ["decide the agency's step"] =               "403 403 403 200 403 200 403 403 403 403 403 403 403",
        ["decide the centre's step"] =               "200 403 200 403 403 403 403 403 403 403 403 403 403",
        ["submit a correction"] =                    "200 403 200 403 403 403 403 403 403 403 403 403 403",
        ["withdraw"] =                               "200 403 200 403 403 403 403 403 403 403 403 403 403",
        ["claim the agency's step"] =                "403 403 403 200 403 200 403 403 403 403 403 403 403",
        ["reassign the agency's step"] =             "403 403 403 403 403 200 403 403 403 403 403 403 403",
        ["recuse from the application"] =            "200 403 200 200 403 200 403 403 403 403 403 403 403",
        ["acknowledge the agency's escalation"] =    "403 403 403 403 403 200 403 403 403 403 403 403 403",
        ["acknowledge the centre's escalation"] =    "403 403 403 403 403 403 403 200 403 403 403 403 403",
        ["ask to publish a version"] =               "403 403 403 403 403 403 403 403 403 403 403 403 202",
        ["approve another's publication"] =          "403 403 403 403 403 403 403 403 403 403 403 403 201",
        ["list publication requests"] =              "403 403 403 403 403 403 403 403 403 403 403 403 200",
        ["save a draft"] =                           "403 403 403 403 403 403 403 403 403 403 403 403 201",
        ["read one's drafts"] =                      "403 403 403 403 403 403 403 403 403 403 403 403 200",
        ["retire a version"] =                       "403 403 403 403 403 403 403 403 403 403 403 403 204",
        ["migrate applications"] =                   "403 403 403 403 403 403 403 403 403 403 403 403 200",
        ["replay history through a draft"] =         "403 403 403 403 403 403 403 403 403 403 403 403 200",
        ["seal the store"] =                         "403 403 403 403 403 403 403 403 403 403 403 403 403",
        ["read details"] =                           "200 403 200 200 403 200 403 200 403 200 200 200 403",
        ["replay as of a version"] =                 "200 403 200 200 403 200 403 200 403 200 200 200 403",
        ["read history"] =                           "200 403 200 200 403 200 403 200 403 200 200 200 403",
        ["read the case file"] =                     "200 403 200 200 403 200 403 200 403 200 200 200 403",
        ["verify the application"] =                 "200 403 200 200 403 200 403 200 403 200 200 200 403",
        ["read the access log"] =                    "403 403 403 403 403 403 403 403 403 403 200 200 403",
        ["read the agency's inbox"] =                "403 403 403 200 403 200 403 403 403 403 200 200 403",
        ["read the centre's inbox"] =                "200 200 200 403 403 403 403 200 200 200 200 200 403",
        ["read the agency's overdue steps"] =        "403 403 403 200 403 200 403 403 403 403 200 200 403",
        ["query decisions"] =                        "403 403 403 403 403 403 403 403 403 403 200 200 403",
        ["query late decisions"] =                   "403 403 403 403 403 403 403 403 403 403 200 200 403",
        ["query breaches"] =                         "403 403 403 403 403 403 403 403 403 403 200 200 403",
        ["query returned applications"] =            "403 403 403 403 403 403 403 403 403 403 200 200 403",
        ["search cases"] =                           "403 403 403 403 403 403 403 403 403 403 200 200 403",
        ["read the alerts"] =                        "403 403 403 403 403 403 403 403 403 403 200 200 403",
        ["verify the store"] =                       "403 403 403 403 403 403 403 403 403 403 200 200 403",
        ["check the seals"] =                        "403 403 403 403 403 403 403 403 403 403 200 200 403",
        ["export the latest seal"] =                 "403 403 403 403 403 403 403 403 403 403 200 200 403",
        ["read procedures"] =                        "200 200 200 200 200 200 200 200 200 200 200 200 200",
        ["read a procedure's variants"] =            "200 200 200 200 200 200 200 200 200 200 200 200 200",
        ["read calendars"] =                         "200 200 200 200 200 200 200 200 200 200 200 200 200",
        ["read the statistics"] =                    "403 403 403 403 403 200 200 200 200 403 200 200 403",
    };

    public static IEnumerable<object[]> Actions => Expected.Keys.Select(k => new object[] { k });

    private sealed record Target(Guid Id, string TrackingNumber);

    /// <param name="Changes">Whether an allowed call must change the store (and a refused one must not).</param>
    private sealed record Act(bool Changes, Func<Task<Target>> Setup, Func<Target, HttpRequestMessage> Request);

    private static readonly string Version2 =
        File.ReadAllText(Path.Combine(ApiFixture.RepositoryRoot(), "workflows", "enterprise-registration.yaml"))
            .Replace("version: 1", "version: 2").Replace("deadline: 10 working days", "deadline: 8 working days");

    private Act Define(string name) => name switch
    {
        "submit for centre VTE" => new(true, Registered, _ => Send(HttpMethod.Post, "/api/applications", SubmissionAt("VTE"))),
        "decide the agency's step" => new(true, Registered, t => Decision(t, "register")),
        "decide the centre's step" => new(true, Submitted, t => Decision(t, "intake")),
        "submit a correction" => new(true, Returned, t => Send(HttpMethod.Post, $"/api/applications/{t.Id}/resubmission",
            new { comment = "the enterprise name is now in Lao script" })),
        "withdraw" => new(true, Registered, t => Send(HttpMethod.Post, $"/api/applications/{t.Id}/withdrawal",
            new { reason = "the citizen withdrew" })),
        "claim the agency's step" => new(true, Registered, t => Send(HttpMethod.Post, $"/api/applications/{t.Id}/steps/register/claim",
            new { reason = "I am working on this" })),
        "reassign the agency's step" => new(true, Registered, t => Send(HttpMethod.Post,
            $"/api/applications/{t.Id}/steps/register/reassignment", new { toUserId = "officer-9", reason = "officer 7 is on leave" })),
        "recuse from the application" => new(true, Registered, t => Send(HttpMethod.Post, $"/api/applications/{t.Id}/recusal",
            new { reason = "the applicant is a relative" })),
        "acknowledge the agency's escalation" => new(true, () => Breached("register"), t => Acknowledgement(t, "register")),
        "acknowledge the centre's escalation" => new(true, () => Breached("intake"), t => Acknowledgement(t, "intake")),
        "ask to publish a version" => new(true, Registered, _ => Send(HttpMethod.Post, "/api/workflows",
            new { fileName = "enterprise-registration.yaml", source = Version2 })),
        "approve another's publication" => new(true, Requested, _ => Send(HttpMethod.Post,
            $"/api/publication-requests/{_requested}/approval")),
        "list publication requests" => new(false, Requested, _ => Send(HttpMethod.Get, "/api/publication-requests")),
        "save a draft" => new(true, Registered, _ => Send(HttpMethod.Post, "/api/drafts",
            new { fileName = "enterprise-registration.yaml", source = Version2 })),
        "read one's drafts" => Reading(_ => "/api/drafts"),
        "retire a version" => new(true, Registered, _ => Send(HttpMethod.Post,
            "/api/workflows/enterprise-registration/versions/1/retirement", new { })),
        "migrate applications" => new(true, WithVersion2, _ => Send(HttpMethod.Post, "/api/workflows/enterprise-registration/migrations",
            new { fromVersion = 1, toVersion = 2, mapping = new { }, reason = "register in 8 days", apply = true })),
        "replay history through a draft" => new(false, Registered, _ => Send(HttpMethod.Post, "/api/what-if",
            new { source = Version2, from = "2024-01-01", to = "2024-12-31" })),
        "seal the store" => new(true, Registered, _ => Send(HttpMethod.Post, "/api/oversight/seals", new { })),
        "read details" => Reading(t => $"/api/applications/{t.Id}"),
        "replay as of a version" => Reading(t => $"/api/applications/{t.Id}?atVersion=2"),
        "read history" => Reading(t => $"/api/applications/{t.Id}/history"),
        "read the case file" => Reading(t => $"/api/applications/{t.Id}/case-file"),
        "verify the application" => Reading(t => $"/api/applications/{t.Id}/verification"),
        "read the access log" => Reading(t => $"/api/applications/{t.Id}/access-log"),
        "read the agency's inbox" => Reading(_ => $"/api/agencies/{Moic}/inbox"),
        "read the centre's inbox" => Reading(_ => "/api/agencies/odsc/inbox"),
        "read the agency's overdue steps" => Reading(_ => $"/api/agencies/{Moic}/overdue"),
        "query decisions" => Reading(_ => $"/api/oversight/decisions?agency={Moic}"),
        "query late decisions" => Reading(_ => "/api/oversight/late-decisions"),
        "query breaches" => Reading(_ => "/api/oversight/breaches"),
        "query returned applications" => Reading(_ => "/api/oversight/returned"),
        "search cases" => Reading(_ => $"/api/oversight/cases?agency={Moic}&lateness=on-time"),
        "read the alerts" => Reading(_ => "/api/alerts"),
        "verify the store" => Reading(_ => "/api/oversight/verification"),
        "check the seals" => Reading(_ => "/api/oversight/seals"),
        "export the latest seal" => new(false, Sealed, _ => Send(HttpMethod.Get, "/api/oversight/seals/latest")),
        "read procedures" => Reading(_ => "/api/workflows/enterprise-registration"),
        "read a procedure's variants" => Reading(_ => "/api/workflows/enterprise-registration/variants"),
        "read calendars" => Reading(_ => "/api/calendars"),
        "read the statistics" => Reading(_ => "/api/statistics?from=2024-01-01&to=2024-12-31"),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such action"),
    };

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task each_role_gets_exactly_what_the_roles_table_says(string name)
    {
        var action = Define(name);
        var expected = Expected[name].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        expected.Length.ShouldBe(Callers.Length);
        var cells = Callers
            .Select((c, i) => (c.Name, Token: (string?)Tokens.Mint(c.Name.Replace(' ', '-'), c.Role, c.Agency, centre: c.Centre),
                Status: expected[i]))
            .Concat(Refused.Select(r => (r.Name, Token: r.Claims is null ? null : Unchecked(r.Claims), Status: 401)))
            // Refusals first, on one application; then each allowed change on a fresh one, so no allowed call meets another's effect.
            .OrderBy(c => c.Status < 400 ? 1 : 0).ToList();

        var shared = await action.Setup();
        var sharedUsed = false;
        string? last = null;
        var wrong = new List<string>();
        foreach (var (caller, token, status) in cells)
        {
            var target = shared;
            if (status < 400 && action.Changes)
            {
                if (sharedUsed) (target, last) = (await action.Setup(), null);
                sharedUsed = true;
            }
            var client = Api.Factory.CreateClient();
            if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var before = last ?? await Fingerprint();
            var response = await client.SendAsync(action.Request(target));
            var after = last = await Fingerprint();
            var body = await response.Content.ReadAsStringAsync();

            var cell = $"{name}, as {caller}";
            var got = (int)response.StatusCode;
            if (got != status) wrong.Add($"{cell}: expected {status}, got {got} {body}");
            if (got >= 400 && before != after) wrong.Add($"{cell}: refused with {got} but changed the store");
            if (got < 400 && action.Changes && before == after) wrong.Add($"{cell}: allowed but changed nothing");
            if (!action.Changes && before != after) wrong.Add($"{cell}: a read changed the store");
            if (got is 401 or 403 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                wrong.Add($"{cell}: {got} without a problem detail");
            if (got == 403 && body.Contains(target.TrackingNumber, StringComparison.Ordinal))
                wrong.Add($"{cell}: the refusal names the application: {body}");
        }
        wrong.ShouldBeEmpty();
    }

    [Fact]
    public void each_permission_of_the_policy_guards_routes_under_one_named_policy() =>
        Hosting.Policies.Named.Values.Order().ShouldBe(Enum.GetValues<Core.Access.Permission>());

    [Fact]
    public async Task a_caller_who_may_not_read_the_application_gets_403_whatever_version_they_name()
    {
        var target = await Registered();
        var other = Api.For(SealOffice);
        var before = await Fingerprint();

        foreach (var version in new[] { "\"1\"", "\"5\"", "\"99\"" })
        {
            var request = Decision(target, "register");
            request.Headers.TryAddWithoutValidation("If-Match", version);
            var response = await other.SendAsync(request);
            response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden, $"If-Match {version}");
            (await Read<Problem>(response)).Detail.ShouldBe("You may not read or change this application.");
        }
        (await Fingerprint()).ShouldBe(before);
    }

    /// <summary>The store's content that any change would move: case events (not the access log) and the procedure versions.</summary>
    private async Task<string> Fingerprint()
    {
        await using var command = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            $"select count(*), coalesce(max(seq_id), 0) from {WorkflowStore.Schema}.mt_events where type <> 'case_file_opened'");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var events = $"{reader.GetInt64(0)}:{reader.GetInt64(1)}";
        await using var session = Api.Factory.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var versions = await session.Query<StoredDefinition>().ToListAsync();
        var requests = await session.Query<PublicationRequest>().Select(r => r.Status).ToListAsync();
        var drafts = await session.Query<Draft>().CountAsync();
        return events + JsonSerializer.Serialize(versions.OrderBy(v => v.WorkflowId).ThenBy(v => v.Version).ThenBy(v => v.Hash)) +
               string.Join(',', requests.Order()) + $" drafts {drafts}";
    }

    private static string Unchecked(Dictionary<string, object> claims) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Tokens.Issuer,
        Audience = Tokens.Audience,
        Claims = claims,
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(Tokens.KeyFrom(Tokens.DevelopmentSigningKey), SecurityAlgorithms.HmacSha256),
    });

    private static HttpRequestMessage Send(HttpMethod method, string url, object? body = null) =>
        new(method, url) { Content = body is null ? null : JsonContent.Create(body, options: ApiFixture.Json) };

    private Act Reading(Func<Target, string> url) => new(false, Registered, t => Send(HttpMethod.Get, url(t)));

    private static HttpRequestMessage Decision(Target t, string step) =>
        Send(HttpMethod.Post, $"/api/applications/{t.Id}/steps/{step}/decision", new { outcome = "approve", reason = "in order" });

    private static HttpRequestMessage Acknowledgement(Target t, string step) =>
        Send(HttpMethod.Post, $"/api/applications/{t.Id}/steps/{step}/escalations/0/acknowledgement",
            new { comment = "a second officer is assigned" });

    private static JsonObject SubmissionAt(string centre)
    {
        var body = JsonSerializer.SerializeToNode(Samples.Submission("enterprise-registration"))!.AsObject();
        body["centre"] = centre;
        return body;
    }

    /// <summary>Received at centre VTE by its clerk: the completeness check is open.</summary>
    private async Task<Target> Submitted()
    {
        var response = await Post(Api.Clerk, "/api/applications", SubmissionAt("VTE"));
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created);
        var created = await Read<Created>(response);
        return new Target(created.Id, created.TrackingNumber);
    }

    /// <summary>Declared complete: the registration step of MoIC is open.</summary>
    private async Task<Target> Registered()
    {
        var target = await Submitted();
        (await Post(Api.Clerk, $"/api/applications/{target.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
            .StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        return target;
    }

    private async Task<Target> Returned()
    {
        var target = await Registered();
        (await Post(Api.For(Moic), $"/api/applications/{target.Id}/steps/register/decision",
            new { outcome = "return", reason = "the enterprise name is not in Lao script" }))
            .StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        return target;
    }

    /// <summary>The step's deadline passed: the deadline clock, at an instant the test sets, records the breach.</summary>
    private async Task<Target> Breached(string step)
    {
        var target = step == "intake" ? await Submitted() : await Registered();
        var later = new ManualClock(Api.Factory.Services.GetRequiredService<TimeProvider>().GetUtcNow().AddDays(60));
        var commands = ActivatorUtilities.CreateInstance<ApplicationCommands>(Api.Factory.Services, (TimeProvider)later);
        var result = await commands.HandleAsync(target.Id, null, new ReachDeadline(step, DeadlineScopes.System),
            new CommandContext("authorization-matrix"));
        result.Events.OfType<DeadlineBreached>().ShouldHaveSingleItem();
        return target;
    }

    private async Task<Target> WithVersion2()
    {
        var target = await Registered();
        var definitions = Api.Factory.Services.GetRequiredService<PinnedDefinitions>();
        if ((await definitions.VersionAsync("enterprise-registration", 2)) is null)
            await definitions.PublishAsync("enterprise-registration.yaml", Version2, "designer-0");
        return target;
    }

    private Guid _requested;

    /// <summary>Version 2 asked for by another designer, waiting for approval.</summary>
    private async Task<Target> Requested()
    {
        var target = await Registered();
        var asked = await Api.Factory.Services.GetRequiredService<PublicationRequests>().RequestAsync("enterprise-registration.yaml",
            Version2, null, new Core.Applications.Actor("designer-0", "Designer Zero", null, "designer"));
        _requested = asked.Id;
        return target;
    }

    private async Task<Target> Sealed()
    {
        var target = await Registered();
        await Api.Factory.Services.GetRequiredService<Seals>().SealAsync("system");
        return target;
    }
}
