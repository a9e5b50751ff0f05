using Workflow.Core.Access;
using Workflow.Core.Applications;

namespace Workflow.Core.Tests;

/// <summary>
/// Watchers of an escalation target (a supervisor whose agency claim is <c>national-dashboard</c> or
/// <c>provincial-home-affairs</c>): what they read and which escalations they may acknowledge, on the default chain
/// (level 1: two working days overdue, the centre's head and the district governor; level 2: five, the provincial
/// department and the national dashboard).
/// </summary>
public class when_a_watcher_of_an_escalation_target_acts
{
    private static readonly Definitions.WorkflowDefinition Registration = Procedures.Get("enterprise-registration");
    private static readonly ApplicationScope AtVte = new("VTE", ["odsc", "moic-enterprise-registration"]);

    private static readonly Actor National = new("n-1", "National dashboard", AccessPolicy.NationalDashboard, Roles.Supervisor);
    private static readonly Actor Vientiane = new("p-1", "Vientiane province", AccessPolicy.ProvincialHomeAffairs, Roles.Supervisor, "VTE");
    private static readonly Actor Luang = new("p-2", "Luang Prabang province", AccessPolicy.ProvincialHomeAffairs, Roles.Supervisor, "LPB");

    private static AcknowledgeEscalation Acknowledge(int level, Actor by) => new("register", level, null, by);

    [Fact]
    public void a_watcher_acknowledges_the_level_that_named_its_target_in_its_own_province_only()
    {
        AccessPolicy.EnsureMayAct(National, Acknowledge(2, National), Registration, AtVte);
        AccessPolicy.EnsureMayAct(Vientiane, Acknowledge(2, Vientiane), Registration, AtVte);
        Should.Throw<AccessDenied>(() => AccessPolicy.EnsureMayAct(Luang, Acknowledge(2, Luang), Registration, AtVte))
            .Message.ShouldBe(AccessDenied.Unreadable);
        foreach (var level in new[] { 0, 1, 3, -1 })
            Should.Throw<AccessDenied>(() => AccessPolicy.EnsureMayAct(National, Acknowledge(level, National), Registration, AtVte));
    }

    [Fact]
    public void a_watcher_reads_only_its_own_alerts_and_nothing_of_the_case()
    {
        AccessPolicy.MayReadAlerts(National, AccessPolicy.NationalDashboard).ShouldBeTrue();
        AccessPolicy.MayReadAlerts(National, AccessPolicy.ProvincialHomeAffairs).ShouldBeFalse();
        AccessPolicy.MayReadAlerts(new Actor("a-1", "Auditor", null, Roles.Auditor), AccessPolicy.ProvincialHomeAffairs).ShouldBeTrue();
        AccessPolicy.MayReadAlerts(Scenario.Supervisor("moic-enterprise-registration"), AccessPolicy.NationalDashboard).ShouldBeFalse();
        AccessPolicy.MayReadAlerts(National, "agency-head").ShouldBeFalse();
        AccessPolicy.AlertCentreScope(National).ShouldBeNull();
        AccessPolicy.AlertCentreScope(Vientiane).ShouldBe("VTE");
        AccessPolicy.AlertCentreScope(Vientiane with { Centre = null }).ShouldBe("", "a provincial watcher without a centre sees nothing");
        AccessPolicy.MayRead(National, AtVte).ShouldBeFalse();
        Should.Throw<AccessDenied>(() => AccessPolicy.EnsureMayAct(National,
            new DecideStep("register", StepOutcome.Approve, "in order", null, National), Registration, AtVte));
    }

    [Fact]
    public void only_a_supervisor_watches_a_target()
    {
        AccessPolicy.WatchedTarget(Roles.Officer, AccessPolicy.NationalDashboard).ShouldBeNull();
        AccessPolicy.WatchedTarget(Roles.Supervisor, "moic-enterprise-registration").ShouldBeNull();
        AccessPolicy.WatchedTarget(Roles.Supervisor, AccessPolicy.NationalDashboard).ShouldBe(AccessPolicy.NationalDashboard);
    }
}
