using System.Text;
using Workflow.Core.Definitions;
using static Workflow.Core.Tests.Procedures;

namespace Workflow.Core.Tests;

public class when_the_paths_of_a_procedure_are_counted_against_its_legal_deadline
{
    private static readonly WorkflowDefinition Appeal = Parse("""
        id: appeal
        version: 1
        title: Appeal
        deadline: 20 working days
        steps:
          intake: { agency: odsc, deadline: 3, approve: [a, b] }
          a: { agency: a, deadline: 4, approve: approved, reject: appeal }
          appeal: { agency: c, deadline: 9, approve: approved, reject: rejected }
          b: { agency: b, deadline: 6, approve: approved, reject: rejected }
        """);

    [Fact]
    public void every_path_follows_approve_and_reject_and_the_completeness_check_counts_no_day()
    {
        Paths.All(Appeal).Select(p => p.ToString()).ShouldBe([
            "intake -> a -> approved (4 working days)",
            "intake -> a -> appeal -> approved (13 working days)",
            "intake -> a -> appeal -> rejected (13 working days)",
            "intake -> b -> approved (6 working days)",
            "intake -> b -> rejected (6 working days)",
        ]);
    }

    [Fact]
    public void the_longest_path_is_the_one_the_legal_deadline_must_cover_even_through_a_rejection()
    {
        var longest = Paths.Longest(Appeal);

        longest.WorkingDays.ShouldBe(13);
        longest.Steps.ShouldBe(["intake", "a", "appeal", "approved"]);
    }

    [Fact(Timeout = 10_000)]
    public async Task a_flow_of_many_splits_and_joins_is_checked_in_the_time_its_size_takes_not_its_number_of_paths()
    {
        // 30 splits in a row, each into two branches that join again: 2^30 paths, 91 steps.
        var yaml = new StringBuilder("""
            id: many-splits
            version: 1
            title: Many splits
            deadline: 61 working days
            steps:
              intake: { agency: odsc, deadline: 1, approve: [l0, r0] }

            """);
        for (var i = 0; i < 30; i++)
        {
            var next = i == 29 ? "approved" : $"[l{i + 1}, r{i + 1}]";
            yaml.AppendLine($"  l{i}: {{ agency: a, deadline: 1, approve: j{i} }}");
            yaml.AppendLine($"  r{i}: {{ agency: b, deadline: {(i == 7 ? 2 : 1)}, approve: j{i} }}");
            yaml.AppendLine($"  j{i}: {{ agency: c, deadline: 1, approve: {next} }}");
        }

        var definition = await Task.Run(() => Parse(yaml.ToString()));

        Paths.Longest(definition).WorkingDays.ShouldBe(61);
        Paths.Longest(definition).Steps.ShouldContain("r7");
    }
}
