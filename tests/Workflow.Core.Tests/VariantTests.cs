using Workflow.Core.Definitions;

namespace Workflow.Core.Tests;

/// <summary>
/// A national standard with a required completeness check and review, and an optional inspection; local variants
/// (rule 16 of Core/README.md) are written against it in files of their own.
/// </summary>
public class when_a_centre_runs_a_local_variant_of_a_national_standard
{
    private const string Standard = """
        id: national
        version: 1
        title: National standard
        deadline: 12 working days
        steps:
          intake:
            agency: odsc
            deadline: 1 working day
            required: true
            approve: review
          review:
            agency: a
            deadline: 6 working days
            required: true
            approve: inspection
            reject: rejected
          inspection:
            agency: b
            deadline: 5 working days
            approve: approved
        """;

    /// <summary>Shorter legal deadline, the inspection left out (it is not required), the review at another agency, a step added.</summary>
    private const string Local = """
        id: local
        version: 1
        title: Local variant
        extends: national
        centres: [LPB, XKH]
        deadline: 10 working days
        steps:
          intake:
            agency: odsc
            deadline: 1 working day
            approve: review
          review:
            agency: c
            deadline: 5 working days
            approve: handover
            reject: rejected
          handover:
            agency: odsc
            deadline: 1 working day
            approve: approved
        """;

    private static WorkflowCatalog Load(params (string Name, string Text)[] files) =>
        WorkflowCatalog.Parse([("agencies.yaml", Procedures.TestAgencies), .. files]);

    private static IReadOnlyList<DefinitionProblem> Problems(params (string Name, string Text)[] files) =>
        Should.Throw<DefinitionException>(() => Load(files)).Problems;

    private static void ShouldReport(IReadOnlyList<DefinitionProblem> problems, string file, int line, string text) =>
        problems.Any(p => p.At.File == file && p.At.Line == line && p.Message.Contains(text))
            .ShouldBeTrue($"expected {file}:{line}: {text}; got:\n{string.Join("\n", problems)}");

    [Fact]
    public void a_variant_that_shortens_adds_and_changes_agencies_loads_beside_its_standard()
    {
        var catalog = Load(("national.yaml", Standard), ("local.yaml", Local));

        var local = catalog.Find("local")!;
        local.Extends.ShouldBe("national");
        local.Centres.ShouldBe(["LPB", "XKH"]);
        catalog.Find("national")!.Steps.Where(s => s.Required).Select(s => s.Id).ShouldBe(["intake", "review"]);
        Variants.AppliesAt(local, "LPB").ShouldBeTrue();
        Variants.AppliesAt(local, "VTE").ShouldBeFalse();
        Variants.AppliesAt(catalog.Find("national")!, "VTE").ShouldBeTrue();
    }

    [Fact]
    public void a_longer_legal_deadline_is_reported_at_the_variants_deadline()
    {
        var problems = Problems(("national.yaml", Standard), ("local.yaml", Local.Replace("deadline: 10 working days", "deadline: 13 working days")));

        ShouldReport(problems, "local.yaml", 6, "the legal deadline of 13 working days is longer than the 12 of the standard 'national'");
    }

    [Fact]
    public void a_longer_step_deadline_is_reported_at_that_step()
    {
        var problems = Problems(("national.yaml", Standard),
            ("local.yaml", Local.Replace("deadline: 5 working days", "deadline: 7 working days")));

        ShouldReport(problems, "local.yaml", 14, "step 'review' takes 7 working days, longer than the 6 of the standard 'national'");
    }

    [Fact]
    public void leaving_out_a_required_step_is_reported_and_leaving_out_an_optional_one_is_not()
    {
        var withoutReview = """
            id: local
            version: 1
            title: Local variant
            extends: national
            centres: [LPB]
            deadline: 10 working days
            steps:
              intake:
                agency: odsc
                deadline: 1 working day
                approve: approved
            """;

        var problems = Problems(("national.yaml", Standard), ("local.yaml", withoutReview));

        ShouldReport(problems, "local.yaml", 7, "step 'review' is left out, but the standard 'national' marks it required");
        problems.ShouldNotContain(p => p.Message.Contains("'inspection'"));
        problems.ShouldNotContain(p => p.Message.Contains("'intake'"));
    }

    [Fact]
    public void a_step_required_by_the_national_standard_stays_required_in_a_variant_of_a_variant()
    {
        var centre = """
            id: centre
            version: 1
            title: One centre's variant of the province's
            extends: local
            centres: [XKH]
            deadline: 9 working days
            steps:
              intake:
                agency: odsc
                deadline: 1 working day
                approve: handover
              handover:
                agency: odsc
                deadline: 1 working day
                approve: approved
            """;

        var problems = Problems(("national.yaml", Standard), ("local.yaml", Local.Replace("[LPB, XKH]", "[LPB]")), ("centre.yaml", centre));

        ShouldReport(problems, "centre.yaml", 7, "step 'review' is left out, but the standard 'local' marks it required");
    }

    [Fact]
    public void extending_an_unknown_procedure_is_reported_at_extends()
    {
        var problems = Problems(("local.yaml", Local));

        ShouldReport(problems, "local.yaml", 4, "'local' extends unknown procedure 'national'");
    }

    [Fact]
    public void a_cycle_of_extends_is_reported_in_each_file_of_it()
    {
        var national = Standard.Replace("deadline: 12 working days", "deadline: 12 working days\nextends: local\ncentres: [VTE]");

        var problems = Problems(("national.yaml", national), ("local.yaml", Local));

        ShouldReport(problems, "local.yaml", 4, "extends forms a cycle: local -> national -> local");
        ShouldReport(problems, "national.yaml", 5, "extends forms a cycle: national -> local -> national");
    }

    [Fact]
    public void a_procedure_that_extends_itself_is_reported()
    {
        var problems = Problems(("national.yaml", Standard), ("local.yaml", Local.Replace("extends: national", "extends: local")));

        ShouldReport(problems, "local.yaml", 4, "'local' extends itself");
    }

    [Fact]
    public void two_variants_of_one_standard_cannot_both_claim_a_centre()
    {
        var other = Local.Replace("id: local", "id: other").Replace("[LPB, XKH]", "[XKH]");

        var problems = Problems(("national.yaml", Standard), ("local.yaml", Local), ("other.yaml", other));

        ShouldReport(problems, "other.yaml", 5, "centre XKH already runs 'local', another variant of 'national'");
    }

    [Fact]
    public void centres_belong_to_variants_and_are_centre_codes()
    {
        ShouldReport(Problems(("national.yaml", Standard.Replace("title: National standard", "title: National standard\ncentres: [LPB]"))),
            "national.yaml", 4, "only a local variant names centres");
        ShouldReport(Problems(("national.yaml", Standard), ("local.yaml", Local.Replace("centres: [LPB, XKH]\n", ""))),
            "local.yaml", 4, "a local variant names the centres it applies to");
        ShouldReport(Problems(("national.yaml", Standard), ("local.yaml", Local.Replace("[LPB, XKH]", "[luang-prabang]"))),
            "local.yaml", 5, "'luang-prabang' is not a centre code");
    }
}
