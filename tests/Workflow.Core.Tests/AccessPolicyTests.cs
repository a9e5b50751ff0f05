using System.Text.Json;
using Workflow.Core.Access;
using Workflow.Core.Applications;

namespace Workflow.Core.Tests;

/// <summary>
/// The rules of the access policy that the HTTP matrix cannot reach: commands only the deadline clock sends, tokens
/// without a centre, a step reserved for a role, and what a refused caller is told.
/// </summary>
public class when_the_access_policy_is_asked
{
    private const string Moic = "moic-enterprise-registration";

    private static readonly Workflow.Core.Definitions.WorkflowDefinition Registration = Procedures.Get("enterprise-registration");

    /// <summary>An application of centre VTE whose registration step, of MoIC, is open.</summary>
    private static readonly ApplicationScope AtVte = new("VTE", ["odsc", Moic]);

    private static Actor Clerk(string? centre) => new("clerk-1", "Clerk", "odsc", Roles.Clerk, centre);

    private static DecideStep Decide(string step, Actor by) => new(step, StepOutcome.Approve, "in order", null, by);

    [Fact]
    public void deadlines_are_reached_and_recalculated_by_the_clock_only()
    {
        foreach (var actor in new[] { Scenario.Supervisor(Moic), new Actor("admin-1", "Admin", null, Roles.Admin), Clerk("VTE") })
        {
            Should.Throw<AccessDenied>(() => AccessPolicy.EnsureMayAct(actor, new ReachDeadline("register", actor), Registration, AtVte));
            Should.Throw<AccessDenied>(
                () => AccessPolicy.EnsureMayAct(actor, new RecalculateDeadlines("holiday", actor), Registration, AtVte));
        }
        AccessPolicy.EnsureMayAct(DeadlineScopes.System, new ReachDeadline("register", DeadlineScopes.System), Registration, AtVte);
        AccessPolicy.EnsureMayAct(DeadlineScopes.System, new RecalculateDeadlines("holiday", DeadlineScopes.System), Registration, AtVte);
    }

    [Fact]
    public void a_clerk_whose_token_names_no_centre_receives_reads_and_decides_nothing()
    {
        var clerk = Clerk(null);

        Should.Throw<AccessDenied>(() => AccessPolicy.EnsureMayReceive(clerk, "VTE")).Message.ShouldContain("names no centre");
        AccessPolicy.MayRead(clerk, AtVte).ShouldBeFalse();
        AccessPolicy.MayReadAgencyWork(clerk, "odsc").ShouldBeFalse();
        Should.Throw<AccessDenied>(() => AccessPolicy.EnsureMayAct(clerk, Decide("intake", clerk), Registration, AtVte));
        AccessPolicy.EnsureMayReceive(Clerk("VTE"), "VTE");
    }

    [Fact]
    public void a_caller_who_may_not_read_the_application_learns_nothing_not_even_whether_a_step_exists()
    {
        var other = Scenario.Officer("mops-seal-office");

        Should.Throw<AccessDenied>(() => AccessPolicy.EnsureMayAct(other, Decide("register", other), Registration, AtVte))
            .Message.ShouldBe(AccessDenied.Unreadable);
        Should.Throw<AccessDenied>(() => AccessPolicy.EnsureMayAct(other, Decide("no-such-step", other), Registration, AtVte))
            .Message.ShouldBe(AccessDenied.Unreadable);
        var reader = Scenario.Officer(Moic);
        Should.Throw<AccessDenied>(() => AccessPolicy.EnsureMayAct(reader, Decide("intake", reader), Registration, AtVte))
            .Message.ShouldBe("step 'intake' is decided by a clerk of the application's centre");
    }

    [Fact]
    public void a_step_reserved_for_a_role_is_decided_by_that_role_or_a_supervisor_of_its_agency()
    {
        var reserved = Registration with
        {
            Steps = [.. Registration.Steps.Select(s => s.Id == "register" ? s with { Role = "registrar" } : s)],
        };
        var officer = Scenario.Officer(Moic);
        var registrar = officer with { Role = "registrar" };

        Should.Throw<AccessDenied>(() => AccessPolicy.EnsureMayAct(officer, Decide("register", officer), reserved, AtVte))
            .Message.ShouldContain("registrar");
        AccessPolicy.EnsureMayAct(Scenario.Supervisor(Moic), Decide("register", Scenario.Supervisor(Moic)), reserved, AtVte);
        // The role table knows no "registrar": such a token is refused at authentication, so only a supervisor decides it.
        Should.Throw<AccessDenied>(() => AccessPolicy.EnsureMayAct(registrar, Decide("register", registrar), reserved, AtVte));
    }

    [Fact]
    public void only_a_supervisor_may_return_beyond_the_cap_and_the_decider_asks_the_policy()
    {
        AccessPolicy.MayReturnBeyondCap(Scenario.Supervisor(Moic)).ShouldBeTrue();
        AccessPolicy.MayReturnBeyondCap(Scenario.Officer(Moic)).ShouldBeFalse();
        AccessPolicy.MayReturnBeyondCap(new Actor("admin-1", "Admin", Moic, Roles.Admin)).ShouldBeFalse();

        var s = new Scenario(Registration);
        s.When(new SubmitApplication(
            Scenario.Id, "VTE-2026-000001", "VTE", "counter", new Applicant("Somchai"), Data(), Documents(), Scenario.Clerk));
        s.When(Decide("intake", Scenario.Clerk));
        s.When(new DecideStep("register", StepOutcome.Return, "name not in Lao script", null, Scenario.Officer(Moic)));
        s.When(new SubmitCorrection(new Dictionary<string, JsonElement>(), [], "Lao name added", Scenario.Clerk));
        s.When(new DecideStep("register", StepOutcome.Return, "again", null, Scenario.Supervisor(Moic), "document:owner-id"))
            .OfType<StepReturned>().ShouldHaveSingleItem().BeyondCap.ShouldBeTrue();
    }

    [Fact]
    public void every_permission_has_its_roles_and_only_the_server_seals()
    {
        foreach (var permission in Enum.GetValues<Permission>()) AccessPolicy.RolesWith(permission).ShouldNotBeEmpty();
        Roles.All.ShouldNotContain(Roles.System);
        Roles.All.Where(r => AccessPolicy.Allows(r, Permission.Seal)).ShouldBeEmpty();
    }

    private static Dictionary<string, JsonElement> Data() => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""
        { "enterprise_name": "Mekong Rice Trading", "enterprise_type": "sole-trader", "registered_capital": 50000000,
          "business_sector": "wholesale", "has_employees": false, "province": "Vientiane Capital" }
        """)!;

    private static string[] Documents() => ["application-form", "owner-id"];
}
