using Workflow.Core.Applications;
using Workflow.Core.Calendars;
using static Workflow.Core.Tests.Procedures;
using static Workflow.Core.Tests.Spec;

namespace Workflow.Core.Tests;

public class when_a_steps_deadline_approaches_and_passes
{
    private const string Moic = "moic-enterprise-registration";
    private static readonly ReachDeadline Reach = new("register", DeadlineScopes.System);
    private static readonly DateTimeOffset Due = Lao(2024, 6, 17, 16);

    /// <summary>Monday 3 June 2024: registration opens, due after 10 working days on Monday 17 June at closing time.</summary>
    private static Scenario Opened()
    {
        var story = new Scenario(Get("enterprise-registration")).At(Lao(2024, 6, 3, 9))
            .Submit(when_an_enterprise_application_is_submitted.Company(), when_an_enterprise_application_is_submitted.CompanyDocuments);
        story.Approve("intake");
        return story;
    }

    private static readonly DeadlineWarningReached Warned =
        new("register", Moic, Due, ["officer"], Lao(2024, 6, 13, 10, 15), new DeadlineTimer("breach", 0, Due));

    private static readonly DeadlineBreached Breached =
        new("register", Moic, Due, ["agency-head"], Due, new DeadlineTimer("escalation", 1, Lao(2024, 6, 19, 16)));

    private static readonly StepEscalated FirstEscalation = new("register", Moic, 1, 2, ["odsc-head", "district-governor"],
        Lao(2024, 6, 19, 16), new DeadlineTimer("escalation", 2, Lao(2024, 6, 24, 16)));

    private static readonly StepEscalated SecondEscalation =
        new("register", Moic, 2, 5, ["provincial-home-affairs", "national-dashboard"], Lao(2024, 6, 24, 16), null);

    [Fact]
    public void the_step_records_its_due_time_and_the_calendar_version_used()
    {
        var opened = Opened().History.OfType<StepOpened>().Last();
        opened.DueAt.ShouldBe(Due);
        opened.CalendarVersion.ShouldBe("odsc-vientiane-capital@1+vientiane-capital@1+lao-national@1");
        opened.NextTimer.ShouldBe(new DeadlineTimer("warning", 0, Lao(2024, 6, 13, 10, 15)));
    }

    [Fact]
    public void nothing_fires_a_minute_before_the_warning() =>
        Given(Opened()).At(Lao(2024, 6, 13, 10, 14)).When(Reach).ThenNothing();

    [Fact]
    public void the_officer_is_warned_at_75_percent_of_the_time() =>
        Given(Opened()).At(Lao(2024, 6, 13, 10, 15)).When(Reach).Then(Warned);

    [Fact]
    public void the_warning_is_given_once() =>
        Given(Opened().Given(Warned)).At(Lao(2024, 6, 13, 10, 15)).When(Reach).ThenNothing();

    [Fact]
    public void the_due_instant_itself_is_still_on_time() =>
        Given(Opened().Given(Warned)).At(Due).When(Reach).ThenNothing();

    [Fact]
    public void a_second_after_it_the_agency_head_is_told_of_the_breach() =>
        Given(Opened().Given(Warned)).At(Due.AddSeconds(1)).When(Reach).Then(Breached);

    [Fact]
    public void the_breach_is_recorded_once() =>
        Given(Opened().Given(Warned, Breached)).At(Due.AddSeconds(1)).When(Reach).ThenNothing();

    [Fact]
    public void two_working_days_late_it_escalates_to_the_centre_and_the_district() =>
        Given(Opened().Given(Warned, Breached)).At(Lao(2024, 6, 19, 16)).When(Reach).Then(FirstEscalation);

    [Fact]
    public void between_levels_nothing_fires() =>
        Given(Opened().Given(Warned, Breached, FirstEscalation)).At(Lao(2024, 6, 21, 12)).When(Reach).ThenNothing();

    [Fact]
    public void five_working_days_late_it_escalates_to_the_province_and_the_national_dashboard_last() =>
        Given(Opened().Given(Warned, Breached, FirstEscalation)).At(Lao(2024, 6, 24, 16)).When(Reach).Then(SecondEscalation);

    [Fact]
    public void after_the_last_level_nothing_more_fires() =>
        Given(Opened().Given(Warned, Breached, FirstEscalation, SecondEscalation)).At(Lao(2024, 8, 1, 9)).When(Reach).ThenNothing();

    [Fact]
    public void after_a_stop_everything_that_came_due_fires_once_in_order()
    {
        var story = Opened();
        var events = story.At(Lao(2024, 6, 25, 10)).Reach("register");

        Scenario.Types(events).ShouldBe(["DeadlineWarningReached", "DeadlineBreached", "StepEscalated", "StepEscalated"]);
        story.Reach("register").ShouldBeEmpty();
    }

    [Fact]
    public void a_step_decided_before_its_deadline_never_fires()
    {
        var story = Opened();
        story.At(Lao(2024, 6, 12, 9)).Approve("register");

        Given(story).At(Lao(2024, 7, 30, 9)).When(Reach).ThenNothing();
    }

    [Fact]
    public void an_escalation_is_acknowledged_by_a_supervisor_of_the_agency()
    {
        var supervisor = Scenario.Supervisor(Moic);

        Given(Opened().Given(Warned, Breached, FirstEscalation)).At(Lao(2024, 6, 20, 9))
            .When(new AcknowledgeEscalation("register", 1, "extra staff assigned", supervisor))
            .Then(new EscalationAcknowledged("register", 1, "extra staff assigned", supervisor, Lao(2024, 6, 20, 9)));
    }

    [Fact]
    public void an_acknowledged_escalation_is_not_acknowledged_again()
    {
        var supervisor = Scenario.Supervisor(Moic);
        var acknowledged = new EscalationAcknowledged("register", 1, "extra staff assigned", supervisor, Lao(2024, 6, 20, 9));

        Given(Opened().Given(Warned, Breached, FirstEscalation, acknowledged))
            .When(new AcknowledgeEscalation("register", 1, null, supervisor)).ThenNothing();
    }

    [Fact]
    public void a_level_not_reached_cannot_be_acknowledged() =>
        Given(Opened().Given(Warned, Breached, FirstEscalation))
            .When(new AcknowledgeEscalation("register", 2, null, Scenario.Supervisor(Moic))).ThenFails<RuleViolation>("not-escalated");
}

public class when_the_case_clock_runs
{
    private static Scenario Completed(string workflow, Dictionary<string, object> data, string[] documents)
    {
        var s = new Scenario(Get(workflow)).At(Lao(2024, 6, 3, 9)).Submit(data, documents);
        s.Approve("intake");
        return s;
    }

    private static Scenario LandTransfer() => Completed("land-title-transfer", new()
    {
        ["parcel_number"] = "XAY-88-12", ["title_number"] = "T-1", ["transfer_kind"] = "gift", ["declared_value"] = 1000,
        ["village"] = "Ban Phonxay", ["seller_name"] = "Khamla", ["buyer_name"] = "Noy",
    }, ["application-form", "land-title", "seller-id", "buyer-id"]);

    private static Scenario Enterprise() => Completed("enterprise-registration",
        when_an_enterprise_application_is_submitted.Company(), when_an_enterprise_application_is_submitted.CompanyDocuments);

    [Fact]
    public void a_paused_clock_resumes_with_exactly_the_remaining_time()
    {
        var s = LandTransfer();
        s.History.OfType<ApplicationDeclaredComplete>().Single().DueAt.ShouldBe(Lao(2024, 6, 24, 16));

        var stopped = s.At(Lao(2024, 6, 5, 10)).Return("village-certification").OfType<CaseClockStopped>().Single();
        stopped.RemainingWorkingDays.ShouldBe(13);
        var resumed = s.At(Lao(2024, 6, 10, 9)).Correct().OfType<CaseClockResumed>().Single();

        resumed.WorkingDays.ShouldBe(13);
        resumed.DueAt.ShouldBe(Lao(2024, 6, 27, 16), "the three working days the citizen held the file are added, nothing else");
        resumed.Policy.ShouldBe("pause");
    }

    [Fact]
    public void a_restart_gives_a_fresh_deadline_to_the_case_and_the_step()
    {
        var s = Enterprise();
        s.At(Lao(2024, 6, 5, 10)).Return("register");

        var events = s.At(Lao(2024, 6, 10, 9)).Correct();

        var resumed = events.OfType<CaseClockResumed>().Single();
        resumed.WorkingDays.ShouldBe(17);
        resumed.DueAt.ShouldBe(Lao(2024, 7, 3, 16));
        events.OfType<StepOpened>().Single().DueAt.ShouldBe(Lao(2024, 6, 24, 16));
    }

    [Fact]
    public void an_uncorrected_application_lapses_after_the_correction_window_and_only_then()
    {
        var s = Enterprise();
        s.At(Lao(2024, 6, 5, 10)).Return("register").OfType<CaseClockStopped>().Single()
            .CorrectionDueAt.ShouldBe(Lao(2024, 7, 6, 0).AddTicks(-1), "the end of Friday 5 July");

        s.At(Lao(2024, 7, 5, 23, 59)).Reach(DeadlineScopes.Correction).ShouldBeEmpty();
        s.At(Lao(2024, 7, 6, 0)).Reach(DeadlineScopes.Correction).ShouldHaveSingleItem().ShouldBeOfType<ApplicationLapsed>();
        s.State!.Status.ShouldBe(ApplicationStatus.Lapsed);
        s.Reach(DeadlineScopes.Correction).ShouldBeEmpty();
    }

    [Fact]
    public void a_corrected_application_never_lapses()
    {
        var s = Enterprise();
        s.At(Lao(2024, 6, 5, 10)).Return("register");
        s.At(Lao(2024, 6, 20, 10)).Correct();

        s.At(Lao(2024, 8, 1, 10)).Reach(DeadlineScopes.Correction).ShouldBeEmpty();
        s.State!.Status.ShouldBe(ApplicationStatus.InProgress);
    }

    [Fact]
    public void a_missed_legal_deadline_gives_the_citizen_an_apology_with_a_new_date_once()
    {
        var s = Enterprise();
        var due = s.History.OfType<ApplicationDeclaredComplete>().Single().DueAt;

        s.At(due).Reach(DeadlineScopes.Case).ShouldBeEmpty();
        var missed = s.At(due.AddSeconds(1)).Reach(DeadlineScopes.Case).ShouldHaveSingleItem().ShouldBeOfType<CaseDeadlineMissed>();

        missed.Notified.ShouldContain("citizen");
        missed.NewExpectedAt.ShouldBeGreaterThan(due);
        s.State!.Status.ShouldBe(ApplicationStatus.InProgress);
        s.Reach(DeadlineScopes.Case).ShouldBeEmpty();
    }

    [Fact]
    public void deemed_approval_happens_only_where_the_procedure_grants_it()
    {
        var definition = Parse("""
            id: deemed
            version: 1
            title: Deemed approval
            deadline: 3 working days
            deemed_approval: true
            steps:
              intake: { agency: odsc, deadline: 1, approve: review }
              review: { agency: a, deadline: 3, approve: approved, reject: rejected }
            """);
        var s = new Scenario(definition).At(Lao(2024, 6, 3, 9)).Submit([]);
        s.Approve("intake");
        var due = s.History.OfType<ApplicationDeclaredComplete>().Single().DueAt;

        s.At(due.AddSeconds(1)).Reach(DeadlineScopes.Case).ShouldHaveSingleItem().ShouldBeOfType<ApplicationDeemedApproved>();

        s.State!.Status.ShouldBe(ApplicationStatus.Approved);
        s.State.LiveSteps.ShouldBeEmpty();
    }

    [Fact]
    public void a_further_return_needs_a_supervisor_citing_a_listed_requirement()
    {
        var s = Enterprise();
        s.Return("register");
        s.Correct();
        var officer = Scenario.Officer("moic-enterprise-registration");
        var supervisor = Scenario.Supervisor("moic-enterprise-registration");

        s.ThenFails<RuleViolation>(new DecideStep("register", StepOutcome.Return, "again", null, officer, "document:owner-id"))
            .Code.ShouldBe("return-cap");
        s.ThenFails<RuleViolation>(new DecideStep("register", StepOutcome.Return, "again", null, supervisor)).Code.ShouldBe("return-cap");
        s.ThenFails<RuleViolation>(new DecideStep("register", StepOutcome.Return, "again", null, supervisor, "document:tax-clearance"))
            .Code.ShouldBe("return-cap");

        var returned = s
            .When(new DecideStep("register", StepOutcome.Return, "the owner id has expired", null, supervisor, "document:owner-id"))
            .OfType<StepReturned>().Single();
        returned.BeyondCap.ShouldBeTrue();
        returned.ReasonCode.ShouldBe("document:owner-id");
    }
}

public class when_a_holiday_is_announced_after_deadlines_were_set
{
    [Fact]
    public void each_affected_deadline_is_recalculated_explicitly_with_the_reason()
    {
        var s = new Scenario(Get("enterprise-registration")).At(Lao(2024, 6, 3, 9))
            .Submit(when_an_enterprise_application_is_submitted.Company(), when_an_enterprise_application_is_submitted.CompanyDocuments);
        s.Approve("intake");
        var national = File.ReadAllText(Path.Combine(RepositoryRoot(), "workflows", "calendars", "lao-national.yaml"));
        var announced = national.Replace("version: 1", "version: 2").Replace("effective: 2024-01-01", "effective: 2024-06-05")
            + "  - { date: 2024-06-12, name: Day of national mourning, notice: PMO notice of 4 June 2024 }\n";
        var calendars = CalendarCatalog.Parse(
            [("calendars/lao-national.yaml", national), ("calendars/lao-national-2.yaml", announced)], []);
        var updated = calendars.Resolve("lao-national", new DateOnly(2024, 6, 6))!;

        var events = s.At(Lao(2024, 6, 6, 9)).With(updated)
            .When(new RecalculateDeadlines("PMO notice of 4 June 2024", DeadlineScopes.System));

        var step = events.OfType<DeadlineRecalculated>().Single(e => e.Scope == "register");
        step.PreviousDueAt.ShouldBe(Lao(2024, 6, 17, 16));
        step.DueAt.ShouldBe(Lao(2024, 6, 18, 16));
        step.CalendarVersion.ShouldBe("lao-national@2");
        step.Reason.ShouldBe("PMO notice of 4 June 2024");
        events.OfType<DeadlineRecalculated>().Single(e => e.Scope == DeadlineScopes.Case).DueAt.ShouldBe(Lao(2024, 6, 27, 16));
        s.When(new RecalculateDeadlines("again", DeadlineScopes.System)).ShouldBeEmpty();
    }

    [Fact]
    public void a_holiday_after_a_missed_step_deadline_moves_its_next_escalation_and_the_escalation_fires_then()
    {
        var s = new Scenario(Get("enterprise-registration")).At(Lao(2024, 6, 3, 9))
            .Submit(when_an_enterprise_application_is_submitted.Company(), when_an_enterprise_application_is_submitted.CompanyDocuments);
        s.Approve("intake");
        s.At(Lao(2024, 6, 13, 10, 15)).Reach("register");
        var breached = s.At(Lao(2024, 6, 17, 16, 1)).Reach("register").OfType<DeadlineBreached>().Single();
        breached.NextTimer.ShouldBe(new DeadlineTimer(DeadlineScopes.Escalation, 1, Lao(2024, 6, 19, 16)));

        // Wednesday 19 June, the first escalation's day, declared a holiday on the 18th.
        var national = File.ReadAllText(Path.Combine(RepositoryRoot(), "workflows", "calendars", "lao-national.yaml"));
        var announced = national.Replace("version: 1", "version: 2").Replace("effective: 2024-01-01", "effective: 2024-06-18")
            + "  - { date: 2024-06-19, name: Day of national mourning, notice: PMO notice of 18 June 2024 }\n";
        var updated = CalendarCatalog.Parse(
            [("calendars/lao-national.yaml", national), ("calendars/lao-national-2.yaml", announced)], []).Resolve("lao-national",
            new DateOnly(2024, 6, 18))!;
        var recalculated = s.At(Lao(2024, 6, 18, 9)).With(updated)
            .When(new RecalculateDeadlines("PMO notice of 18 June 2024", DeadlineScopes.System)).OfType<DeadlineRecalculated>()
            .Single(e => e.Scope == "register");
        recalculated.PreviousDueAt.ShouldBe(Lao(2024, 6, 17, 16));
        recalculated.DueAt.ShouldBe(Lao(2024, 6, 17, 16), "a deadline already missed stays missed when it was");
        recalculated.NextTimer.ShouldBe(new DeadlineTimer(DeadlineScopes.Escalation, 1, Lao(2024, 6, 20, 16)));
        s.State!.Steps["register"].NextTimer!.At.ShouldBe(Lao(2024, 6, 20, 16));
        s.When(new RecalculateDeadlines("again", DeadlineScopes.System)).ShouldBeEmpty();

        // The sweeper looks at the instant its row now gives, and the escalation fires then, the holiday not counted.
        var escalated = s.At(Lao(2024, 6, 20, 16, 1)).Reach("register", Lao(2024, 6, 20, 16)).OfType<StepEscalated>().Single();
        escalated.Level.ShouldBe(1);
        escalated.At.ShouldBe(Lao(2024, 6, 20, 16));
        escalated.NextTimer.ShouldBe(new DeadlineTimer(DeadlineScopes.Escalation, 2, Lao(2024, 6, 25, 16)));
        s.When(new RecalculateDeadlines("again after the escalation", DeadlineScopes.System)).ShouldBeEmpty();
        s.At(Lao(2024, 6, 25, 16, 1)).Reach("register", Lao(2024, 6, 25, 16)).OfType<StepEscalated>().Single().Level.ShouldBe(2);
        s.When(new RecalculateDeadlines("again after the last escalation", DeadlineScopes.System)).ShouldBeEmpty();
    }
}
