using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Workflow.Store;
using Workflow.Store.Applications;
using Workflow.Store.Audit;

namespace Workflow.Api.Tests;

public class when_deadlines_come_due(ApiFixture api) : ApiTest(api)
{
    private static readonly TimeSpan Lao = TimeSpan.FromHours(7);
    private static readonly DateTimeOffset Start = new(2024, 6, 3, 9, 0, 0, Lao);

    /// <summary>Applications whose registration step opened on Monday 3 June 2024 (due Monday 17 June).</summary>
    private async Task<List<Guid>> Registered(WebApplicationFactory<Program> host, int count)
    {
        var clerk = ApiFixture.Client(host, "clerk", "odsc");
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var created = await Read<Created>(await Post(clerk, "/api/applications", Samples.Submission("enterprise-registration")));
            (await Post(clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
                .StatusCode.ShouldBe(HttpStatusCode.OK);
            ids.Add(created.Id);
        }
        return ids;
    }

    private async Task<long> DueRows(DateTimeOffset now)
    {
        await using var command = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            $"select count(*) from {WorkflowStore.Schema}.{OpenDeadlines.Table} where fire_at <= @now");
        command.Parameters.AddWithValue("now", now.ToUniversalTime());
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<Dictionary<(Guid, string), int>> EventCounts(IEnumerable<Guid> ids)
    {
        await using var session = Api.Factory.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var counts = new Dictionary<(Guid, string), int>();
        foreach (var id in ids)
            foreach (var e in await session.Events.FetchStreamAsync(id))
                counts[(id, e.EventTypeName)] = counts.GetValueOrDefault((id, e.EventTypeName)) + 1;
        return counts;
    }

    [Fact]
    public async Task two_sweepers_on_one_database_fire_every_due_deadline_exactly_once()
    {
        var clock = Api.Clock;
        clock.Now = Start;
        var ids = await Registered(Api.Clocked, 12);

        clock.Now = new DateTimeOffset(2024, 7, 30, 9, 0, 0, Lao);
        // Two sweepers as two nodes run them: each claims with its own connections, in small batches, at the same time.
        var first = ActivatorUtilities.CreateInstance<DeadlineSweeper>(Api.Clocked.Services);
        var second = ActivatorUtilities.CreateInstance<DeadlineSweeper>(Api.Clocked.Services);
        var claimed = new int[2];
        var rounds = 0;
        for (var fired = -1; fired != 0; rounds++)
        {
            var both = await Task.WhenAll(first.SweepOnceAsync(batchSize: 3), second.SweepOnceAsync(batchSize: 3));
            claimed[0] += both[0];
            claimed[1] += both[1];
            fired = both[0] + both[1];
        }
        (await DueRows(clock.Now)).ShouldBe(0);
        claimed[0].ShouldBeGreaterThan(0, "the first sweeper took part");
        claimed[1].ShouldBeGreaterThan(0, "the second sweeper took part");

        var counts = await EventCounts(ids);
        foreach (var id in ids)
        {
            counts.GetValueOrDefault((id, "deadline_warning_reached")).ShouldBe(1);
            counts.GetValueOrDefault((id, "deadline_breached")).ShouldBe(1);
            counts.GetValueOrDefault((id, "step_escalated")).ShouldBe(2);
            counts.GetValueOrDefault((id, "case_deadline_missed")).ShouldBe(1);
        }
    }

    /// <summary>Application time that lets something else happen the first time it is read after being armed.</summary>
    private sealed class InterferingClock(DateTimeOffset now) : TimeProvider
    {
        public Action? Interfere { get; set; }

        public override DateTimeOffset GetUtcNow()
        {
            var interfere = Interfere;
            Interfere = null;
            interfere?.Invoke();
            return now;
        }
    }

    [Fact]
    public async Task a_batch_with_one_conflicting_application_still_fires_every_deadline_exactly_once()
    {
        Api.Clock.Now = Start;
        var ids = await Registered(Api.Clocked, 5);
        // The registration warnings are due on 13 June; the sweeper's own commands run on a clock at the 14th.
        var clock = new InterferingClock(new DateTimeOffset(2024, 6, 14, 9, 0, 0, Lao));
        Api.Clock.Now = clock.GetUtcNow();
        var services = Api.Clocked.Services;
        var commands = ActivatorUtilities.CreateInstance<ApplicationCommands>(services, (TimeProvider)clock);
        var sweeper = ActivatorUtilities.CreateInstance<DeadlineSweeper>(services, commands, (TimeProvider)clock);
        var claimed = await sweeper.ClaimAsync(10_000, TimeSpan.FromMinutes(5));
        var mine = claimed.Where(row => ids.Contains(row.ApplicationId)).ToList();
        mine.Select(row => row.ApplicationId).ShouldBe(ids, ignoreOrder: true);

        // The batch has read the first application when an officer approves its step: that stream moved under the batch, and
        // a warning decided on what the batch read would now be wrong.
        var conflicted = mine[0].ApplicationId;
        var officer = new Workflow.Core.Applications.Actor("officer-a", "Officer A", "moic-enterprise-registration", "officer");
        var approval = new Workflow.Core.Applications.DecideStep("register", Workflow.Core.Applications.StepOutcome.Approve, "in order",
            null, officer);
        clock.Interfere = () => services.GetRequiredService<ApplicationCommands>()
            .HandleAsync(conflicted, null, approval, new CommandContext("test")).GetAwaiter().GetResult();
        await sweeper.FireClaimedAsync([.. mine, .. claimed.Except(mine)], parallelism: 1, perTransaction: claimed.Count);
        clock.Interfere.ShouldBeNull("the officer's approval happened during the batch");

        var counts = await EventCounts(ids);
        counts.GetValueOrDefault((conflicted, "step_approved")).ShouldBe(2, "the completeness check, then the registration");
        counts.GetValueOrDefault((conflicted, "deadline_warning_reached"))
            .ShouldBe(0, "the step was decided before its warning could fire");
        foreach (var id in ids.Where(id => id != conflicted)) counts.GetValueOrDefault((id, "deadline_warning_reached")).ShouldBe(1);
        (await sweeper.ClaimAsync(10_000, TimeSpan.FromMinutes(5))).ShouldNotContain(row => ids.Contains(row.ApplicationId));
        // Each application's warning carries its own command's correlation and rules, though fired in one transaction.
        await using var session = services.GetRequiredService<IDocumentStore>().QuerySession();
        foreach (var id in ids.Where(id => id != conflicted))
        {
            var history = await session.Events.FetchStreamAsync(id);
            var warning = history.Single(e => e.EventTypeName == "deadline_warning_reached");
            warning.CorrelationId.ShouldStartWith($"deadline:{id}/register/");
            var rules = Workflow.Store.Audit.AuditHeaders.Of(warning);
            rules.Procedure.ShouldBe(Workflow.Store.Audit.AuditHeaders.Of(history[0]).Procedure);
            rules.ProcedureHash.ShouldNotBeNullOrEmpty();
            rules.Calendar.ShouldNotBeNullOrEmpty();
            rules.Channel.ShouldBe("system");
        }
    }

    [Fact]
    public async Task the_first_sweep_fires_everything_that_came_due_while_no_sweeper_ran()
    {
        var clock = Api.Clock;
        clock.Now = Start;
        var ids = await Registered(Api.Clocked, 3);

        // Nothing swept for two weeks: the rows wait in the database, and the first sweep after it fires what came due.
        clock.Now = new DateTimeOffset(2024, 6, 18, 9, 0, 0, Lao);
        await SweepUntilNothingClaimed(Api.Clocked);
        (await DueRows(clock.Now)).ShouldBe(0);
        var after = Api.Clocked;

        var counts = await EventCounts(ids);
        foreach (var id in ids)
        {
            counts.GetValueOrDefault((id, "deadline_warning_reached")).ShouldBe(1);
            counts.GetValueOrDefault((id, "deadline_breached")).ShouldBe(1);
            counts.GetValueOrDefault((id, "step_escalated")).ShouldBe(0);
        }
        var overdue = await ApiFixture.Client(after, "officer", "moic-enterprise-registration")
            .GetFromJsonAsync<JsonElement>("/api/agencies/moic-enterprise-registration/overdue");
        overdue.GetProperty("total").GetInt32().ShouldBe(3);
        overdue.GetProperty("items")[0].GetProperty("overdueWorkingDays").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task the_application_shows_its_deadlines_breaches_and_remaining_days()
    {
        var clock = Api.Clock;
        clock.Now = Start;
        var host = Api.Clocked;
        var id = (await Registered(host, 1)).Single();
        var auditor = ApiFixture.Client(host, "auditor", null);

        var fresh = await auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{id}");
        fresh.GetProperty("clock").GetProperty("state").GetString().ShouldBe("running");
        fresh.GetProperty("clock").GetProperty("dueAt").GetDateTimeOffset().ShouldBe(new DateTimeOffset(2024, 6, 26, 16, 0, 0, Lao));
        fresh.GetProperty("clock").GetProperty("remainingWorkingDays").GetInt32().ShouldBe(17);
        fresh.GetProperty("openSteps")[0].GetProperty("remainingWorkingDays").GetInt32().ShouldBe(10);

        clock.Now = new DateTimeOffset(2024, 6, 19, 16, 30, 0, Lao);
        await SweepUntilNothingClaimed(host);
        (await DueRows(clock.Now)).ShouldBe(0);
        var late = await auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{id}");
        var step = late.GetProperty("openSteps")[0];
        step.GetProperty("breached").GetBoolean().ShouldBeTrue();
        step.GetProperty("escalationLevel").GetInt32().ShouldBe(1);
        step.GetProperty("remainingWorkingDays").GetInt32().ShouldBe(-2);
        late.GetProperty("breaches")[0].GetProperty("agency").GetString().ShouldBe("moic-enterprise-registration");

        var supervisor = ApiFixture.Client(host, "supervisor", "moic-enterprise-registration");
        (await Post(supervisor, $"/api/applications/{id}/steps/register/escalations/1/acknowledgement",
                new { comment = "second officer assigned" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var acknowledged = await auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{id}");
        acknowledged.GetProperty("escalations")[0].GetProperty("acknowledgedBy").GetProperty("role").GetString().ShouldBe("supervisor");
    }

    [Fact]
    public async Task a_decision_after_the_due_time_is_marked_late_against_the_agency()
    {
        var clock = Api.Clock;
        clock.Now = Start;
        var host = Api.Clocked;
        var id = (await Registered(host, 1)).Single();

        clock.Now = new DateTimeOffset(2024, 6, 18, 10, 0, 0, Lao);
        await Post(ApiFixture.Client(host, "officer", "moic-enterprise-registration"), $"/api/applications/{id}/steps/register/decision",
            new { outcome = "approve", reason = "registered" });

        var details = await ApiFixture.Client(host, "auditor", null).GetFromJsonAsync<JsonElement>($"/api/applications/{id}");
        var register = details.GetProperty("completedSteps").EnumerateArray()
            .Single(s => s.GetProperty("stepId").GetString() == "register");
        register.GetProperty("late").GetBoolean().ShouldBeTrue();
        register.GetProperty("agency").GetString().ShouldBe("moic-enterprise-registration");
    }

    [Fact]
    public async Task calendars_and_due_dates_are_served()
    {
        var calendars = await Api.Auditor.GetFromJsonAsync<JsonElement>("/api/calendars");
        calendars.EnumerateArray().Select(c => c.GetProperty("id").GetString()).ShouldContain("lao-national");

        var due = await Api.Auditor.GetFromJsonAsync<JsonElement>("/api/calendars/lao-national/due?from=2024-04-10&workingDays=5");
        due.GetProperty("dueAt").GetDateTimeOffset().ShouldBe(new DateTimeOffset(2024, 4, 23, 16, 0, 0, Lao));
        due.GetProperty("holidaysSkipped").EnumerateArray().Select(h => h.GetProperty("name").GetString())
            .ShouldContain("Lao New Year (Pi Mai)");

        (await Api.Auditor.GetAsync("/api/calendars/lao-national/due?from=someday&workingDays=5"))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Api.Auditor.GetAsync("/api/calendars/atlantis/due?from=2024-04-10&workingDays=5"))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    /// <summary>
    /// A copy of the definitions folder for hosts of a test's own, and a host on it at <paramref name="clock"/>'s time that has
    /// registered one application (its registration step opened) and taken note of the calendars in force.
    /// </summary>
    private async Task<(string Folder, Dictionary<string, string?> Settings, Guid Id)> RegisteredInOwnFolder(ManualClock clock,
        Func<WebApplicationFactory<Program>, Guid, Task>? then = null)
    {
        var folder = ApiFixture.CopyOfWorkflows();
        var settings = new Dictionary<string, string?> { ["Workflow:DefinitionsPath"] = folder };
        await using var before = ApiFixture.Host(Api.ConnectionString, clock: clock, settings: settings);
        var id = (await Registered(before, 1)).Single();
        await before.Services.GetRequiredService<CalendarChanges>().RecalculateIfChangedAsync();
        if (then is not null) await then(before, id);
        return (folder, settings, id);
    }

    /// <summary>Version 2 of the national calendar in the folder: in force from <paramref name="effective"/>, one holiday more.</summary>
    private static void AnnounceHoliday(string folder, string effective, string date, string notice)
    {
        var national = Path.Combine(folder, "calendars", "lao-national.yaml");
        File.WriteAllText(Path.Combine(folder, "calendars", "lao-national-v2.yaml"), File.ReadAllText(national)
            .Replace("version: 1", "version: 2").Replace("effective: 2024-01-01", $"effective: {effective}")
            + $"  - {{ date: {date}, name: Day of national mourning, notice: {notice} }}\n");
    }

    [Fact]
    public async Task a_holiday_announced_later_recalculates_open_deadlines_with_the_reason()
    {
        var clock = new ManualClock(Start);
        var (folder, settings, id) = await RegisteredInOwnFolder(clock);
        AnnounceHoliday(folder, "2024-06-05", "2024-06-12", "PMO notice of 4 June 2024");
        // Half an hour after local midnight on the effective date: still 4 June in UTC, already 5 June in Vientiane.
        clock.Now = new DateTimeOffset(2024, 6, 5, 0, 30, 0, Lao);
        await using var after = ApiFixture.Host(Api.ConnectionString, clock: clock, settings: settings);
        // The check the sweeper makes hourly, once: the new version is in force and moves the open deadlines.
        (await after.Services.GetRequiredService<CalendarChanges>().RecalculateIfChangedAsync()).ShouldBeGreaterThan(0);

        var history = await ApiFixture.Client(after, "auditor", null).GetFromJsonAsync<JsonElement>($"/api/applications/{id}/history");
        var step = history.GetProperty("events").EnumerateArray()
            .Single(e => e.GetProperty("type").GetString() == "deadline_recalculated"
                && e.GetProperty("data").GetProperty("scope").GetString() == "register")
            .GetProperty("data");
        step.GetProperty("previousDueAt").GetDateTimeOffset().ShouldBe(new DateTimeOffset(2024, 6, 17, 16, 0, 0, Lao));
        step.GetProperty("dueAt").GetDateTimeOffset().ShouldBe(new DateTimeOffset(2024, 6, 18, 16, 0, 0, Lao));
        step.GetProperty("reason").GetString()!.ShouldContain("lao-national@2");
        var details = await ApiFixture.Client(after, "auditor", null).GetFromJsonAsync<JsonElement>($"/api/applications/{id}");
        details.GetProperty("openSteps")[0].GetProperty("dueAt").GetDateTimeOffset()
            .ShouldBe(new DateTimeOffset(2024, 6, 18, 16, 0, 0, Lao));
    }

    [Fact]
    public async Task a_holiday_announced_after_a_step_missed_its_deadline_moves_the_escalation_which_fires_on_the_next_working_day()
    {
        var clock = new ManualClock(Start);
        var (folder, settings, id) = await RegisteredInOwnFolder(clock, async (before, id) =>
        {
            // Warned, then breached on Monday 17 June; the first escalation was due two working days later, Wednesday 19.
            clock.Now = new DateTimeOffset(2024, 6, 17, 16, 1, 0, Lao);
            await SweepUntilNothingClaimed(before);
            (await Events(before, id, "deadline_breached")).ShouldHaveSingleItem();
        });
        AnnounceHoliday(folder, "2024-06-18", "2024-06-19", "PMO notice of 18 June 2024");
        clock.Now = new DateTimeOffset(2024, 6, 18, 9, 0, 0, Lao);
        await using var after = ApiFixture.Host(Api.ConnectionString, clock: clock, settings: settings);
        (await after.Services.GetRequiredService<CalendarChanges>().RecalculateIfChangedAsync()).ShouldBeGreaterThan(0);
        var moved = (await Events(after, id, "deadline_recalculated")).Single(e => e.GetProperty("scope").GetString() == "register");
        moved.GetProperty("dueAt").GetDateTimeOffset().ShouldBe(new DateTimeOffset(2024, 6, 17, 16, 0, 0, Lao));
        moved.GetProperty("next").GetProperty("at").GetDateTimeOffset().ShouldBe(new DateTimeOffset(2024, 6, 20, 16, 0, 0, Lao));

        // On the holiday nothing is due; on Thursday the escalation fires, once, recorded at its instant.
        clock.Now = new DateTimeOffset(2024, 6, 19, 16, 1, 0, Lao);
        (await SweepUntilNothingClaimed(after)).ShouldBe(0);
        clock.Now = new DateTimeOffset(2024, 6, 20, 16, 1, 0, Lao);
        await SweepUntilNothingClaimed(after);
        clock.Now = clock.Now.AddMinutes(5);
        await SweepUntilNothingClaimed(after);
        var escalated = (await Events(after, id, "step_escalated")).ShouldHaveSingleItem();
        escalated.GetProperty("level").GetInt32().ShouldBe(1);
        escalated.GetProperty("at").GetDateTimeOffset().ShouldBe(new DateTimeOffset(2024, 6, 20, 16, 0, 0, Lao));
        (await after.Services.GetRequiredService<ProjectionCheck>().RunAsync([], id)).ShouldBeEmpty();
    }

    private async Task<int> SweepUntilNothingClaimed(WebApplicationFactory<Program> host)
    {
        var sweeper = host.Services.GetRequiredService<DeadlineSweeper>();
        var total = 0;
        for (var claimed = -1; claimed != 0; total += claimed) claimed = await sweeper.SweepOnceAsync();
        return total;
    }

    private static async Task<List<JsonElement>> Events(WebApplicationFactory<Program> host, Guid id, string type)
    {
        var history = await ApiFixture.Client(host, "auditor", null).GetFromJsonAsync<JsonElement>($"/api/applications/{id}/history");
        return [.. history.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == type).Select(e => e.GetProperty("data"))];
    }

    private static async Task Decide(WebApplicationFactory<Program> host, Guid id, string step, string agency, string outcome = "approve")
    {
        var client = ApiFixture.Client(host, agency == "odsc" ? "clerk" : "officer", agency);
        (await Post(client, $"/api/applications/{id}/steps/{step}/decision", new { outcome, reason = "checked" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task the_sweeper_fires_a_deadline_only_after_its_instant_and_records_it_at_that_instant()
    {
        var clock = Api.Clock;
        clock.Now = Start;
        var host = Api.Clocked;
        var id = (await Registered(host, 1)).Single();
        var due = new DateTimeOffset(2024, 6, 26, 16, 0, 0, Lao);

        clock.Now = due;
        await SweepUntilNothingClaimed(host);
        (await Events(host, id, "case_deadline_missed")).ShouldBeEmpty();
        (await Events(host, id, "deadline_breached")).Single().GetProperty("at").GetDateTimeOffset()
            .ShouldBe(new DateTimeOffset(2024, 6, 17, 16, 0, 0, Lao), "recorded when registration came due, not when the sweep ran");

        clock.Now = due.AddMilliseconds(5);
        (await SweepUntilNothingClaimed(host)).ShouldBe(1);
        var missed = (await Events(host, id, "case_deadline_missed")).Single();
        missed.GetProperty("at").GetDateTimeOffset().ShouldBe(due);
        missed.GetProperty("newExpectedAt").GetDateTimeOffset().ShouldBe(new DateTimeOffset(2024, 7, 5, 16, 0, 0, Lao));
    }

    [Fact]
    public async Task a_case_that_missed_its_deadline_stays_late_after_a_return_and_a_fresh_deadline()
    {
        var clock = Api.Clock;
        clock.Now = Start;
        var host = Api.Clocked;
        var id = (await Registered(host, 1)).Single();
        clock.Now = new DateTimeOffset(2024, 6, 26, 16, 1, 0, Lao);
        await SweepUntilNothingClaimed(host);

        clock.Now = new DateTimeOffset(2024, 6, 27, 10, 0, 0, Lao);
        await Decide(host, id, "register", "moic-enterprise-registration", "return");
        clock.Now = new DateTimeOffset(2024, 6, 28, 9, 0, 0, Lao);
        (await Post(ApiFixture.Client(host, "clerk", "odsc"), $"/api/applications/{id}/resubmission", new { comment = "signed" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        clock.Now = new DateTimeOffset(2024, 6, 28, 10, 0, 0, Lao);
        await Decide(host, id, "register", "moic-enterprise-registration");
        await Decide(host, id, "seal", "mops-seal-office");
        await Decide(host, id, "social-security", "molsw-social-security");
        await Decide(host, id, "handover", "odsc");

        var auditor = ApiFixture.Client(host, "auditor", null);
        var details = await auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{id}");
        details.GetProperty("status").GetString().ShouldBe("approved");
        details.GetProperty("clock").GetProperty("timeliness").GetString().ShouldBe("late-with-apology");
        (await auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{id}/case-file?format=json"))
            .GetProperty("timeliness").GetString().ShouldBe("late-with-apology");
    }

    [Fact]
    public async Task a_lapsed_case_has_no_timeliness_in_its_details_or_case_file()
    {
        var clock = Api.Clock;
        clock.Now = Start;
        var host = Api.Clocked;
        var id = (await Registered(host, 1)).Single();
        clock.Now = new DateTimeOffset(2024, 6, 5, 10, 0, 0, Lao);
        await Decide(host, id, "register", "moic-enterprise-registration", "return");

        clock.Now = new DateTimeOffset(2024, 7, 6, 0, 0, 1, Lao);
        await SweepUntilNothingClaimed(host);

        var auditor = ApiFixture.Client(host, "auditor", null);
        var details = await auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{id}");
        details.GetProperty("status").GetString().ShouldBe("lapsed");
        details.GetProperty("clock").GetProperty("timeliness").ValueKind.ShouldBe(JsonValueKind.Null);
        (await auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{id}/case-file?format=json"))
            .GetProperty("timeliness").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task an_application_read_as_of_an_open_steps_due_instant_is_served_as_it_is_now()
    {
        // The due instant lies ahead: nothing can have happened by then that has not happened yet, so the answer is the
        // application now, its days counted now (the read once overflowed the stack when the two instants were equal).
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        var now = await Api.Auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{created.Id}");
        var due = now.GetProperty("openSteps")[0].GetProperty("dueAt").GetDateTimeOffset();

        var then = await Api.Auditor.GetAsync($"/api/applications/{created.Id}?asOf={Uri.EscapeDataString(due.ToString("O"))}");

        then.StatusCode.ShouldBe(HttpStatusCode.OK);
        var step = (await then.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("openSteps")[0];
        step.GetProperty("remainingWorkingDays").GetInt32()
            .ShouldBe(now.GetProperty("openSteps")[0].GetProperty("remainingWorkingDays").GetInt32());
    }

    [Fact]
    public async Task the_deadline_of_a_case_already_late_fires_nothing_and_is_not_claimed_again()
    {
        var clock = Api.Clock;
        clock.Now = Start;
        var host = Api.Clocked;
        var clerk = ApiFixture.Client(host, "clerk", "odsc");
        var id = (await Read<Created>(await Post(clerk, "/api/applications", Samples.Submission("land-title-transfer")))).Id;
        await Decide(host, id, "intake", "odsc");
        clock.Now = new DateTimeOffset(2024, 6, 24, 16, 1, 0, Lao);
        await SweepUntilNothingClaimed(host);
        (await Events(host, id, "case_deadline_missed")).ShouldHaveSingleItem();
        clock.Now = new DateTimeOffset(2024, 6, 25, 10, 0, 0, Lao);
        await Decide(host, id, "village-certification", "village-authority", "return");
        clock.Now = new DateTimeOffset(2024, 6, 26, 9, 0, 0, Lao);
        (await Post(clerk, $"/api/applications/{id}/resubmission", new { comment = "signed" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        clock.Now = new DateTimeOffset(2024, 6, 26, 16, 1, 0, Lao);
        (await SweepUntilNothingClaimed(host)).ShouldBe(1, "the resumed legal deadline, with nothing left to fire");
        clock.Now = clock.Now.AddMinutes(5);

        (await SweepUntilNothingClaimed(host)).ShouldBe(0);
        (await Events(host, id, "case_deadline_missed")).ShouldHaveSingleItem();

        // The retired timer stays, firing nothing; the projection check knows it from one silenced with SQL, and names nothing.
        await using (var retired = host.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                         $"select count(*) from {WorkflowStore.Schema}.{OpenDeadlines.Table} " +
                         "where application_id = @id and scope = 'case' and fire_at is null"))
        {
            retired.Parameters.AddWithValue("id", id);
            ((long)(await retired.ExecuteScalarAsync())!).ShouldBe(1);
        }
        (await host.Services.GetRequiredService<ProjectionCheck>().RunAsync([], id)).ShouldBeEmpty();
    }
}
