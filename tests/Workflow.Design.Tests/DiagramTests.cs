using Snapshooter;
using Snapshooter.Xunit;
using Workflow.Core.Definitions;
using Workflow.Design;

namespace Workflow.Design.Tests;

/// <summary>
/// A procedure whose step ids and agency codes are words that mean something to Mermaid or cannot be XML ids, with
/// titles full of the characters diagrams must escape.
/// </summary>
public static class Keywords
{
    public static readonly string[] StepIds = ["end", "graph", "subgraph", "style", "class", "click", "flowchart"];

    public static WorkflowCatalog Catalog { get; } = WorkflowCatalog.Parse([
        ("agencies.yaml", """
            agencies:
              odsc: One-Door Service Centre
              end: The end office
              subgraph: Subgraph office
              style: Style office
              "health dept. (central)": "Health <department> & \"friends\""
              health-dept-central: Another health office
            """),
        ("keywords.yaml", """
            id: "keywords: a procedure #1"
            version: 1
            title: Every step named after a Mermaid keyword
            deadline: 10 working days
            data:
              kind: { type: choice, of: [a, b], required: true }
            steps:
              end: { agency: odsc, title: Completeness check, deadline: 1, approve: [graph, subgraph], reject: rejected, return: citizen }
              graph: { agency: subgraph, title: Graph office opinion, deadline: 2, approve: style, return: citizen }
              subgraph: { agency: end, title: End office opinion, deadline: 2, approve: style }
              style: { agency: odsc, title: Join the opinions, deadline: 1, after: all, approve: class }
              class: { agency: style, title: Decide, deadline: 1, approve: [click, flowchart], reject: rejected }
              click: { agency: odsc, title: Issue kind a, deadline: 1, when: "kind == 'a'", approve: approved }
              flowchart:
                agency: "health dept. (central)"
                title: "Issue \"kind b\" <fast> #1; a|b [x] {y} `z`"
                deadline: 1
                when: "kind == 'b'"
                approve: [received]
              received: { agency: health-dept-central, title: "Received\nat the counter", deadline: 1, approve: approved }
            """)]);

    public static WorkflowDefinition Definition => Catalog.Latest.Single();
}

public class when_a_procedure_is_drawn
{
    [Theory]
    [InlineData("enterprise-registration")]
    [InlineData("construction-permit")]
    [InlineData("land-title-transfer")]
    [InlineData("import-licence")]
    [InlineData("accommodation-licence")]
    public void the_mermaid_flowchart_has_a_lane_per_agency_and_every_outcome(string id)
    {
        var definition = Procedures.Get(id);

        var mermaid = Diagram.Mermaid(definition, Procedures.Catalog);

        foreach (var agency in definition.Steps.Select(s => s.Agency).Distinct())
            mermaid.ShouldContain($"subgraph lane_{agency.Replace('-', '_')} [\"{Procedures.Catalog.FindAgency(agency)!.Name}\"]");
        foreach (var step in definition.Steps)
            mermaid.ShouldContain($"    s_{step.Id.Replace('-', '_')}[\"{step.Title}");
        Snapshot.Match(mermaid, SnapshotNameExtension.Create(id));
    }

    [Fact, Trait("Category", "Npm")]
    public void mermaid_parses_every_shipped_procedure_and_one_whose_step_ids_are_all_keywords()
    {
        Keywords.StepIds.ShouldAllBe(id => Keywords.Definition.FindStep(id) != null);
        var diagrams = Procedures.Catalog.Latest.ToDictionary(d => d.Id, d => Diagram.Mermaid(d, Procedures.Catalog));
        diagrams["keywords"] = Diagram.Mermaid(Keywords.Definition, Keywords.Catalog);
        diagrams["keywords"].ShouldContain("s_received[\"Received at the counter<br/>");

        var results = Npm.Check(Npm.Folder("Mermaid", "mermaid", "jsdom"), "parse.mjs", "mmd", diagrams);

        results.Count.ShouldBe(6);
        foreach (var (id, result) in results)
        {
            result.GetProperty("error").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null, $"{id}: {result.GetProperty("error")}");
            result.GetProperty("diagramType").GetString().ShouldBe("flowchart-v2", id);
        }
    }

    [Fact, Trait("Category", "Npm")]
    public void the_mermaid_parser_in_the_test_does_refuse_a_keyword_used_as_a_node_id()
    {
        var results = Npm.Check(Npm.Folder("Mermaid", "mermaid", "jsdom"), "parse.mjs", "mmd",
            new Dictionary<string, string> { ["raw"] = "flowchart TD\n  received --> end\n  end --> approved\n" });

        results["raw"].GetProperty("error").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void a_keyword_step_is_drawn_under_its_title_with_every_outcome()
    {
        var mermaid = Diagram.Mermaid(Keywords.Definition, Keywords.Catalog);
        Snapshot.Match(mermaid);

        mermaid.ShouldContain("  received --> s_end");
        mermaid.ShouldContain("  s_end -->|approve| s_graph");
        mermaid.ShouldContain("  s_class -->|reject| rejected");
        mermaid.ShouldContain("  subgraph lane_end [\"The end office\"]");
        mermaid.ShouldContain("    s_subgraph[\"End office opinion");
    }
}
