using System.CommandLine;
using Workflow.Cli;
using Workflow.Core.Definitions;

namespace Workflow.Api.Tests;

/// <summary>`workflow import-elsa … --output workflows/x.yaml` writes a file the server will accept, or nothing at all.</summary>
public class when_an_elsa_flowchart_is_imported_into_the_workflows_folder
{
    private readonly string _folder = Directory.CreateTempSubdirectory("import-elsa-").FullName;

    /// <summary>A workflows folder with the shipped agencies and calendars and no procedure yet.</summary>
    public when_an_elsa_flowchart_is_imported_into_the_workflows_folder()
    {
        var shipped = Path.Combine(ApiFixture.RepositoryRoot(), "workflows");
        File.Copy(Path.Combine(shipped, "agencies.yaml"), Path.Combine(_folder, "agencies.yaml"));
        Directory.CreateDirectory(Path.Combine(_folder, "calendars"));
        foreach (var calendar in Directory.GetFiles(Path.Combine(shipped, "calendars")))
            File.Copy(calendar, Path.Combine(_folder, "calendars", Path.GetFileName(calendar)));
    }

    private static string Flowchart(string agency) => $$"""
        { "definitionId": "imported-permit", "name": "Imported permit", "version": 1,
          "root": { "type": "Elsa.Flowchart", "id": "f1",
            "activities": [
              { "id": "start1", "type": "Elsa.Start", "version": 1, "customProperties": { "canStartWorkflow": true } },
              { "id": "task1", "type": "Elsa.RunTask", "version": 1, "name": "Check the site",
                "agency": { "typeName": "String", "expression": { "type": "Literal", "value": "{{agency}}" } } },
              { "id": "end1", "type": "Elsa.End", "version": 1 } ],
            "connections": [
              { "source": { "activity": "start1", "port": "Done" }, "target": { "activity": "task1", "port": "In" } },
              { "source": { "activity": "task1", "port": "Done" }, "target": { "activity": "end1", "port": "In" } } ] } }
        """;

    private int Import(string json, string output)
    {
        var file = Path.Combine(_folder, "..", Path.GetRandomFileName() + ".json");
        File.WriteAllText(file, json);
        return new RootCommand { ImportElsaCommand.Create() }
            .Parse(["import-elsa", file, "--output", output, "--workflows", _folder]).Invoke();
    }

    [Fact]
    public void an_invalid_result_is_not_written_and_the_exit_code_is_1()
    {
        var output = Path.Combine(_folder, "imported-permit.yaml");

        Import(Flowchart("no-such-agency"), output).ShouldBe(1);

        File.Exists(output).ShouldBeFalse();
        WorkflowCatalog.Load(_folder).Latest.ShouldBeEmpty();
    }

    [Fact]
    public void a_valid_result_is_written_and_the_folder_still_loads()
    {
        var output = Path.Combine(_folder, "imported-permit.yaml");

        Import(Flowchart("monre-land-office"), output).ShouldBe(0);

        WorkflowCatalog.Load(_folder).Find("imported-permit")!.Steps.Select(s => s.Agency).ShouldBe(["odsc", "monre-land-office"]);
    }

    [Fact]
    public void a_file_nested_too_deep_is_refused_with_exit_code_2_and_nothing_written()
    {
        var output = Path.Combine(_folder, "deep.yaml");

        Import("{\"root\":" + new string('[', 40_000) + new string(']', 40_000) + "}", output).ShouldBe(2);

        File.Exists(output).ShouldBeFalse();
    }
}
