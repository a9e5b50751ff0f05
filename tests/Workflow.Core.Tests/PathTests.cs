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
        Paths.All(Appeal, Paths.MaxListed).Select(p => p.ToString()).ShouldBe([
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

    /// <summary>30 splits in a row, each into two branches that join again: 2^30 paths, 91 steps.</summary>
    private static WorkflowDefinition ManySplits()
    {
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
        return Parse(yaml.ToString());
    }

    [Fact(Timeout = 10_000)]
    public async Task a_flow_of_many_splits_and_joins_is_checked_in_the_time_its_size_takes_not_its_number_of_paths()
    {
        var definition = await Task.Run(ManySplits);

        Paths.Longest(definition).WorkingDays.ShouldBe(61);
        Paths.Longest(definition).Steps.ShouldContain("r7");
    }

    [Fact(Timeout = 10_000)]
    public async Task a_listing_of_paths_stops_at_its_limit_instead_of_walking_every_one_of_a_billion()
    {
        var paths = await Task.Run(() => Paths.All(ManySplits(), Paths.MaxListed + 1));

        paths.Count.ShouldBe(Paths.MaxListed + 1);
        paths[0].Steps.ShouldBe(["intake", .. Enumerable.Range(0, 30).SelectMany(i => new[] { $"l{i}", $"j{i}" }), "approved"]);
        paths.ShouldAllBe(p => p.WorkingDays == 60);
    }

    [Fact(Timeout = 10_000)]
    public async Task a_chain_of_the_most_steps_a_procedure_may_have_is_checked_whole()
    {
        var yaml = new StringBuilder($$"""
            id: long-chain
            version: 1
            title: Long chain
            deadline: {{DefinitionParser.MaxSteps - 1}} working days
            steps:
              intake: { agency: odsc, deadline: 1, approve: s1 }

            """);
        for (var i = 1; i < DefinitionParser.MaxSteps; i++)
            yaml.AppendLine($"  s{i}: {{ agency: a, deadline: 1, approve: {(i + 1 < DefinitionParser.MaxSteps ? $"s{i + 1}" : "approved")} }}");

        var definition = await Task.Run(() => Parse(yaml.ToString()));

        definition.Steps.Length.ShouldBe(DefinitionParser.MaxSteps);
        Paths.Longest(definition).WorkingDays.ShouldBe(DefinitionParser.MaxSteps - 1);
        definition.Predecessors("s100").Select(s => s.Id).ShouldBe(["s99"]);
        definition.Reachable("s198").ShouldBe(["s199", "approved"], ignoreOrder: true);
        Should.Throw<DefinitionException>(() => Parse(yaml.ToString().Replace("deadline: 199 working days", "deadline: 198 working days")))
            .Problems.ShouldContain(p => p.Message.StartsWith("step deadlines after 'intake' add up to 199 working days"));
    }
}
