using System.Text.Json;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Design;

namespace Workflow.Design.Tests;

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
        var start = Procedures.Lao(2024, 6, 3, 9);
        SimulationResult Walk(int amount) => Simulation.Run(Definition, Procedures.Catalog.Calendars.ForCentre("VTE", start),
            Procedures.Data(new() { ["amount"] = amount, ["category"] = "food" }), start);

        var big = Walk(5000);
        big.Steps.Select(s => s.StepId).ShouldBe(["intake", "check-the-file", "health-opinion", "tax-clearance", "issue-the-licence"]);
        big.Skipped.ShouldBe(["simple-approval"]);

        var small = Walk(10);
        small.Steps.Select(s => s.StepId).ShouldBe(["intake", "check-the-file", "simple-approval"]);
        small.Status.ShouldBe("approved");
    }

    [Fact]
    public void the_legal_deadline_covers_the_steps_own_deadlines_on_the_longest_path()
    {
        var result = ElsaImport.Convert("""
            { "definitionId": "long-review", "name": "Long review", "version": 1,
              "root": { "type": "Elsa.Flowchart", "id": "f1",
                "activities": [
                  { "id": "start1", "type": "Elsa.Start", "version": 1, "customProperties": { "canStartWorkflow": true } },
                  { "id": "quick", "type": "Elsa.RunTask", "version": 1, "name": "Quick look",
                    "agency": { "typeName": "String", "expression": { "type": "Literal", "value": "a" } } },
                  { "id": "review", "type": "Elsa.RunTask", "version": 1, "name": "Full review",
                    "agency": { "typeName": "String", "expression": { "type": "Literal", "value": "b" } },
                    "deadlineDays": { "typeName": "Int32", "expression": { "type": "Literal", "value": "20" } } },
                  { "id": "end1", "type": "Elsa.End", "version": 1 } ],
                "connections": [
                  { "source": { "activity": "start1", "port": "Done" }, "target": { "activity": "quick", "port": "In" } },
                  { "source": { "activity": "quick", "port": "Done" }, "target": { "activity": "review", "port": "In" } },
                  { "source": { "activity": "review", "port": "Done" }, "target": { "activity": "end1", "port": "In" } } ] } }
            """);

        var definition = Procedures.Parse(result.Yaml);

        definition.DeadlineDays.ShouldBe(25, "5 working days of the quick look (the default) and the review's own 20");
    }
}

/// <summary>Ten workflow files from the Elsa project's own tests (see Elsa/elsa-core/README.md).</summary>
public class when_real_elsa_files_are_imported
{
    public static readonly TheoryData<string> Files =
        new(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Elsa", "elsa-core"), "*.json")
            .Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    private static ElsaImportResult Import(string file, params string[] stepTypes) =>
        ElsaImport.Convert(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Elsa", "elsa-core", file)),
            stepTypes: stepTypes.Length == 0 ? null : stepTypes);

    private static WorkflowDefinition Valid(ElsaImportResult result) =>
        WorkflowCatalog.Parse([("agencies.yaml", Procedures.TestAgencies), ("imported.yaml", result.Yaml)]).Latest.Single();

    [Fact]
    public void there_are_ten_of_them() => Files.Count.ShouldBe(10);

    [Theory]
    [MemberData(nameof(Files))]
    public void each_becomes_a_valid_definition_whether_its_activities_are_steps_or_not(string file)
    {
        var plain = Import(file);
        plain.Yaml.ShouldNotContain("approve: []");
        Valid(plain).Start.Approve.ShouldNotBeEmpty();

        var lines = Import(file, "Elsa.WriteLine");
        lines.Yaml.ShouldNotContain("approve: []");
        var definition = Valid(lines);
        definition.Steps.Length.ShouldBeGreaterThan(1, file);
    }

    [Fact]
    public void fork_and_join_become_a_parallel_split_and_a_step_that_waits_for_all()
    {
        var d = Valid(Import("join-all-1.json", "Elsa.WriteLine"));

        var start = d.Steps.Single(s => s.Title == "Start");
        d.Start.Approve.ShouldBe([start.Id]);
        start.Approve.Select(t => d.FindStep(t)!.Title).Order().ShouldBe(["Line 1", "Line 2"]);
        var end = d.Steps.Single(s => s.Title == "End");
        end.After.ShouldBe(JoinRule.All);
        d.Predecessors(end.Id).Select(s => s.Title).Order().ShouldBe(["Line 1", "Line 2"]);
    }

    [Fact]
    public void a_javascript_condition_becomes_a_named_yes_no_field_and_never_a_field_called_return()
    {
        var result = Import("fork-decision-join-waitall.json", "Elsa.WriteLine");
        var d = Valid(result);

        d.Data.Select(f => f.Name).ShouldBe(["decision_1"]);
        d.FindField("decision_1")!.Type.ShouldBe(FieldType.YesNo);
        d.FindField("decision_1")!.Title!.ShouldContain("return false;");
        d.Steps.Single(s => s.Title == "E").When.ShouldBe("decision_1");
        result.Notes.ShouldContain(n => n.ActivityId == "35c0f40b240666c6" && n.Message.Contains("'return false;' (JavaScript)"));
        result.Notes.ShouldContain(n => n.ActivityId == "cfffbc06a0b6eeb0" && n.Type == "Elsa.Fault");
    }

    [Fact]
    public void activities_inside_a_parallel_for_each_or_a_nested_flowchart_are_kept_in_place_with_a_note()
    {
        var forEach = Import("workflow6.json", "Elsa.WriteLine");
        var d = Valid(forEach);
        var start = d.Steps.Single(s => s.Title == "Start");
        var body = d.FindStep(start.Approve.Single())!;
        body.Title.ShouldStartWith("`Current fruit");
        d.FindStep(body.Approve.Single())!.Title.ShouldBe("End");
        forEach.Notes.ShouldContain(n => n.Type == "Elsa.ParallelForEach" && n.Message.Contains("once per item"));

        var nested = Import("join-all-2.json", "Elsa.WriteLine");
        var inner = Valid(nested).Steps.Single(s => s.Title == "Line 2");
        Valid(nested).FindStep(inner.Approve.Single())!.Title.ShouldBe("End");
        nested.Notes.ShouldContain(n => n.ActivityId == "eHAEEQ-Iu0GwM3mRxZin0Q" && n.Message.Contains("nested flowchart"));
    }

    [Fact]
    public void a_loop_is_cut_and_reported_because_a_procedure_flows_forward()
    {
        var result = Import("implicit-loop.json", "Elsa.WriteLine");

        Valid(result).Steps.Single(s => s.Title == "Retry").Approve.ShouldBe([WorkflowDefinition.Approved]);
        result.Notes.ShouldContain(n => n.ActivityId == "WriteLine2" && n.Message.Contains("loops back to activity WriteLine1"));
        result.Notes.ShouldContain(n => n.ActivityId == "FlowDecision1" && n.Message.Contains("getCounter() > 1"));
    }

    [Fact]
    public void a_trigger_with_no_counterpart_is_reported_and_bridged()
    {
        var result = Import("timer-workflow.json", "Elsa.WriteLine");

        Valid(result).Start.Approve.Select(t => Valid(result).FindStep(t)!.Title).ShouldBe(["Hello from timer"]);
        result.Notes.ShouldContain(n => n.ActivityId == "89ab56281a99239" && n.Type == "Elsa.Timer");
    }
}

public class when_an_elsa_file_is_too_deep_or_too_large
{
    [Fact]
    public void forty_kilobytes_of_nesting_give_a_clear_error()
    {
        var deep = "{\"root\":" + new string('[', 40_000) + new string(']', 40_000) + "}";

        var error = Should.Throw<ElsaImportException>(() => ElsaImport.Convert(deep));

        error.Message.ShouldContain($"nested more than {ElsaImport.MaxDepth} levels deep");
        error.Message.ShouldContain("line 1");
    }

    [Fact]
    public void a_file_over_the_size_limit_is_refused_before_it_is_read()
    {
        var large = "{\"name\":\"" + new string('x', ElsaImport.MaxLength) + "\"}";

        Should.Throw<ElsaImportException>(() => ElsaImport.Convert(large)).Message.ShouldContain("characters");
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("{\"root\": {\"activities\": [{\"id\": 5}], \"connections\": [{\"source\": 1}]}}")]
    public void malformed_input_gives_a_clear_error_or_a_note_never_a_crash(string json)
    {
        try
        {
            ElsaImport.Convert(json).Notes.ShouldNotBeEmpty();
        }
        catch (ElsaImportException e)
        {
            e.Message.ShouldNotBeNullOrWhiteSpace();
        }
    }
}
