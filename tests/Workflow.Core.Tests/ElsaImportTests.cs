using System.Text.Json;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;

namespace Workflow.Core.Tests;

public class when_an_elsa_flowchart_is_imported
{
    private static readonly ElsaImportResult Result = ElsaImport.Convert(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Elsa", "licence-flowchart.json")));

    private static WorkflowDefinition Definition => Procedures.Parse(Result.Yaml);

    [Fact]
    public void it_becomes_a_valid_definition_with_the_decision_fork_and_join_mapped()
    {
        var d = Definition;

        d.Id.ShouldBe("small-business-licence");
        d.Version.ShouldBe(3);
        d.FindStep("check-the-file")!.ShouldSatisfyAllConditions(s => s.Agency.ShouldBe("a"), s => s.DeadlineDays.ShouldBe(3));
        d.FindStep("check-the-file")!.Approve.Order().ShouldBe(["health-opinion", "simple-approval", "tax-clearance"]);
        d.FindStep("health-opinion")!.When.ShouldBe("amount > 1000 and category == 'food'");
        d.FindStep("simple-approval")!.When.ShouldBe("not (amount > 1000 and category == 'food')");
        d.FindStep("issue-the-licence")!.After.ShouldBe(JoinRule.All);
        d.FindStep("health-opinion")!.Approve.ShouldBe(["issue-the-licence"]);
        d.FindField("amount")!.Type.ShouldBe(FieldType.Number);
    }

    [Fact]
    public void what_cannot_be_mapped_is_reported_by_activity_id_and_type()
    {
        Result.Notes.ShouldContain(n => n.ActivityId == "timer1" && n.Type == "Elsa.Timer");
        Result.Notes.ShouldContain(n => n.ActivityId == "task4" && n.Message.Contains("no agency"));
    }

    [Fact]
    public void the_imported_procedure_runs_both_branches_of_the_decision()
    {
        var big = new Scenario(Definition).Submit(new() { ["amount"] = 5000, ["category"] = "food" });
        big.Approve("intake");
        big.Approve("check-the-file");
        big.OpenSteps.ShouldBe(["health-opinion", "tax-clearance"]);

        var small = new Scenario(Definition).Submit(new() { ["amount"] = 10, ["category"] = "food" });
        small.Approve("intake");
        small.Approve("check-the-file");
        small.OpenSteps.ShouldBe(["simple-approval"]);
        small.Approve("simple-approval");
        small.State!.Status.ShouldBe(ApplicationStatus.Approved);
    }
}
