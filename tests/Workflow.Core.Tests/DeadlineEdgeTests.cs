using System.Text.Json;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using static Workflow.Core.Tests.Procedures;

namespace Workflow.Core.Tests;

/// <summary>Cases at the exact instants where the legal clock used to go wrong; every instant is fixed, nothing waits.</summary>
public static class Cases
{
    public static readonly Dictionary<string, object> Parcel = Procedures.Parcel;

    public static readonly string[] ParcelDocuments = ["application-form", "land-title", "seller-id", "buyer-id"];

    /// <summary>A land title transfer (15 working days, clock paused by a return) declared complete at <paramref name="at"/>.</summary>
    public static Scenario LandTransfer(DateTimeOffset at)
    {
        var s = new Scenario(Get("land-title-transfer")).At(at).Submit(Parcel, ParcelDocuments);
        s.Approve("intake");
        return s;
    }

    /// <summary>An enterprise registration (17 working days, restarted by a return) declared complete at <paramref name="at"/>.</summary>
    public static Scenario Enterprise(DateTimeOffset at)
    {
        var s = new Scenario(Get("enterprise-registration")).At(at)
            .Submit(when_an_enterprise_application_is_submitted.Company(), when_an_enterprise_application_is_submitted.CompanyDocuments);
        s.Approve("intake");
        return s;
    }

    public static void ApproveEverything(Scenario s)
    {
        for (var guard = 0; guard < 20 && s.OpenSteps.FirstOrDefault() is { } step; guard++) s.Approve(step);
        s.State!.Status.ShouldBe(ApplicationStatus.Approved);
    }
}

public class when_a_return_falls_on_a_due_instant
{
    [Fact]
    public void a_step_returned_at_its_due_instant_reopens_with_a_working_day_and_the_case_keeps_its_remaining_days()
    {
        // Complete Monday 3 June 2024 09:00: the case is due Monday 24 June, village certification Tuesday 4 June at 16:00.
        var s = Cases.LandTransfer(Lao(2024, 6, 3, 9));
        s.History.OfType<StepOpened>().Last().DueAt.ShouldBe(Lao(2024, 6, 4, 16));

        s.At(Lao(2024, 6, 4, 16)).Return("village-certification").OfType<CaseClockStopped>().Single().RemainingWorkingDays.ShouldBe(14);
        var events = s.At(Lao(2024, 6, 6, 9)).Correct();

        var reopened = events.OfType<StepOpened>().Single();
        reopened.WorkingDays.ShouldBe(1);
        reopened.DueAt.ShouldBe(Lao(2024, 6, 7, 16));
        events.OfType<CaseClockResumed>().Single().DueAt.ShouldBe(Lao(2024, 6, 26, 16));
    }
}

public class when_a_step_or_the_case_reaches_its_due_instant
{
    private readonly Scenario _case = Cases.Enterprise(Lao(2024, 6, 3, 9));

    [Fact]
    public void the_due_instant_itself_is_still_on_time_and_the_breach_is_recorded_at_it()
    {
        _case.At(Lao(2024, 6, 14, 9)).Reach("register").ShouldHaveSingleItem().ShouldBeOfType<DeadlineWarningReached>();

        _case.At(Lao(2024, 6, 17, 16)).Reach("register").ShouldBeEmpty();
        var breach = _case.At(Lao(2024, 6, 17, 16).AddMilliseconds(5)).Reach("register")
            .ShouldHaveSingleItem().ShouldBeOfType<DeadlineBreached>();

        breach.At.ShouldBe(Lao(2024, 6, 17, 16));
        breach.DueAt.ShouldBe(Lao(2024, 6, 17, 16));
    }

    [Fact]
    public void an_escalation_reached_late_is_recorded_at_the_instant_it_came_due()
    {
        var events = _case.At(Lao(2024, 6, 20, 9, 30)).Reach("register");

        var escalation = events.OfType<StepEscalated>().ShouldHaveSingleItem();
        escalation.At.ShouldBe(Lao(2024, 6, 19, 16));
        escalation.OverdueWorkingDays.ShouldBe(2);
        events.OfType<DeadlineWarningReached>().Single().At.ShouldBe(Lao(2024, 6, 13, 10, 15));
    }

    [Fact]
    public void a_case_deadline_reached_a_few_milliseconds_late_is_computed_from_its_due_instant()
    {
        var due = _case.History.OfType<ApplicationDeclaredComplete>().Single().DueAt;
        due.ShouldBe(Lao(2024, 6, 26, 16));

        _case.At(due).Reach(DeadlineScopes.Case).ShouldBeEmpty();
        var missed = _case.At(due.AddMilliseconds(5)).Reach(DeadlineScopes.Case)
            .ShouldHaveSingleItem().ShouldBeOfType<CaseDeadlineMissed>();

        missed.At.ShouldBe(due);
        // Registration is overdue: a working day for it, then the seal (5) and the handover (1).
        missed.NewExpectedAt.ShouldBe(Lao(2024, 7, 5, 16));
    }

    [Fact]
    public void the_sweepers_command_names_the_instant_it_was_scheduled_for_and_never_fires_before_it_has_passed()
    {
        var due = Lao(2024, 6, 26, 16);

        _case.At(due.AddMilliseconds(5)).Reach(DeadlineScopes.Case, scheduledFor: due.AddSeconds(1)).ShouldBeEmpty();
        var missed = _case.Reach(DeadlineScopes.Case, scheduledFor: due).ShouldHaveSingleItem().ShouldBeOfType<CaseDeadlineMissed>();

        missed.At.ShouldBe(due);
        missed.NewExpectedAt.ShouldBe(Lao(2024, 7, 5, 16));
    }
}

public class when_a_missed_case_goes_back_to_the_citizen
{
    [Fact]
    public void under_pause_it_stays_late_with_apology_however_fast_it_finishes()
    {
        var s = Cases.LandTransfer(Lao(2024, 6, 3, 9));
        s.At(Lao(2024, 6, 24, 16, 1)).Reach(DeadlineScopes.Case).ShouldHaveSingleItem().ShouldBeOfType<CaseDeadlineMissed>();
        s.At(Lao(2024, 6, 25, 10)).Return("village-certification");
        s.At(Lao(2024, 6, 26, 9)).Correct().OfType<CaseClockResumed>().Single().DueAt.ShouldBe(Lao(2024, 6, 26, 16));

        s.At(Lao(2024, 6, 26, 10));
        Cases.ApproveEverything(s);

        CaseTimeliness.Of(s.History).ShouldBe(CaseTimeliness.LateWithApology);
    }

    [Fact]
    public void under_restart_the_fresh_deadline_does_not_make_it_on_time()
    {
        var s = Cases.Enterprise(Lao(2024, 6, 3, 9));
        s.At(Lao(2024, 6, 26, 16, 1)).Reach(DeadlineScopes.Case).ShouldHaveSingleItem().ShouldBeOfType<CaseDeadlineMissed>();
        s.At(Lao(2024, 6, 27, 10)).Return("register");
        s.At(Lao(2024, 6, 28, 9)).Correct().OfType<CaseClockResumed>().Single().WorkingDays.ShouldBe(17);

        s.At(Lao(2024, 6, 28, 10));
        Cases.ApproveEverything(s);

        CaseTimeliness.Of(s.History).ShouldBe(CaseTimeliness.LateWithApology);
    }

    [Fact]
    public void a_return_after_the_deadline_before_any_apology_leaves_it_late()
    {
        var s = Cases.LandTransfer(Lao(2024, 6, 3, 9));
        s.At(Lao(2024, 6, 25, 10)).Return("village-certification");
        s.At(Lao(2024, 6, 26, 9)).Correct();

        s.At(Lao(2024, 6, 26, 10));
        Cases.ApproveEverything(s);

        CaseTimeliness.Of(s.History).ShouldBe(CaseTimeliness.Late);
    }

    [Theory]
    [InlineData(15, 0, 0, CaseTimeliness.OnTime)]
    [InlineData(16, 0, 0, CaseTimeliness.OnTime)]
    [InlineData(16, 0, 1, CaseTimeliness.Late)]
    public void a_case_returned_in_time_is_on_time_until_its_deadline_extended_by_the_days_the_citizen_held_it(
        int hour, int minute, int second, string expected)
    {
        var s = Cases.LandTransfer(Lao(2024, 6, 3, 9));
        s.At(Lao(2024, 6, 5, 10)).Return("village-certification");
        s.At(Lao(2024, 6, 10, 9)).Correct().OfType<CaseClockResumed>().Single().DueAt.ShouldBe(Lao(2024, 6, 27, 16));

        s.At(Lao(2024, 6, 27, hour, minute).AddSeconds(second));
        Cases.ApproveEverything(s);

        CaseTimeliness.Of(s.History).ShouldBe(expected);
    }
}

public class when_a_case_ends_without_a_decision_on_time
{
    [Fact]
    public void a_lapsed_case_has_no_timeliness()
    {
        var s = Cases.Enterprise(Lao(2024, 6, 3, 9));
        s.At(Lao(2024, 6, 5, 10)).Return("register");
        s.At(Lao(2024, 7, 8, 9)).Reach(DeadlineScopes.Correction).ShouldHaveSingleItem().ShouldBeOfType<ApplicationLapsed>();

        CaseTimeliness.Of(s.History).ShouldBeNull();
    }

    [Fact]
    public void a_withdrawn_case_has_no_timeliness_even_after_its_deadline()
    {
        var s = Cases.Enterprise(Lao(2024, 6, 3, 9));
        s.At(Lao(2024, 6, 26, 16, 1)).Reach(DeadlineScopes.Case);
        s.At(Lao(2024, 7, 1, 10)).When(new WithdrawApplication("no longer needed", Scenario.Clerk));

        CaseTimeliness.Of(s.History).ShouldBeNull();
    }

    [Fact]
    public void a_deemed_approval_is_late()
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

        s.At(Lao(2024, 6, 6, 16, 1)).Reach(DeadlineScopes.Case).ShouldHaveSingleItem().ShouldBeOfType<ApplicationDeemedApproved>()
            .At.ShouldBe(Lao(2024, 6, 6, 16));

        CaseTimeliness.Of(s.History).ShouldBe(CaseTimeliness.Late);
    }
}

public class when_the_citizen_has_the_file
{
    [Fact]
    public void the_correction_window_ends_at_the_end_of_its_last_calendar_day()
    {
        var s = Cases.Enterprise(Lao(2024, 6, 3, 9));

        var stopped = s.At(Lao(2024, 6, 5, 10)).Return("register").OfType<CaseClockStopped>().Single();

        stopped.CorrectionDueAt.ShouldBe(Lao(2024, 7, 6, 0).AddTicks(-1), "30 calendar days after 5 June is Friday 5 July, a working day");
    }

    [Fact]
    public void a_window_ending_on_a_closed_day_runs_to_closing_time_on_the_next_working_day()
    {
        var s = Cases.Enterprise(Lao(2024, 6, 3, 9));

        var stopped = s.At(Lao(2024, 6, 6, 10)).Return("register").OfType<CaseClockStopped>().Single();

        stopped.CorrectionDueAt.ShouldBe(Lao(2024, 7, 8, 16), "30 calendar days after 6 June is Saturday 6 July");
        s.At(Lao(2024, 7, 8, 16)).Reach(DeadlineScopes.Correction).ShouldBeEmpty();
        s.At(Lao(2024, 7, 8, 16).AddTicks(1)).Reach(DeadlineScopes.Correction).ShouldHaveSingleItem().ShouldBeOfType<ApplicationLapsed>()
            .At.ShouldBe(Lao(2024, 7, 8, 16));
    }

    [Fact]
    public void a_correction_after_the_window_is_refused_even_before_the_lapse_is_recorded()
    {
        var s = Cases.Enterprise(Lao(2024, 6, 3, 9));
        s.At(Lao(2024, 6, 6, 10)).Return("register");

        s.At(Lao(2024, 7, 8, 16, 0).AddSeconds(1))
            .ThenFails<RuleViolation>(new SubmitCorrection(new Dictionary<string, JsonElement>(), [], "late", Scenario.Clerk))
            .Code.ShouldBe("correction-window-closed");
        s.At(Lao(2024, 7, 8, 16)).Correct().OfType<CorrectionSubmitted>().ShouldHaveSingleItem();
    }

    [Theory]
    [InlineData(15, 0)]
    [InlineData(16, 30)]
    public void a_return_after_closing_time_counts_as_made_at_closing_time(int hour, int minute)
    {
        // Complete Monday 8 April 2024: due Monday 6 May, across Pi Mai (13-18 April) and Labour Day.
        var s = Cases.LandTransfer(Lao(2024, 4, 8, 9));
        s.History.OfType<ApplicationDeclaredComplete>().Single().DueAt.ShouldBe(Lao(2024, 5, 6, 16));

        s.At(Lao(2024, 4, 12, hour, minute)).Return("village-certification").OfType<CaseClockStopped>().Single()
            .RemainingWorkingDays.ShouldBe(11);
        var resumed = s.At(Lao(2024, 4, 19, 9)).Correct().OfType<CaseClockResumed>().Single();

        resumed.DueAt.ShouldBe(Lao(2024, 5, 7, 16));
    }
}

public class when_returns_are_counted_against_the_cap
{
    [Fact]
    public void a_return_at_the_completeness_check_does_not_count()
    {
        var s = new Scenario(Get("enterprise-registration")).At(Lao(2024, 6, 3, 9))
            .Submit(when_an_enterprise_application_is_submitted.Company(), when_an_enterprise_application_is_submitted.CompanyDocuments);
        s.Return("intake").OfType<StepReturned>().Single().BeyondCap.ShouldBeFalse();
        s.At(Lao(2024, 6, 4, 9)).Correct();
        s.Approve("intake");

        var returned = s.At(Lao(2024, 6, 5, 10)).Return("register").OfType<StepReturned>().Single();

        returned.BeyondCap.ShouldBeFalse();
    }

    [Fact]
    public void the_apology_counts_the_days_an_open_step_has_left_and_the_deadlines_of_the_steps_after_it()
    {
        var s = Cases.Enterprise(Lao(2024, 6, 3, 9));
        s.At(Lao(2024, 6, 25, 10)).Approve("register");
        s.History.OfType<StepOpened>().Single(o => o.StepId == "seal").DueAt.ShouldBe(Lao(2024, 7, 2, 16));

        var missed = s.At(Lao(2024, 6, 26, 16, 1)).Reach(DeadlineScopes.Case).OfType<CaseDeadlineMissed>().Single();

        // The seal has 4 working days left, the handover 1: five working days after 26 June.
        missed.NewExpectedAt.ShouldBe(Lao(2024, 7, 3, 16));
    }
}
