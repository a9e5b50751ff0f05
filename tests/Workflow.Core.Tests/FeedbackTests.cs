using Workflow.Core.Access;
using Workflow.Core.Applications;
using Workflow.Core.Citizens;

using static Workflow.Core.Tests.Spec;

namespace Workflow.Core.Tests;

public class when_the_citizen_rates_the_service
{
    private static readonly Actor Citizen = Feedback.Citizen("VTE-2026-000001");

    /// <summary>A company's registration, declared complete, then refused at the registration office: the case has ended.</summary>
    private static Scenario Refused()
    {
        var story = Running();
        story.Reject("register");
        story.State!.Status.ShouldBe(ApplicationStatus.Rejected);
        return story;
    }

    private static Scenario Running()
    {
        var story = new Scenario(Procedures.Get("enterprise-registration"))
            .Submit(when_an_enterprise_application_is_submitted.Company(), when_an_enterprise_application_is_submitted.CompanyDocuments);
        story.Approve("intake");
        return story;
    }

    [Fact]
    public void an_ended_case_records_the_rating_with_the_citizen_as_actor()
    {
        var rated = Given(Refused()).When(new RateService(2, "  slow, but polite  ", Citizen))
            .Then(new ServiceRated(2, "slow, but polite", Citizen, Scenario.Monday));

        Citizen.Role.ShouldBe(Roles.Citizen);
        rated.State!.Rated.ShouldBeTrue();
    }

    [Fact]
    public void a_case_is_rated_once_only() =>
        Given(Refused().Given(new ServiceRated(4, null, Citizen, Scenario.Monday)))
            .When(new RateService(5, "changed my mind", Citizen)).ThenFails<RuleViolation>("already-rated");

    [Fact]
    public void a_running_case_cannot_be_rated_yet() =>
        Given(Running()).When(new RateService(5, null, Citizen)).ThenFails<RuleViolation>("not-ended");

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void a_rating_outside_one_to_five_is_refused(int rating) =>
        Given(Refused()).When(new RateService(rating, null, Citizen)).ThenFails<RuleViolation>("rating-range");

    [Fact]
    public void only_the_citizen_rates_and_the_citizen_does_nothing_else()
    {
        var definition = Procedures.Get("enterprise-registration");
        var scope = new ApplicationScope("VTE", ["odsc", "moic-enterprise-registration"]);

        Should.Throw<AccessDenied>(() =>
            AccessPolicy.EnsureMayAct(Scenario.Clerk, new RateService(5, null, Scenario.Clerk), definition, scope));
        Should.Throw<AccessDenied>(() => AccessPolicy.EnsureMayAct(Citizen,
                new DecideStep("intake", StepOutcome.Approve, "fine", null, Citizen), definition, scope))
            .Message.ShouldBe(AccessDenied.Unreadable);
        Should.NotThrow(() => AccessPolicy.EnsureMayAct(Citizen, new RateService(5, null, Citizen), definition, scope));
        Roles.IsKnown(Roles.Citizen).ShouldBeFalse("no token may carry the citizen's role");
    }
}

public class when_a_case_tells_the_applicant
{
    private readonly Scenario _case = new(Procedures.Get("enterprise-registration"));

    [Fact]
    public void received_returned_apology_decided_and_ready_to_collect_are_told_and_nothing_else()
    {
        _case.Submit(when_an_enterprise_application_is_submitted.Company(employees: false),
            when_an_enterprise_application_is_submitted.CompanyDocuments);
        _case.Approve("intake");
        _case.Return("register");
        _case.Correct();
        _case.Approve("register");
        _case.Approve("seal");
        _case.Approve("handover");

        var complete = false;
        var told = new List<(string, NoticeKind)>();
        foreach (var e in _case.History)
        {
            if (Notices.For(e, complete) is { } kind) told.Add((e is StepOpened o ? $"{o.StepId} opened" : e.GetType().Name, kind));
            complete |= e is ApplicationDeclaredComplete;
        }

        told.ShouldBe([
            ("ApplicationSubmitted", NoticeKind.Received),
            ("StepReturned", NoticeKind.Returned),
            ("handover opened", NoticeKind.ReadyToCollect),
            ("ApplicationApproved", NoticeKind.Approved),
        ]);
        Notices.For(new CaseDeadlineMissed(Scenario.Monday, Scenario.Monday.AddDays(7), [], Scenario.Monday), true)
            .ShouldBe(NoticeKind.Apology);
        Notices.For(new ApplicationRejected("register", "no", Scenario.Monday), true).ShouldBe(NoticeKind.Rejected);
    }
}
