using Workflow.Core.Access;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;

using static Workflow.Core.Tests.Spec;

namespace Workflow.Core.Tests;

/// <summary>A case at agency A: a review, then a signature that needs four eyes.</summary>
public static class Desk
{
    public static readonly Actor Anna = new("anna", "Anna", "a", Roles.Officer);
    public static readonly Actor Bob = new("bob", "Bob", "a", Roles.Officer);
    public static readonly Actor Chan = new("chan", "Chan", "a", Roles.Officer);
    public static readonly Actor Head = new("head", "Head of A", "a", Roles.Supervisor);

    public static readonly WorkflowDefinition Definition = Procedures.Parse("""
        id: desk-test
        version: 1
        title: Desk test
        deadline: 10 working days
        steps:
          intake:
            agency: odsc
            deadline: 1 working day
            approve: review
          review:
            agency: a
            deadline: 3 working days
            approve: sign
            reject: rejected
            return: citizen
          sign:
            agency: a
            deadline: 2 working days
            four_eyes: true
            approve: approved
            reject: rejected
            return: citizen
        """);

    /// <summary>Declared complete: the review is open at agency A.</summary>
    public static Scenario AtReview()
    {
        var s = new Scenario(Definition).Submit([]);
        s.Approve("intake");
        return s;
    }

    public static Scenario AtSignature()
    {
        var s = AtReview();
        s.When(Decide("review", Anna));
        return s;
    }

    public static DecideStep Decide(string step, Actor by, StepOutcome outcome = StepOutcome.Approve) =>
        new(step, outcome, "in order", null, by);

    public static Officer As(Actor actor) => Officer.Of(actor);

    public static StepState Step(this Scenario s, string id) => s.State!.Steps[id];
}

public class when_an_officer_claims_a_step
{
    private static readonly DateTimeOffset Now = Scenario.Monday;

    /// <summary>Submitted and declared complete: the review is open at agency A, unclaimed.</summary>
    private static readonly object[] AtReview = [.. Desk.AtReview().History];

    private static StepClaimed ClaimedBy(Actor officer, string? reason = null) => new("review", "a", reason, officer, Now);

    private static StepApproved ApprovedBy(Actor officer) => new("review", "a", "in order", null, ["sign"], officer, Now);

    [Fact]
    public void the_claim_is_recorded_with_its_holder_reason_and_time() =>
        Given(Desk.Definition, AtReview)
            .When(new ClaimStep("review", "I am working on this", Desk.Anna))
            .Then(ClaimedBy(Desk.Anna, "I am working on this"))
            .Step("review").Holder.ShouldBe(Desk.As(Desk.Anna));

    [Fact]
    public void claiming_it_again_changes_nothing() =>
        Given(Desk.Definition, [.. AtReview, ClaimedBy(Desk.Anna)]).When(new ClaimStep("review", null, Desk.Anna)).ThenNothing();

    [Fact]
    public void a_colleague_cannot_claim_it_too() =>
        Given(Desk.Definition, [.. AtReview, ClaimedBy(Desk.Anna)]).When(new ClaimStep("review", null, Desk.Bob))
            .ThenFails<RuleViolation>("step-claimed");

    [Fact]
    public void a_colleague_may_not_decide_it() =>
        Given(Desk.Definition, [.. AtReview, ClaimedBy(Desk.Anna)]).When(Desk.Decide("review", Desk.Bob))
            .ThenFails<RuleViolation>("step-claimed");

    [Fact]
    public void the_holder_decides_it() =>
        Given(Desk.Definition, [.. AtReview, ClaimedBy(Desk.Anna)]).When(Desk.Decide("review", Desk.Anna))
            .Then(ApprovedBy(Desk.Anna), Opened("sign"));

    [Fact]
    public void a_supervisor_decides_it_over_the_holder()
    {
        var rejected = Given(Desk.Definition, [.. AtReview, ClaimedBy(Desk.Anna)])
            .When(Desk.Decide("review", Desk.Head, StepOutcome.Reject)).Then(RejectionOf(Desk.Head));
        rejected.State!.Status.ShouldBe(ApplicationStatus.Rejected);
    }

    [Fact]
    public void an_unclaimed_step_is_decided_by_any_officer_of_the_agency() =>
        Given(Desk.Definition, AtReview).When(Desk.Decide("review", Desk.Bob)).Then(ApprovedBy(Desk.Bob), Opened("sign"));

    [Fact]
    public void the_holder_releases_it_with_a_reason() =>
        Given(Desk.Definition, [.. AtReview, ClaimedBy(Desk.Anna)])
            .When(new ReleaseStep("review", "on leave tomorrow", Desk.Anna))
            .Then(new StepReleased("review", "a", Desk.As(Desk.Anna), "on leave tomorrow", Desk.Anna, Now))
            .Step("review").Holder.ShouldBeNull();

    [Fact]
    public void a_release_without_a_reason_is_refused() =>
        Given(Desk.Definition, [.. AtReview, ClaimedBy(Desk.Anna)]).When(new ReleaseStep("review", " ", Desk.Anna))
            .ThenFails<RuleViolation>("reason-required");

    [Fact]
    public void once_released_a_colleague_may_claim_it() =>
        Given(Desk.Definition, [.. AtReview, ClaimedBy(Desk.Anna),
                new StepReleased("review", "a", Desk.As(Desk.Anna), "on leave tomorrow", Desk.Anna, Now)])
            .When(new ClaimStep("review", null, Desk.Bob))
            .Then(ClaimedBy(Desk.Bob));

    [Fact]
    public void a_colleague_cannot_release_it() =>
        Given(Desk.Definition, [.. AtReview, ClaimedBy(Desk.Anna)]).When(new ReleaseStep("review", "mine now", Desk.Bob))
            .ThenFails<RuleViolation>("not-holder");

    [Fact]
    public void a_supervisor_releases_it_for_the_holder() =>
        Given(Desk.Definition, [.. AtReview, ClaimedBy(Desk.Anna)]).When(new ReleaseStep("review", "Anna is ill", Desk.Head))
            .Then(new StepReleased("review", "a", Desk.As(Desk.Anna), "Anna is ill", Desk.Head, Now));

    [Fact]
    public void a_step_that_is_not_open_cannot_be_claimed() =>
        Given(Desk.Definition, AtReview).When(new ClaimStep("sign", null, Desk.Anna)).ThenFails<RuleViolation>("step-not-open");

    [Fact]
    public void a_step_returned_to_the_citizen_cannot_be_claimed()
    {
        var returned = Desk.AtReview();
        returned.When(Desk.Decide("review", Desk.Anna, StepOutcome.Return));

        Given(returned).When(new ClaimStep("review", null, Desk.Anna)).ThenFails<RuleViolation>("step-not-open");
    }

    [Fact]
    public void a_step_reopened_after_a_correction_is_unclaimed()
    {
        var story = Desk.AtReview();
        story.When(new ClaimStep("review", null, Desk.Anna));
        story.When(Desk.Decide("review", Desk.Anna, StepOutcome.Return));
        story.Correct();

        story.Step("review").ShouldSatisfyAllConditions(s => s.Status.ShouldBe(StepStatus.Open), s => s.Holder.ShouldBeNull());
    }

    /// <summary>The signature opens at once: two working days of the Vientiane calendars (Tuesday is That
    /// Luang), due Thursday at 16:00, warned that morning.</summary>
    private static StepOpened Opened(string step) => new(step, "sign", "a", null, Now, Procedures.Lao(2026, 11, 26, 16), 2,
        "odsc-vientiane-capital@1+vientiane-capital@1+lao-national@1", false,
        new DeadlineTimer("warning", 0, Procedures.Lao(2026, 11, 26, 10, 15)));

    private static object[] RejectionOf(Actor by) =>
        [new StepRejected("review", "a", "in order", null, [], by, Now), new ApplicationRejected("review", "in order", Now)];
}

public class when_a_supervisor_reassigns_a_step
{
    private static readonly object[] Claimed =
        [.. Desk.AtReview().History, new StepClaimed("review", "a", null, Desk.Anna, Scenario.Monday)];

    private static OfficerRecused Recused(Actor officer) =>
        new(Desk.As(officer), "a", "my brother's company", officer, Scenario.Monday);

    private static readonly ReassignStep ToBob = new("review", Desk.As(Desk.Bob), "Anna is on leave", Desk.Head);

    private static readonly StepReassigned ReassignedToBob =
        new("review", "a", Desk.As(Desk.Anna), Desk.As(Desk.Bob), "Anna is on leave", Desk.Head, Scenario.Monday);

    [Fact]
    public void the_named_officer_holds_it() =>
        Given(Desk.Definition, Claimed).When(ToBob).Then(ReassignedToBob).Step("review").Holder.ShouldBe(Desk.As(Desk.Bob));

    [Fact]
    public void the_previous_holder_can_no_longer_decide_it() =>
        Given(Desk.Definition, [.. Claimed, ReassignedToBob]).When(Desk.Decide("review", Desk.Anna))
            .ThenFails<RuleViolation>("step-claimed");

    [Fact]
    public void the_new_holder_decides_it() =>
        Given(Desk.Definition, [.. Claimed, ReassignedToBob]).When(Desk.Decide("review", Desk.Bob, StepOutcome.Reject))
            .Then(new StepRejected("review", "a", "in order", null, [], Desk.Bob, Scenario.Monday),
                new ApplicationRejected("review", "in order", Scenario.Monday));

    [Fact]
    public void a_supervisor_who_recused_himself_cannot_reassign_it() =>
        Given(Desk.Definition, [.. Claimed, Recused(Desk.Head)]).When(ToBob).ThenFails<RuleViolation>("recused");

    [Fact]
    public void reassigning_to_the_holder_changes_nothing() =>
        Given(Desk.Definition, Claimed).When(new ReassignStep("review", Desk.As(Desk.Anna), "stays with Anna", Desk.Head)).ThenNothing();

    [Fact]
    public void it_needs_a_reason() =>
        Given(Desk.Definition, Claimed).When(ToBob with { Reason = "" }).ThenFails<RuleViolation>("reason-required");

    [Fact]
    public void it_needs_an_officer() =>
        Given(Desk.Definition, Claimed).When(ToBob with { To = new Officer(" ", "nobody"), Reason = "why" })
            .ThenFails<RuleViolation>("officer-required");

    [Fact]
    public void an_officer_who_recused_himself_cannot_receive_it() =>
        Given(Desk.Definition, [.. Claimed, Recused(Desk.Bob)]).When(ToBob).ThenFails<RuleViolation>("recused");
}

public class when_an_officer_delegates_his_steps
{
    private static readonly DateTimeOffset Start = Scenario.Monday.AddDays(1);
    private static readonly DateTimeOffset End = Scenario.Monday.AddDays(3);

    private readonly Scenario _case = Desk.AtReview().Given(new StepClaimed("review", "a", null, Desk.Anna, Scenario.Monday));

    private IReadOnlyList<object> Delegate() => _case.When(new DelegateSteps(Desk.As(Desk.Bob), Start, End, "training course", Desk.Anna));

    [Fact]
    public void the_delegation_names_the_colleague_the_period_and_the_steps_held()
    {
        Delegate().ShouldHaveSingleItem().ShouldBeOfType<DelegationGranted>().ShouldSatisfyAllConditions(
            e => e.Delegator.ShouldBe(Desk.As(Desk.Anna)), e => e.To.ShouldBe(Desk.As(Desk.Bob)),
            e => e.Steps.ShouldBe(["review"]), e => e.From.ShouldBe(Start), e => e.Until.ShouldBe(End), e => e.By.ShouldBe(Desk.Anna));
        Delegate().ShouldBeEmpty();
    }

    [Fact]
    public void the_colleague_decides_the_step_within_the_period()
    {
        Delegate();

        _case.At(Start.AddHours(2)).When(Desk.Decide("review", Desk.Bob)).OfType<StepApproved>().ShouldHaveSingleItem()
            .By.ShouldBe(Desk.Bob);
    }

    [Fact]
    public void before_and_after_the_period_the_colleague_is_refused()
    {
        Delegate();

        _case.At(Start.AddMinutes(-1)).ThenFails<RuleViolation>(Desk.Decide("review", Desk.Bob)).Code.ShouldBe("step-claimed");
        _case.At(End.AddMinutes(1)).ThenFails<RuleViolation>(Desk.Decide("review", Desk.Bob)).Code.ShouldBe("step-claimed");
    }

    [Fact]
    public void it_covers_no_one_else()
    {
        Delegate();

        _case.At(Start.AddHours(2)).ThenFails<RuleViolation>(Desk.Decide("review", Desk.Chan)).Code.ShouldBe("step-claimed");
    }

    [Fact]
    public void once_revoked_the_colleague_is_refused()
    {
        Delegate();

        _case.When(new RevokeDelegation(null, "back early", Desk.Anna)).ShouldHaveSingleItem().ShouldBeOfType<DelegationRevoked>();
        _case.At(Start.AddHours(2)).ThenFails<RuleViolation>(Desk.Decide("review", Desk.Bob)).Code.ShouldBe("step-claimed");
        _case.When(new RevokeDelegation(null, "again", Desk.Anna)).ShouldBeEmpty();
    }

    [Fact]
    public void only_the_delegating_officer_or_a_supervisor_ends_it()
    {
        Delegate();

        _case.ThenFails<RuleViolation>(new RevokeDelegation("anna", "not yours", Desk.Chan)).Code.ShouldBe("not-holder");
        _case.When(new RevokeDelegation("anna", "Anna is back", Desk.Head)).ShouldHaveSingleItem().ShouldBeOfType<DelegationRevoked>();
    }

    [Fact]
    public void an_officer_who_holds_no_step_has_nothing_to_delegate() =>
        _case.ThenFails<RuleViolation>(new DelegateSteps(Desk.As(Desk.Anna), Start, End, "away", Desk.Chan))
            .Code.ShouldBe("nothing-to-delegate");

    [Fact]
    public void a_period_must_end_after_it_starts_and_not_in_the_past()
    {
        _case.ThenFails<RuleViolation>(new DelegateSteps(Desk.As(Desk.Bob), End, Start, "away", Desk.Anna))
            .Code.ShouldBe("period-invalid");
        _case.ThenFails<RuleViolation>(new DelegateSteps(Desk.As(Desk.Bob), Start.AddDays(-5), Start.AddDays(-4), "away", Desk.Anna))
            .Code.ShouldBe("period-invalid");
    }

    [Fact]
    public void an_officer_cannot_delegate_to_himself() =>
        _case.ThenFails<RuleViolation>(new DelegateSteps(Desk.As(Desk.Anna), Start, End, "away", Desk.Anna))
            .Code.ShouldBe("officer-required");
}

public class when_an_officer_recuses_himself
{
    private readonly Scenario _case = Desk.AtReview();

    [Fact]
    public void his_claims_are_released_and_he_can_no_longer_claim_or_decide()
    {
        _case.When(new ClaimStep("review", null, Desk.Anna));

        var events = _case.When(new RecuseFromCase("the applicant is my cousin", Desk.Anna));

        Scenario.Types(events).ShouldBe(["OfficerRecused", "StepReleased"]);
        events.OfType<OfficerRecused>().Single().ShouldBe(
            new OfficerRecused(Desk.As(Desk.Anna), "a", "the applicant is my cousin", Desk.Anna, _case.Now));
        _case.Step("review").Holder.ShouldBeNull();
        _case.ThenFails<RuleViolation>(new ClaimStep("review", null, Desk.Anna)).Code.ShouldBe("recused");
        _case.ThenFails<RuleViolation>(Desk.Decide("review", Desk.Anna)).Code.ShouldBe("recused");
        _case.ThenFails<RuleViolation>(Desk.Decide("review", Desk.Anna, StepOutcome.Return)).Code.ShouldBe("recused");
        _case.When(new RecuseFromCase("again", Desk.Anna)).ShouldBeEmpty();
    }

    [Fact]
    public void a_recusal_needs_a_reason() =>
        _case.ThenFails<RuleViolation>(new RecuseFromCase("", Desk.Anna)).Code.ShouldBe("reason-required");

    [Fact]
    public void a_supervisor_who_recused_himself_cannot_override_a_holder_either()
    {
        _case.Given(new StepClaimed("review", "a", null, Desk.Anna, _case.Now),
            new OfficerRecused(Desk.As(Desk.Head), "a", "conflict", Desk.Head, _case.Now));

        _case.ThenFails<RuleViolation>(Desk.Decide("review", Desk.Head)).Code.ShouldBe("recused");
    }

    [Fact]
    public void a_delegate_who_recused_himself_cannot_decide_for_the_holder()
    {
        _case.Given(new StepClaimed("review", "a", null, Desk.Anna, _case.Now));
        _case.When(new DelegateSteps(Desk.As(Desk.Bob), _case.Now, _case.Now.AddDays(2), "away", Desk.Anna));
        _case.When(new RecuseFromCase("conflict", Desk.Bob));

        _case.ThenFails<RuleViolation>(Desk.Decide("review", Desk.Bob)).Code.ShouldBe("recused");
        _case.ThenFails<RuleViolation>(new DelegateSteps(Desk.As(Desk.Bob), _case.Now, _case.Now.AddDays(2), "away", Desk.Anna))
            .Code.ShouldBe("recused");
    }

    [Fact]
    public void an_approval_he_gave_that_waits_for_confirmation_no_longer_stands()
    {
        var s = Desk.AtSignature();
        s.When(Desk.Decide("sign", Desk.Anna));

        var events = s.When(new RecuseFromCase("conflict found after signing", Desk.Anna));

        Scenario.Types(events).ShouldBe(["OfficerRecused", "StepApprovalWithdrawn"]);
        s.Step("sign").Pending.ShouldBeNull();
        s.ThenFails<RuleViolation>(new ConfirmStepApproval("sign", "checked", null, Desk.Bob)).Code.ShouldBe("no-approval-pending");
        s.ThenFails<RuleViolation>(new ConfirmStepApproval("sign", "checked", null, Desk.Anna)).Code.ShouldBe("recused");
    }
}

public class when_a_step_needs_four_eyes
{
    private readonly Scenario _case = Desk.AtSignature();

    [Fact]
    public void the_definition_says_so_and_the_loader_reads_it()
    {
        Desk.Definition.FindStep("sign")!.FourEyes.ShouldBeTrue();
        Desk.Definition.FindStep("review")!.FourEyes.ShouldBeFalse();
        var problems = Should.Throw<DefinitionException>(() => Procedures.Parse("""
            id: bad
            version: 1
            title: Bad
            deadline: 5 working days
            steps:
              intake:
                agency: odsc
                deadline: 1 working day
                four_eyes: twice
                approve: approved
            """)).Problems;
        problems.ShouldHaveSingleItem().ShouldSatisfyAllConditions(p => p.Message.ShouldContain("true or false"),
            p => p.At.Line.ShouldBe(9));
    }

    [Fact]
    public void the_first_approval_waits_and_the_case_does_not_move()
    {
        var events = _case.When(new DecideStep("sign", StepOutcome.Approve, "signature checked", "stamp page 2", Desk.Anna));

        events.ShouldBe([new StepApprovedPendingConfirmation("sign", "a", "signature checked", "stamp page 2", Desk.Anna, _case.Now)]);
        _case.Step("sign").ShouldSatisfyAllConditions(s => s.Status.ShouldBe(StepStatus.Open), s => s.Pending!.By.ShouldBe(Desk.Anna));
        _case.State!.Status.ShouldBe(ApplicationStatus.InProgress);
    }

    [Fact]
    public void the_same_officer_cannot_confirm_his_own_approval()
    {
        _case.When(Desk.Decide("sign", Desk.Anna));

        _case.ThenFails<RuleViolation>(new ConfirmStepApproval("sign", "confirmed", null, Desk.Anna)).Code.ShouldBe("four-eyes");
        _case.ThenFails<RuleViolation>(Desk.Decide("sign", Desk.Anna)).Code.ShouldBe("four-eyes");
    }

    [Fact]
    public void another_officer_confirms_and_the_approval_takes_effect_with_the_first_reason()
    {
        _case.When(new DecideStep("sign", StepOutcome.Approve, "signature checked", null, Desk.Anna));

        var events = _case.When(new ConfirmStepApproval("sign", "seen the file", "ok", Desk.Bob));

        Scenario.Types(events).ShouldBe(["StepApprovalConfirmed", "StepApproved", "ApplicationApproved"]);
        events[0].ShouldBe(new StepApprovalConfirmed("sign", "a", Desk.Anna, "seen the file", "ok", Desk.Bob, _case.Now));
        events.OfType<StepApproved>().Single().ShouldSatisfyAllConditions(e => e.Reason.ShouldBe("signature checked"),
            e => e.By.ShouldBe(Desk.Bob));
        _case.State!.Status.ShouldBe(ApplicationStatus.Approved);
    }

    [Fact]
    public void another_officers_approval_is_a_confirmation_too()
    {
        _case.When(Desk.Decide("sign", Desk.Anna));

        Scenario.Types(_case.When(Desk.Decide("sign", Desk.Bob))).ShouldBe(["StepApprovalConfirmed", "StepApproved",
            "ApplicationApproved"]);
    }

    [Fact]
    public void the_second_officer_may_reject_or_return_instead_even_when_the_first_holds_the_step()
    {
        _case.When(new ClaimStep("sign", null, Desk.Anna));
        _case.When(Desk.Decide("sign", Desk.Anna));

        Scenario.Types(_case.When(Desk.Decide("sign", Desk.Bob, StepOutcome.Return))).ShouldBe(["StepReturned", "CaseClockStopped"]);
        _case.Correct();
        _case.Step("sign").Pending.ShouldBeNull();
    }

    [Fact]
    public void there_is_nothing_to_confirm_before_a_first_approval() =>
        _case.ThenFails<RuleViolation>(new ConfirmStepApproval("sign", "confirmed", null, Desk.Bob)).Code.ShouldBe("no-approval-pending");

    [Fact]
    public void a_confirmation_needs_a_reason()
    {
        _case.When(Desk.Decide("sign", Desk.Anna));

        _case.ThenFails<RuleViolation>(new ConfirmStepApproval("sign", "", null, Desk.Bob)).Code.ShouldBe("reason-required");
    }

    [Fact]
    public void a_step_without_four_eyes_is_approved_at_once() =>
        Scenario.Types(Desk.AtReview().When(Desk.Decide("review", Desk.Anna))).ShouldBe(["StepApproved", "StepOpened"]);
}

public class when_the_access_policy_is_asked_about_the_desk
{
    private static readonly ApplicationScope Scope = new("VTE", ["odsc", "a"]);

    private static void May(Actor actor, ApplicationCommand command) =>
        Should.NotThrow(() => AccessPolicy.EnsureMayAct(actor, command, Desk.Definition, Scope));

    private static void MayNot(Actor actor, ApplicationCommand command) =>
        Should.Throw<AccessDenied>(() => AccessPolicy.EnsureMayAct(actor, command, Desk.Definition, Scope));

    [Fact]
    public void claiming_releasing_and_confirming_are_for_those_who_decide_the_step()
    {
        var other = new Actor("olga", "Olga", "b", Roles.Officer);
        May(Desk.Anna, new ClaimStep("review", null, Desk.Anna));
        May(Desk.Head, new ReleaseStep("review", "r", Desk.Head));
        May(Desk.Bob, new ConfirmStepApproval("sign", "r", null, Desk.Bob));
        MayNot(other with { Agency = "a", Role = Roles.Auditor }, new ClaimStep("review", null, other));
        MayNot(Scenario.Clerk with { Centre = "VTE" }, new ClaimStep("review", null, Scenario.Clerk));
        May(Scenario.Clerk with { Centre = "VTE" }, new ClaimStep("intake", null, Scenario.Clerk));
        MayNot(Desk.Anna, new ClaimStep("intake", null, Desk.Anna));
    }

    [Fact]
    public void reassigning_is_for_a_supervisor_of_the_steps_agency()
    {
        var to = Desk.As(Desk.Bob);
        May(Desk.Head, new ReassignStep("review", to, "r", Desk.Head));
        MayNot(Desk.Anna, new ReassignStep("review", to, "r", Desk.Anna));
        MayNot(Desk.Head with { Agency = "odsc", Centre = "VTE" }, new ReassignStep("review", to, "r", Desk.Head));
        May(new Actor("s", "S", "odsc", Roles.Supervisor, "VTE"), new ReassignStep("intake", to, "r", Desk.Head));
        MayNot(new Actor("s", "S", "odsc", Roles.Supervisor, "LPB"), new ReassignStep("intake", to, "r", Desk.Head));
    }

    [Fact]
    public void delegating_and_recusing_are_for_the_officers_of_the_agencies_that_worked_on_the_case()
    {
        May(Desk.Anna, new RecuseFromCase("r", Desk.Anna));
        May(Desk.Anna, new DelegateSteps(Desk.As(Desk.Bob), Scenario.Monday, Scenario.Monday.AddDays(1), "r", Desk.Anna));
        MayNot(new Actor("olga", "Olga", "b", Roles.Officer), new RecuseFromCase("r", Desk.Anna));
        MayNot(new Actor("aud", "Aud", null, Roles.Auditor), new RecuseFromCase("r", Desk.Anna));
        May(Scenario.Clerk with { Centre = "VTE" }, new RecuseFromCase("r", Scenario.Clerk));
        MayNot(new Actor("o", "O", "odsc", Roles.Officer, "VTE"), new RecuseFromCase("r", Desk.Anna));
    }

    [Fact]
    public void the_centres_own_staff_see_only_their_centres_items()
    {
        AccessPolicy.CentreScope(Scenario.Clerk with { Centre = "VTE" }, "odsc").ShouldBe("VTE");
        AccessPolicy.CentreScope(new Actor("s", "S", "odsc", Roles.Supervisor), "odsc").ShouldBe("");
        AccessPolicy.CentreScope(new Actor("aud", "Aud", null, Roles.Auditor), "odsc").ShouldBeNull();
        AccessPolicy.CentreScope(Desk.Anna, "a").ShouldBeNull();
    }
}

public class when_a_step_has_changed_hands_as_often_as_a_step_may
{
    /// <summary>The review claimed and let go by Anna and Bob in turn, <paramref name="times"/> claims in all.</summary>
    private static Scenario HandedOver(int times)
    {
        var story = Desk.AtReview();
        for (var i = 0; i < times; i++)
        {
            var officer = i % 2 == 0 ? Desk.Anna : Desk.Bob;
            story.When(new ClaimStep("review", null, officer));
            story.When(new ReleaseStep("review", "back to the pool", officer));
        }
        return story;
    }

    [Fact]
    public void the_last_hand_over_allowed_is_recorded() =>
        HandedOver(Decider.MaxHandOversPerStep - 1).When(new ClaimStep("review", null, Desk.Chan))
            .ShouldHaveSingleItem().ShouldBeOfType<StepClaimed>();

    [Fact]
    public void nobody_may_claim_it_or_be_given_it_again()
    {
        var story = HandedOver(Decider.MaxHandOversPerStep);

        story.ThenFails<RuleViolation>(new ClaimStep("review", null, Desk.Chan)).Code.ShouldBe("hand-over-limit");
        story.ThenFails<RuleViolation>(new ReassignStep("review", Desk.As(Desk.Chan), "Chan knows the company", Desk.Head))
            .Code.ShouldBe("hand-over-limit");
        story.Step("review").HandOvers.ShouldBe(Decider.MaxHandOversPerStep);
    }

    [Fact]
    public void a_reassignment_counts_as_a_hand_over_and_the_holder_may_still_let_it_go_and_anyone_decide_it()
    {
        var story = HandedOver(Decider.MaxHandOversPerStep - 1);
        story.When(new ReassignStep("review", Desk.As(Desk.Chan), "Chan knows the company", Desk.Head));
        story.ThenFails<RuleViolation>(new ClaimStep("review", null, Desk.Anna)).Code.ShouldBe("step-claimed");
        story.ThenFails<RuleViolation>(new ReassignStep("review", Desk.As(Desk.Bob), "Bob then", Desk.Head)).Code.ShouldBe("hand-over-limit");

        story.When(new ReleaseStep("review", "on leave", Desk.Chan)).ShouldHaveSingleItem().ShouldBeOfType<StepReleased>();
        story.When(Desk.Decide("review", Desk.Bob)).OfType<StepApproved>().ShouldHaveSingleItem().By.ShouldBe(Desk.Bob);
    }

    [Fact]
    public void the_count_holds_when_the_step_reopens_after_a_correction_and_the_next_step_starts_from_none()
    {
        var story = HandedOver(Decider.MaxHandOversPerStep);
        story.When(Desk.Decide("review", Desk.Anna, StepOutcome.Return));
        story.Correct();

        story.Step("review").ShouldSatisfyAllConditions(s => s.Status.ShouldBe(StepStatus.Open),
            s => s.HandOvers.ShouldBe(Decider.MaxHandOversPerStep));
        story.ThenFails<RuleViolation>(new ClaimStep("review", null, Desk.Chan)).Code.ShouldBe("hand-over-limit");
        story.When(Desk.Decide("review", Desk.Chan)).OfType<StepApproved>().ShouldHaveSingleItem();
        story.When(new ClaimStep("sign", null, Desk.Chan)).ShouldHaveSingleItem().ShouldBeOfType<StepClaimed>();
    }
}

public class when_a_case_has_had_as_many_delegations_as_a_case_may
{
    private static readonly DateTimeOffset Until = Scenario.Monday.AddDays(3);

    private static Scenario Delegated(int times)
    {
        var story = Desk.AtReview();
        story.When(new ClaimStep("review", null, Desk.Anna));
        for (var i = 0; i < times; i++)
        {
            story.When(new DelegateSteps(Desk.As(Desk.Bob), Scenario.Monday, Until, "training course", Desk.Anna));
            story.When(new RevokeDelegation(null, "back early", Desk.Anna));
        }
        return story;
    }

    [Fact]
    public void the_last_delegation_allowed_is_recorded() =>
        Delegated(Decider.MaxDelegationsPerCase - 1)
            .When(new DelegateSteps(Desk.As(Desk.Chan), Scenario.Monday, Until, "training course", Desk.Anna))
            .ShouldHaveSingleItem().ShouldBeOfType<DelegationGranted>();

    [Fact]
    public void no_further_delegation_is_recorded_but_the_last_can_be_ended_and_the_holder_decides()
    {
        var story = Delegated(Decider.MaxDelegationsPerCase - 1);
        story.When(new DelegateSteps(Desk.As(Desk.Chan), Scenario.Monday, Until, "training course", Desk.Anna));

        story.ThenFails<RuleViolation>(new DelegateSteps(Desk.As(Desk.Bob), Scenario.Monday, Until, "once more", Desk.Anna))
            .Code.ShouldBe("delegation-limit");
        story.When(new RevokeDelegation(null, "back early", Desk.Anna)).ShouldHaveSingleItem().ShouldBeOfType<DelegationRevoked>();
        story.When(Desk.Decide("review", Desk.Anna)).OfType<StepApproved>().ShouldHaveSingleItem();
    }
}

public class when_a_case_has_been_returned_as_often_as_a_case_may
{
    /// <summary>The completeness check may return the file any number of times under the procedure's own cap.</summary>
    private static readonly WorkflowDefinition Definition = Procedures.Parse("""
        id: returns-test
        version: 1
        title: Returns test
        deadline: 10 working days
        steps:
          intake:
            agency: odsc
            deadline: 1 working day
            approve: review
            reject: rejected
            return: citizen
          review:
            agency: a
            deadline: 3 working days
            approve: approved
            return: citizen
        """);

    private static Scenario ReturnedAtIntake(int times)
    {
        var story = new Scenario(Definition).Submit([]);
        for (var i = 0; i < times; i++)
        {
            story.Return("intake");
            story.Correct();
        }
        return story;
    }

    [Fact]
    public void the_last_return_allowed_is_recorded() =>
        ReturnedAtIntake(Decider.MaxReturnsPerCase - 1).Return("intake").OfType<StepReturned>().ShouldHaveSingleItem();

    [Fact]
    public void no_further_return_is_recorded_and_the_step_is_still_decided()
    {
        var story = ReturnedAtIntake(Decider.MaxReturnsPerCase);

        story.ThenFails<RuleViolation>(new DecideStep("intake", StepOutcome.Return, "still incomplete", null, Scenario.Clerk))
            .Code.ShouldBe("returns-exhausted");
        story.Approve("intake").OfType<ApplicationDeclaredComplete>().ShouldHaveSingleItem();
        story.ThenFails<RuleViolation>(new DecideStep("review", StepOutcome.Return, "the plan is unsigned", null,
            new Actor("anna", "Anna", "a", Roles.Officer))).Code.ShouldBe("returns-exhausted");
        story.Approve("review").OfType<ApplicationApproved>().ShouldHaveSingleItem();
    }
}
