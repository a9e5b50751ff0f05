using Workflow.Core.Definitions;
using Workflow.Design;

namespace Workflow.Design.Tests;

public class when_two_versions_of_a_procedure_are_compared
{
    private static readonly string Text =
        File.ReadAllText(Path.Combine(Procedures.RepositoryRoot(), "workflows", "enterprise-registration.yaml"));

    private static WorkflowDefinition Read(string text) => DefinitionParser.ParseDefinition("x.yaml", text, [])!;

    [Fact]
    public void the_difference_is_told_in_steps_deadlines_agencies_conditions_and_outcomes()
    {
        var v2 = Text.Replace("version: 1", "version: 2")
            .Replace("deadline: 10 working days", "deadline: 8 working days")
            .Replace("when: has_employees ", "when: has_employees and registered_capital > 0 ")
            .Replace("agency: mops-seal-office", "agency: odsc")
            .Replace("    approve: [seal, social-security]", "    approve: [seal, social-security, tax]")
            + "\n  tax:\n    agency: mof-tax\n    deadline: 3 working days\n    approve: handover\n";

        var changes = DefinitionDiff.Compare(Read(Text), Read(v2)).Select(c => c.ToString()).ToList();

        changes.ShouldContain("~ procedure version: 1 -> 2");
        changes.ShouldContain("~ step register deadline: 10 working days -> 8 working days");
        changes.ShouldContain("~ step social-security condition: has_employees -> has_employees and registered_capital > 0");
        changes.ShouldContain("~ step seal agency: mops-seal-office -> odsc");
        changes.ShouldContain("~ step register approve: seal, social-security -> seal, social-security, tax");
        changes.ShouldContain("+ step tax: mof-tax, 3 working days");
        changes.Count.ShouldBe(6);
    }

    [Fact]
    public void a_step_that_no_longer_needs_four_eyes_is_a_difference()
    {
        var v1 = Text.Replace("    title: Register the enterprise", "    four_eyes: true\n    title: Register the enterprise");
        var v2 = Text.Replace("version: 1", "version: 2");

        DefinitionDiff.Compare(Read(v1), Read(v2)).Select(c => c.ToString()).ShouldContain("- step register four eyes: yes");
    }

    [Fact]
    public void comments_and_key_order_are_no_difference()
    {
        var reordered = Text.Replace("title: Enterprise registration\n", "")
            .Replace("version: 1\n", "version: 1\ntitle: Enterprise registration\n# a new comment\n");

        DefinitionDiff.Compare(Read(Text), Read(reordered)).ShouldBeEmpty();
    }
}
