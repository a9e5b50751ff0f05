using Workflow.Core.Access;
using Workflow.Core.Applications;
using Workflow.Core.Citizens;

namespace Workflow.Core.Tests;

public class when_the_citizen_rates_the_service
{
    private readonly Scenario _case = new(Procedures.Get("enterprise-registration"));
    private static readonly Actor Citizen = Feedback.Citizen("VTE-2026-000001");

    private Scenario Refused()
    {
        _case.Submit(when_an_enterprise_application_is_submitted.Company(), when_an_enterprise_application_is_submitted.CompanyDocuments);
        _case.Approve("intake");
        _case.Reject("register");
        _case.State!.Status.ShouldBe(ApplicationStatus.Rejected);
        return _case;
    }

    [Fact]
    public void an_ended_case_records_the_rating_with_the_citizen_as_actor()
    {
        Refused();

        var events = _case.When(new RateService(2, "  slow, but polite  ", Citizen));

        var rated = events.ShouldHaveSingleItem().ShouldBeOfType<ServiceRated>();
        rated.Rating.ShouldBe(2);
        rated.Comment.ShouldBe("slow, but polite");
        rated.By.ShouldBe(Citizen);
        rated.By.Role.ShouldBe(Roles.Citizen);
        rated.At.ShouldBe(_case.Now);
        _case.State!.Rated.ShouldBeTrue();
    }

    [Fact]
    public void a_case_is_rated_once_only()
    {
        Refused().When(new RateService(4, null, Citizen));

        _case.ThenFails<RuleViolation>(new RateService(5, "changed my mind", Citizen)).Code.ShouldBe("already-rated");
    }

    [Fact]
    public void a_running_case_cannot_be_rated_yet()
    {
        _case.Submit(when_an_enterprise_application_is_submitted.Company(), when_an_enterprise_application_is_submitted.CompanyDocuments);
        _case.Approve("intake");

        _case.ThenFails<RuleViolation>(new RateService(5, null, Citizen)).Code.ShouldBe("not-ended");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void a_rating_outside_one_to_five_is_refused(int rating) =>
        Refused().ThenFails<RuleViolation>(new RateService(rating, null, Citizen)).Code.ShouldBe("rating-range");

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
