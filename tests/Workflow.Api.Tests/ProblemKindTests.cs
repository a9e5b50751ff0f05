using Workflow.Api.Workspace.Design;
using Workflow.Core.Definitions;

namespace Workflow.Api.Tests;

/// <summary>The design pages explain each problem the checker names in the page's language, by its kind.</summary>
public class when_a_deadline_past_the_longest_allowed_is_explained
{
    [Fact]
    public void each_too_long_deadline_window_or_escalation_is_named_at_its_line_as_its_own_kind()
    {
        var folder = Path.Combine(ApiFixture.RepositoryRoot(), "workflows");
        var source = File.ReadAllText(Path.Combine(folder, "enterprise-registration.yaml"))
            .Replace("deadline: 10 working days", "deadline: 2147483640 working days") + "correction_deadline: 5000 calendar days\n";

        var error = Should.Throw<DefinitionException>(() => WorkflowCatalog.Parse(
            [("agencies.yaml", File.ReadAllText(Path.Combine(folder, "agencies.yaml"))), ("enterprise-registration.yaml", source)]));

        var lines = source.Split('\n');
        var tooLong = error.Problems.Where(p => ProblemKinds.Of(p.Message).Kind == "too-long").ToList();
        tooLong.Select(p => ProblemKinds.Of(p.Message).Values).ShouldBe(
            [["2147483640 working days", "1000"], ["5000 calendar days", "1000"]], ignoreOrder: true);
        tooLong.ShouldAllBe(p => lines[p.At.Line - 1].Contains(ProblemKinds.Of(p.Message).Values[0]));
    }
}
