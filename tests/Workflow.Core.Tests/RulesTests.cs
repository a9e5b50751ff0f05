using Workflow.Core.Applications;
using Workflow.Core.Definitions;

namespace Workflow.Core.Tests;

public class when_a_running_application_is_migrated_by_the_decider
{
    private static readonly string Version1Text =
        File.ReadAllText(Path.Combine(Procedures.RepositoryRoot(), "workflows", "enterprise-registration.yaml"));

    /// <summary>Version 2 renames the registration step.</summary>
    private static readonly WorkflowDefinition Version2 = WorkflowCatalog.Parse([
            ("agencies.yaml", File.ReadAllText(Path.Combine(Procedures.RepositoryRoot(), "workflows", "agencies.yaml"))),
            ("enterprise-registration.yaml", Version1Text.Replace("version: 1", "version: 2")
                .Replace("approve: register", "approve: registration").Replace("  register:\n", "  registration:\n"))])
        .Find("enterprise-registration")!;

    private static readonly Actor Designer = new("designer-1", "Designer", null, "designer");

    private readonly Scenario _case = new(Procedures.Get("enterprise-registration"));

    public when_a_running_application_is_migrated_by_the_decider()
    {
        _case.At(Scenario.Monday).Submit(when_an_enterprise_application_is_submitted.Company(),
            when_an_enterprise_application_is_submitted.CompanyDocuments);
        _case.Approve("intake");
    }

    [Fact]
    public void the_planner_moves_the_open_step_and_the_migration_is_recorded()
    {
        var events = _case.When(new MigrateApplication(Version2, new Dictionary<string, string> { ["register"] = "registration" },
            "Decision 12/2026", Designer));

        var migrated = events.ShouldHaveSingleItem().ShouldBeOfType<ApplicationMigrated>();
        migrated.ToVersion.ShouldBe(2);
        migrated.ToHash.ShouldBe(Version2.Hash);
        migrated.Moved.ShouldHaveSingleItem().To.ShouldBe("registration");
        _case.State!.WorkflowVersion.ShouldBe(2);
    }

    [Fact]
    public void a_plan_with_problems_is_refused_and_nothing_is_recorded()
    {
        _case.ThenFails<RuleViolation>(new MigrateApplication(Version2, new Dictionary<string, string>(), "Decision 12/2026", Designer))
            .Message.ShouldContain("'register' has no counterpart");
    }
}

public class the_rules_that_every_reader_shares
{
    [Fact]
    public void a_deadline_end_is_inclusive()
    {
        var due = Scenario.Monday;
        Lateness.IsLate(due, due).ShouldBeFalse();
        Lateness.IsLate(due.AddTicks(1), due).ShouldBeTrue();
        Lateness.IsLate(due, (DateTimeOffset?)null).ShouldBeFalse();
    }

    [Fact]
    public void running_means_not_ended()
    {
        Enum.GetValues<ApplicationStatus>().Where(ApplicationStatuses.IsRunning)
            .ShouldBe([ApplicationStatus.Submitted, ApplicationStatus.InProgress, ApplicationStatus.AwaitingCorrection]);
    }

    /// <summary>These ids are stored (access-log streams, idempotent submissions): the recipe may never change.</summary>
    [Fact]
    public void name_based_ids_never_change()
    {
        NameBasedIds.From("access-log/0192a000-0000-7000-8000-000000000042").ShouldBe(Guid.Parse("af76a7b5-002d-5bdb-a1c0-315348ded5b1"));
        NameBasedIds.From("clerk-vte\nkey-1").ShouldBe(Guid.Parse("a899a9d2-205d-5c26-a7fc-cecdeee9eca2"));
    }

    [Fact]
    public void the_longest_way_after_a_step_follows_approvals_and_adds_the_deadlines_after_it()
    {
        var registration = Procedures.Get("enterprise-registration");
        Paths.LongestAfter(registration, "intake").ShouldBe(10 + 5 + 1);
        Paths.LongestAfter(registration, "register").ShouldBe(5 + 1);
        Paths.LongestAfter(registration, "handover").ShouldBe(0);
    }
}
