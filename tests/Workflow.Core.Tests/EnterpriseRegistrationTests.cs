using Workflow.Core.Applications;

namespace Workflow.Core.Tests;

public class when_an_enterprise_application_is_submitted
{
    private readonly Scenario _case = new(Procedures.Get("enterprise-registration"));

    public static Dictionary<string, object> Company(bool employees = true) => Procedures.Company(employees);

    public static readonly string[] CompanyDocuments = ["application-form", "owner-id", "articles-of-association"];

    [Fact]
    public void the_completeness_check_opens_at_the_centre_due_the_next_working_day_of_its_calendar()
    {
        _case.At(Scenario.Monday).Submit(Company(), CompanyDocuments);

        var opened = _case.History.OfType<StepOpened>().Single();
        opened.StepId.ShouldBe("intake");
        opened.Agency.ShouldBe("odsc");
        opened.DueAt.ShouldBe(new DateTimeOffset(2026, 11, 25, 16, 0, 0, TimeSpan.FromHours(7)),
            "24 November 2026 is That Luang in Vientiane Capital");
        _case.State!.Status.ShouldBe(ApplicationStatus.Submitted);
        _case.History.OfType<ApplicationSubmitted>().Single().DefinitionHash.ShouldBe(_case.Definition.Hash);
    }

    [Fact]
    public void a_step_opened_on_friday_is_due_after_the_weekend()
    {
        _case.At(new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.FromHours(7))).Submit(Company(), CompanyDocuments);

        _case.History.OfType<StepOpened>().Single().DueAt.ShouldBe(new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.FromHours(7)));
    }

    [Fact]
    public void missing_required_data_wrong_types_and_unknown_fields_are_all_named()
    {
        var data = Company();
        data.Remove("enterprise_name");
        data["registered_capital"] = "a lot";
        data["enterprise_type"] = "cooperative";
        data["favourite_colour"] = "blue";

        var error = _case.ThenFails<InvalidApplicationData>(new SubmitApplication(Scenario.Id, "T", "VTE", "counter",
            new Applicant("Somchai"), Scenario.Data(data), CompanyDocuments, Scenario.Clerk));

        error.Errors.Select(e => e.Field).Order().ShouldBe(
            ["data.enterprise_name", "data.enterprise_type", "data.favourite_colour", "data.registered_capital"]);
    }

    [Fact]
    public void a_company_must_bring_its_articles_of_association()
    {
        var error = _case.ThenFails<InvalidApplicationData>(new SubmitApplication(Scenario.Id, "T", "VTE", "counter",
            new Applicant("Somchai"), Scenario.Data(Company()), ["application-form", "owner-id"], Scenario.Clerk));

        error.Errors.ShouldHaveSingleItem().Message.ShouldContain("articles-of-association");
    }

    [Fact]
    public void submitting_the_same_application_twice_is_refused()
    {
        _case.Submit(Company(), CompanyDocuments);

        _case.ThenFails<RuleViolation>(new SubmitApplication(Scenario.Id, "T", "VTE", "counter",
            new Applicant("Somchai"), Scenario.Data(Company()), CompanyDocuments, Scenario.Clerk)).Code.ShouldBe("already-submitted");
    }
}

public class when_the_completeness_check_passes
{
    private readonly Scenario _case = new Scenario(Procedures.Get("enterprise-registration"))
        .Submit(when_an_enterprise_application_is_submitted.Company(), when_an_enterprise_application_is_submitted.CompanyDocuments);

    [Fact]
    public void the_legal_clock_starts_and_registration_opens()
    {
        var events = _case.Approve("intake");

        Scenario.Types(events).ShouldBe(["StepApproved", "ApplicationDeclaredComplete", "StepOpened"]);
        var complete = events.OfType<ApplicationDeclaredComplete>().Single();
        complete.WorkingDays.ShouldBe(17);
        complete.DueAt.ShouldBe(new DateTimeOffset(2026, 12, 18, 16, 0, 0, TimeSpan.FromHours(7)),
            "That Luang and National Day are not counted");
        complete.CalendarVersion.ShouldBe("odsc-vientiane-capital@1+vientiane-capital@1+lao-national@1");
        events.OfType<StepOpened>().Single().ShouldSatisfyAllConditions(
            o => o.StepId.ShouldBe("register"),
            o => o.Agency.ShouldBe("moic-enterprise-registration"),
            o => o.DueAt.ShouldBe(new DateTimeOffset(2026, 12, 9, 16, 0, 0, TimeSpan.FromHours(7))));
        _case.State!.Status.ShouldBe(ApplicationStatus.InProgress);
    }

    [Fact]
    public void every_decision_records_its_actor_and_reason()
    {
        var approved = _case.Approve("intake").OfType<StepApproved>().Single();

        approved.By.Agency.ShouldBe("odsc");
        approved.Reason.ShouldBe("meets the requirements");
        approved.NextSteps.ShouldBe(["register"]);
    }
}

public class when_registration_is_approved
{
    private static Scenario Registered(bool employees)
    {
        var s = new Scenario(Procedures.Get("enterprise-registration"))
            .Submit(
                when_an_enterprise_application_is_submitted.Company(employees),
                when_an_enterprise_application_is_submitted.CompanyDocuments);
        s.Approve("intake");
        return s;
    }

    [Fact]
    public void seal_and_social_security_open_in_parallel_when_the_enterprise_employs_staff()
    {
        var s = Registered(employees: true);

        s.Approve("register");

        s.OpenSteps.ShouldBe(["seal", "social-security"]);
    }

    [Fact]
    public void social_security_is_skipped_not_waited_for_without_employees()
    {
        var s = Registered(employees: false);

        var events = s.Approve("register");

        events.OfType<StepSkipped>().Single().StepId.ShouldBe("social-security");
        s.OpenSteps.ShouldBe(["seal"]);
        s.Approve("seal");
        s.OpenSteps.ShouldBe(["handover"]);
    }

    [Fact]
    public void the_handover_waits_for_both_branches()
    {
        var s = Registered(employees: true);
        s.Approve("register");

        s.Approve("seal");
        s.OpenSteps.ShouldBe(["social-security"]);

        s.Approve("social-security");
        s.OpenSteps.ShouldBe(["handover"]);
    }

    [Fact]
    public void approving_the_handover_finishes_the_application_as_approved()
    {
        var s = Registered(employees: true);
        s.Approve("register");
        s.Approve("seal");
        s.Approve("social-security");

        var events = s.Approve("handover");

        Scenario.Types(events).ShouldBe(["StepApproved", "ApplicationApproved"]);
        s.State!.Status.ShouldBe(ApplicationStatus.Approved);
        Decider.IsTerminal(s.State).ShouldBeTrue();
    }
}

public class when_a_step_is_returned_inside_one_parallel_branch
{
    private readonly Scenario _case;

    public when_a_step_is_returned_inside_one_parallel_branch()
    {
        _case = new Scenario(Procedures.Get("enterprise-registration"))
            .Submit(when_an_enterprise_application_is_submitted.Company(), when_an_enterprise_application_is_submitted.CompanyDocuments);
        _case.Approve("intake");
        _case.Approve("register");
        _case.Return("seal");
    }

    [Fact]
    public void the_other_branch_stays_open_and_the_case_awaits_the_citizen()
    {
        _case.OpenSteps.ShouldBe(["social-security"]);
        _case.State!.Status.ShouldBe(ApplicationStatus.AwaitingCorrection);
        _case.State.Steps["seal"].Status.ShouldBe(StepStatus.Returned);
    }

    [Fact]
    public void the_join_does_not_open_while_the_returned_branch_is_with_the_citizen()
    {
        _case.Approve("social-security");

        _case.OpenSteps.ShouldBeEmpty();
        _case.History.OfType<StepOpened>().ShouldNotContain(o => o.StepId == "handover");
    }

    [Fact]
    public void the_correction_reopens_only_the_returned_step()
    {
        _case.Approve("social-security");

        var events = _case.Correct();

        Scenario.Types(events).ShouldBe(["CorrectionSubmitted", "CaseClockResumed", "StepOpened"]);
        var reopened = events.OfType<StepOpened>().Single();
        reopened.StepId.ShouldBe("seal");
        reopened.Reopened.ShouldBeTrue();
        _case.State!.Status.ShouldBe(ApplicationStatus.InProgress);
    }

    [Fact]
    public void the_join_opens_exactly_once_when_both_branches_are_done()
    {
        _case.Approve("social-security");
        _case.Correct();
        _case.Approve("seal");

        _case.History.OfType<StepOpened>().Count(o => o.StepId == "handover").ShouldBe(1);
        _case.State!.Arrivals["handover"].Order().ShouldBe(["seal", "social-security"]);
        _case.Approve("handover");
        _case.State!.Status.ShouldBe(ApplicationStatus.Approved);
    }

    [Fact]
    public void the_returned_step_cannot_be_decided_until_corrected()
    {
        _case.ThenFails<RuleViolation>(new DecideStep("seal", StepOutcome.Approve, "ok", null, Scenario.Officer("mops-seal-office")))
            .Message.ShouldContain("waiting for the citizen");
    }

    [Fact]
    public void the_other_branch_may_also_be_returned_and_both_reopen_with_one_correction()
    {
        _case.When(new DecideStep("social-security", StepOutcome.Return, "employer number missing", null,
            Scenario.Supervisor("molsw-social-security"), "field:has_employees"));

        var events = _case.Correct();

        events.OfType<StepOpened>().Select(o => o.StepId).ShouldBe(["seal", "social-security"]);
        _case.State!.Returns.ShouldBe(2);
    }
}

public class when_a_decision_breaks_a_rule
{
    private readonly Scenario _case;

    public when_a_decision_breaks_a_rule()
    {
        _case = new Scenario(Procedures.Get("enterprise-registration"))
            .Submit(when_an_enterprise_application_is_submitted.Company(), when_an_enterprise_application_is_submitted.CompanyDocuments);
        _case.Approve("intake");
    }

    private RuleViolation Fails(string step, StepOutcome outcome = StepOutcome.Approve, string reason = "ok") =>
        _case.ThenFails<RuleViolation>(new DecideStep(step, outcome, reason, null, Scenario.Officer("x")));

    [Fact] public void deciding_a_closed_step_is_refused() => Fails("intake").Code.ShouldBe("step-not-open");

    [Fact] public void deciding_a_step_not_yet_opened_is_refused() => Fails("seal").Code.ShouldBe("step-not-open");

    [Fact] public void deciding_an_unknown_step_is_refused() => Fails("stamp").Code.ShouldBe("step-unknown");

    [Fact] public void an_outcome_the_step_does_not_offer_is_refused()
    {
        _case.Approve("register");
        Fails("social-security", StepOutcome.Reject).Code.ShouldBe("outcome-not-allowed");
    }

    [Fact] public void a_decision_without_reason_is_refused() => Fails("register", reason: " ").Code.ShouldBe("reason-required");

    [Fact]
    public void deciding_the_same_step_twice_is_refused()
    {
        _case.Approve("register");
        Fails("register").Code.ShouldBe("step-not-open");
    }

    [Fact]
    public void a_correction_with_nothing_returned_is_refused() =>
        _case.ThenFails<RuleViolation>(
                new SubmitCorrection(new Dictionary<string, System.Text.Json.JsonElement>(), [], null, Scenario.Clerk))
            .Code.ShouldBe("nothing-to-correct");
}

public class when_an_application_is_rejected_or_withdrawn
{
    private readonly Scenario _case;

    public when_an_application_is_rejected_or_withdrawn()
    {
        _case = new Scenario(Procedures.Get("enterprise-registration"))
            .Submit(when_an_enterprise_application_is_submitted.Company(), when_an_enterprise_application_is_submitted.CompanyDocuments);
        _case.Approve("intake");
    }

    [Fact]
    public void a_rejection_finishes_the_application_and_closes_its_steps()
    {
        var events = _case.Reject("register");

        Scenario.Types(events).ShouldBe(["StepRejected", "ApplicationRejected"]);
        _case.State!.Status.ShouldBe(ApplicationStatus.Rejected);
        _case.State.LiveSteps.ShouldBeEmpty();
    }

    [Fact]
    public void a_finished_application_accepts_no_further_decision()
    {
        _case.Reject("register");

        _case.ThenFails<RuleViolation>(new DecideStep("register", StepOutcome.Approve, "changed my mind", null, Scenario.Officer("x")))
            .Code.ShouldBe("application-finished");
        _case.ThenFails<RuleViolation>(new WithdrawApplication("too late", Scenario.Clerk)).Code.ShouldBe("application-finished");
    }

    [Fact]
    public void a_withdrawal_finishes_the_application_with_its_reason()
    {
        var events = _case.When(new WithdrawApplication("the applicant closed the business", Scenario.Clerk));

        events.ShouldHaveSingleItem().ShouldBeOfType<ApplicationWithdrawn>().Reason.ShouldBe("the applicant closed the business");
        _case.State!.Status.ShouldBe(ApplicationStatus.Withdrawn);
        _case.State.LiveSteps.ShouldBeEmpty();
    }
}
