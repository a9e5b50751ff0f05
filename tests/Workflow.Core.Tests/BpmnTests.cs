using System.Diagnostics;
using System.Text.Json;
using Workflow.Core.Definitions;

namespace Workflow.Core.Tests;

public class when_a_procedure_is_exported_as_bpmn
{
    private static string Run(string program, string folder, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, $"{program} {string.Join(' ', args)}: {error.Result}");
        return output.Result;
    }

    /// <summary>bpmn-moddle, the reader behind the bpmn.io modelling tools, installed from npm on first use.</summary>
    private static string Checker()
    {
        var folder = Path.Combine(Procedures.RepositoryRoot(), "tests", "Workflow.Core.Tests", "Bpmn");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "bpmn-moddle")))
            Run("npm", folder, "ci", "--no-audit", "--no-fund");
        return folder;
    }

    [Fact]
    public void every_procedure_is_read_by_a_standard_bpmn_library_without_warnings_with_one_task_per_step()
    {
        var output = Directory.CreateTempSubdirectory("bpmn-").FullName;
        var files = Procedures.Catalog.Latest.ToDictionary(d => Path.Combine(output, $"{d.Id}.bpmn"), d => d);
        foreach (var (file, definition) in files) File.WriteAllText(file, Bpmn.Export(definition, Procedures.Catalog));

        var folder = Checker();
        var results = JsonDocument.Parse(Run("node", folder, ["check.mjs", .. files.Keys]).Trim()).RootElement;

        results.GetArrayLength().ShouldBe(5);
        foreach (var result in results.EnumerateArray())
        {
            var definition = files[result.GetProperty("file").GetString()!];
            result.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()).ShouldBeEmpty(definition.Id);
            result.GetProperty("tasks").GetInt32().ShouldBe(definition.Steps.Length, definition.Id);
            result.GetProperty("diagrams").GetInt32().ShouldBe(1);
        }
    }

    [Fact]
    public void lanes_gateways_and_deadline_timers_are_there()
    {
        var xml = Bpmn.Export(Procedures.Get("construction-permit"), Procedures.Catalog);

        xml.ShouldContain("<bpmn:lane id=\"Lane_monre-land-office\" name=\"District Land Office\">");
        xml.ShouldNotContain("<bpmn:parallelGateway id=\"Join_site-inspection\"");
        xml.ShouldContain("<bpmn:inclusiveGateway id=\"Join_site-inspection\"");
        xml.ShouldContain("<bpmn:exclusiveGateway id=\"Split_site-inspection\"");
        xml.ShouldContain("<bpmn:timeDuration xsi:type=\"bpmn:tFormalExpression\">P10D</bpmn:timeDuration>");
    }
}
