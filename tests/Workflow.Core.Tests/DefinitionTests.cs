using Workflow.Core.Definitions;

namespace Workflow.Core.Tests;

public class when_the_shipped_procedures_are_loaded
{
    [Fact]
    public void all_five_load_without_a_problem()
    {
        Procedures.Catalog.Latest.Select(d => d.Id).ShouldBe(
            ["accommodation-licence", "construction-permit", "enterprise-registration", "import-licence", "land-title-transfer"]);
    }

    [Fact]
    public void every_step_names_an_agency_of_the_catalogue()
    {
        foreach (var step in Procedures.Catalog.Latest.SelectMany(d => d.Steps))
            Procedures.Catalog.FindAgency(step.Agency).ShouldNotBeNull(step.Id);
    }

    [Fact]
    public void the_hash_changes_with_the_text_but_not_with_line_endings()
    {
        var d = Procedures.Get("enterprise-registration");
        DefinitionParser.HashOf(d.SourceText.Replace("\n", "\r\n")).ShouldBe(d.Hash);
        DefinitionParser.HashOf(d.SourceText.Replace("17 working days", "16 working days")).ShouldNotBe(d.Hash);
    }
}

public class when_a_definition_is_broken
{
    private static IReadOnlyList<DefinitionProblem> Problems(string yaml, string agencies = Procedures.TestAgencies)
    {
        var error = Should.Throw<DefinitionException>(() => WorkflowCatalog.Parse([("agencies.yaml", agencies), ("broken.yaml", yaml)]));
        return error.Problems;
    }

    private static void ShouldReport(IReadOnlyList<DefinitionProblem> problems, int line, string text) =>
        problems.Any(p => p.At.Line == line && p.Message.Contains(text) && p.At.File == "broken.yaml")
            .ShouldBeTrue($"expected line {line}: {text}; got:\n{string.Join("\n", problems)}");

    private const string Header = """
        id: broken
        version: 1
        title: Broken
        deadline: 10 working days
        """;

    [Fact]
    public void a_yaml_syntax_error_is_reported_at_its_line()
    {
        var problems = Problems(Header + "\nsteps:\n  intake: [unclosed\n");
        problems.ShouldHaveSingleItem().Message.ShouldStartWith("YAML syntax");
        problems[0].At.Line.ShouldBeGreaterThanOrEqualTo(6);
    }

    [Fact]
    public void every_structural_problem_is_reported_at_once_with_its_line()
    {
        var problems = Problems("""
            id: broken
            version: one
            title: Broken
            colour: blue
            steps:
              intake:
                agency: odsc
                deadline: soon
                approve: approved
              intake:
                agency: odsc
                deadline: 1 working day
                approve: approved
            """);

        ShouldReport(problems, 1, "has no 'deadline'");
        ShouldReport(problems, 2, "version must be a whole number");
        ShouldReport(problems, 4, "unknown key 'colour'");
        ShouldReport(problems, 8, "'soon' is not a deadline");
        ShouldReport(problems, 10, "'intake' is written twice");
    }

    [Fact]
    public void every_routing_problem_is_reported_at_its_line()
    {
        var problems = Problems(Header + """

            data:
              floor_area: { type: number, required: true }
            steps:
              intake:
                agency: odsc
                deadline: 1 working day
                approve: review
              review:
                agency: ministry-of-magic
                deadline: 2 working days
                when: floor_area >
                approve: [decide, stamp]
              decide:
                agency: a
                when: height > 10
                deadline: 2 working days
                approve: review
              orphan:
                agency: b
                deadline: 1 working day
                approve: approved
            """);

        ShouldReport(problems, 13, "unknown agency 'ministry-of-magic'");
        ShouldReport(problems, 16, "unknown step 'stamp'");
        ShouldReport(problems, 15, "does not parse");
        ShouldReport(problems, 19, "unknown field 'height'");
        ShouldReport(problems, 21, "leads back to itself");
        ShouldReport(problems, 22, "'orphan' is unreachable");
        ShouldReport(problems, 12, "no path from step 'review' ends");
    }

    [Fact]
    public void step_deadlines_beyond_the_legal_deadline_are_reported()
    {
        var problems = Problems(Header + """

            steps:
              intake:
                agency: odsc
                deadline: 1 working day
                approve: review
              review:
                agency: a
                deadline: 11 working days
                approve: approved
            """);

        ShouldReport(problems, 4, "add up to 11 working days");
    }

    [Fact]
    public void a_missing_agency_catalogue_and_a_duplicate_version_are_reported()
    {
        var ok = Header + "\nsteps:\n  intake: { agency: odsc, deadline: 1, approve: approved }\n";
        var error = Should.Throw<DefinitionException>(() => WorkflowCatalog.Parse([("one.yaml", ok), ("two.yaml", ok)]));

        error.Problems.ShouldContain(p => p.Message.Contains("agency catalogue is missing"));
        error.Problems.ShouldContain(p => p.At.File == "two.yaml" && p.Message.Contains("also defined in one.yaml"));
    }

    [Fact]
    public void a_choice_without_values_and_an_unknown_type_are_reported()
    {
        var problems = Problems(Header + """

            data:
              kind: { type: choice, required: true }
              size: { type: huge }
            steps:
              intake: { agency: odsc, deadline: 1, approve: approved }
            """);

        ShouldReport(problems, 6, "lists no values");
        ShouldReport(problems, 7, "unknown type 'huge'");
    }
}
