using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Core.Definitions;

namespace Workflow.Api.Tests;

public class when_the_server_starts(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task health_answers_200_when_the_database_answers()
    {
        var response = await Api.Anonymous.GetAsync("/health");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task it_serves_an_openapi_document_and_a_reference_page()
    {
        var document = await Api.Anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.ShouldContain("/api/applications/{id}/steps/{stepId}/decision");
        paths.ShouldContain("/api/agencies/{agency}/inbox");
        (await Api.Anonymous.GetAsync("/scalar")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task the_procedures_are_listed_with_their_fields_and_agencies()
    {
        var list = await Api.Auditor.GetFromJsonAsync<JsonElement>("/api/workflows");
        list.EnumerateArray().Select(w => w.GetProperty("id").GetString()).Count().ShouldBe(5);

        var permit = await Api.Auditor.GetFromJsonAsync<JsonElement>("/api/workflows/construction-permit");
        var floor = permit.GetProperty("data").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "floor_area");
        floor.GetProperty("type").GetString().ShouldBe("number");
        floor.GetProperty("required").GetBoolean().ShouldBeTrue();
        var use = permit.GetProperty("data").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "building_use");
        use.GetProperty("of").EnumerateArray().Select(v => v.GetString()).ShouldContain("commercial");
        permit.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "zoning-review")
            .GetProperty("agency").GetString().ShouldBe("mpwt-urban-planning");
        (await Api.Auditor.GetAsync("/api/workflows/fishing-licence")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public void it_refuses_to_start_on_an_invalid_workflows_folder_and_says_where()
    {
        var folder = ApiFixture.CopyOfWorkflows();
        var file = Path.Combine(folder, "import-licence.yaml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("agency: moh-food-drug", "agency: ministry-of-magic"));

        using var host = ApiFixture.Host(Api.ConnectionString, settings: new() { ["Workflow:DefinitionsPath"] = folder });
        var error = Should.Throw<DefinitionException>(() => host.CreateClient());

        error.Problems.ShouldContain(p => p.At.File == "import-licence.yaml" && p.Message.Contains("ministry-of-magic"));
        error.Problems.Single().At.Line.ShouldBeGreaterThan(1);
    }

    [Fact]
    public void outside_development_it_refuses_to_start_without_signing_settings()
    {
        using var host = ApiFixture.Host(Api.ConnectionString, environment: "Production");
        Should.Throw<InvalidOperationException>(() => host.CreateClient()).Message.ShouldContain("Auth:SigningKey");
    }

    [Fact]
    public async Task editing_a_definition_never_changes_a_running_case()
    {
        var running = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));

        var folder = ApiFixture.CopyOfWorkflows();
        var file = Path.Combine(folder, "enterprise-registration.yaml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("deadline: 10 working days", "deadline: 9 working days"));
        await using var edited = ApiFixture.Host(Api.ConnectionString, settings: new() { ["Workflow:DefinitionsPath"] = folder });
        var clerk = ApiFixture.Client(edited, "clerk", "odsc");

        (await Post(clerk, $"/api/applications/{running.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var fresh = await Read<Created>(await Post(clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        await Post(clerk, $"/api/applications/{fresh.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });

        var old = await Read<History>(await Api.Auditor.GetAsync($"/api/applications/{running.Id}/history"));
        var @new = await Read<History>(await Api.Auditor.GetAsync($"/api/applications/{fresh.Id}/history"));
        int RegisterDays(History h) => h.Events
            .Single(e => e.Type == "step_opened" && e.Data.GetProperty("stepId").GetString() == "register")
            .Data.GetProperty("workingDays").GetInt32();
        RegisterDays(old).ShouldBe(10);
        RegisterDays(@new).ShouldBe(9);
        var oldDetails = await Read<Details>(await Api.Auditor.GetAsync($"/api/applications/{running.Id}"));
        var newDetails = await Read<Details>(await Api.Auditor.GetAsync($"/api/applications/{fresh.Id}"));
        oldDetails.DefinitionHash.ShouldNotBe(newDetails.DefinitionHash);
    }
}

public class when_a_request_is_refused(ApiFixture api) : ApiTest(api)
{
    private sealed class Collected : Serilog.Core.ILogEventSink
    {
        public System.Collections.Concurrent.ConcurrentQueue<Serilog.Events.LogEvent> Events { get; } = new();

        public void Emit(Serilog.Events.LogEvent logEvent) => Events.Enqueue(logEvent);
    }

    [Fact]
    public async Task the_request_log_records_the_status_the_client_got_and_only_server_errors_at_error_level()
    {
        var log = new Collected();
        await using var host = ApiFixture.Host(Api.ConnectionString).WithWebHostBuilder(b =>
            b.ConfigureServices(s => s.AddSingleton<Serilog.Core.ILogEventSink>(log)));
        var clerk = ApiFixture.Client(host, "clerk", "odsc");

        var missing = await Post(clerk, $"/api/applications/{Guid.NewGuid()}/steps/intake/decision",
            new { outcome = "approve", reason = "ok" });
        var malformed = await clerk.PostAsync("/api/applications",
            new StringContent("{\"workflowId\":", System.Text.Encoding.UTF8, "application/json"));
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        malformed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var requests = log.Events.Where(e => e.Properties.ContainsKey("RequestPath") && e.Properties.ContainsKey("StatusCode")).ToList();
        int Status(string path) => requests.Where(e => e.Properties["RequestPath"].ToString().Contains(path))
            .Select(e => int.Parse(e.Properties["StatusCode"].ToString())).Single();
        Status("/steps/intake/decision").ShouldBe(404);
        Status("/api/applications\"").ShouldBe(400);
        log.Events.ShouldNotContain(e => e.Level >= Serilog.Events.LogEventLevel.Error);
        requests.ShouldAllBe(e => e.Level == Serilog.Events.LogEventLevel.Information && e.Exception == null);
    }
}

public class when_a_developer_moves_the_clock(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task days_pass_and_the_deadlines_that_came_due_fire_so_an_escalation_can_be_acknowledged()
    {
        // A host of its own: the moved clock must not move the clock of the other tests.
        await using var host = ApiFixture.Host(Api.ConnectionString);
        var clerk = ApiFixture.Client(host, "clerk", "odsc");
        var created = await Read<Created>(await Post(clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        (await Post(clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var before = await clerk.GetFromJsonAsync<JsonElement>("/api/dev/clock");

        var moved = await Post(clerk, "/api/dev/clock", new { advance = "P30D" });

        moved.StatusCode.ShouldBe(HttpStatusCode.OK);
        var clock = await Read<JsonElement>(moved);
        clock.GetProperty("deadlinesFired").GetInt32().ShouldBeGreaterThan(0);
        (clock.GetProperty("now").GetDateTimeOffset() - before.GetProperty("now").GetDateTimeOffset())
            .ShouldBeGreaterThanOrEqualTo(TimeSpan.FromDays(30));
        var history = await Read<History>(await Api.Auditor.GetAsync($"/api/applications/{created.Id}/history"));
        history.Events.Select(e => e.Type).ShouldContain("deadline_breached");
        history.Events.Select(e => e.Type).ShouldContain("step_escalated");
        var supervisor = ApiFixture.Client(host, "supervisor", "moic-enterprise-registration");
        (await Post(supervisor, $"/api/applications/{created.Id}/steps/register/escalations/1/acknowledgement",
                new { comment = "assigned" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await Post(clerk, "/api/dev/clock", new { advance = "-P1D" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Post(clerk, "/api/dev/clock", new { advance = "three days" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Post(clerk, "/api/dev/clock", new { to = "2020-01-01T00:00:00Z" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        // Days are counted past any instant the clock reaches: it stops centuries before the calendar's end.
        (await Post(clerk, "/api/dev/clock", new { to = "9999-12-31T00:00:00Z" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Post(clerk, "/api/dev/clock", new { advance = "P10000000D" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Post(clerk, "/api/dev/clock", new { advance = "P99999999999999D" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ApiFixture.Client(host, "officer", "moic-enterprise-registration").GetAsync("/api/agencies/moic-enterprise-registration/inbox"))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task outside_development_there_is_no_clock_to_move()
    {
        await using var host = ApiFixture.Host(Api.ConnectionString, environment: "Production", settings: new()
        {
            ["Auth:SigningKey"] = "a-production-signing-key-of-at-least-32-characters",
            ["Audit:ChainKey"] = "a-chain-key-of-at-least-thirty-two-characters",
        });
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
            Workflow.Store.Identity.Tokens.Mint("admin-1", "admin", null, null, null, "a-production-signing-key-of-at-least-32-characters",
                TimeSpan.FromHours(1)));

        (await client.GetAsync("/api/workflows")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Post(client, "/api/dev/clock", new { advance = "P3D" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}

public class when_the_server_logs_while_its_daemon_stops
{
    private sealed class Collected : Serilog.Core.ILogEventSink
    {
        public List<Serilog.Events.LogEvent> Events { get; } = [];

        public void Emit(Serilog.Events.LogEvent logEvent) => Events.Add(logEvent);
    }

    [Fact]
    public void only_the_daemons_disposal_race_is_dropped()
    {
        var log = new Collected();
        var configuration = new Serilog.LoggerConfiguration();
        Hosting.Logging.ConfigureLogger(configuration, development: false);
        using var logger = configuration.WriteTo.Sink(log).CreateLogger();
        var race = new ObjectDisposedException("System.Threading.SemaphoreSlim");
        var daemon = logger.ForContext("SourceContext", "Marten.Events.Daemon.Coordination.ProjectionCoordinator");

        daemon.Error(race, "Error trying to load events");
        daemon.Error(new InvalidOperationException("the projection failed"), "Error in a projection");
        logger.ForContext("SourceContext", "Workflow.Store.Applications.DeadlineSweeper").Error(race, "A sweep failed");

        log.Events.Select(e => e.MessageTemplate.Text).ShouldBe(["Error in a projection", "A sweep failed"]);
    }
}
