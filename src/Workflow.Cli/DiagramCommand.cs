using System.CommandLine;
using Workflow.Core.Definitions;
using Workflow.Design;

namespace Workflow.Cli;

public static class DiagramCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "procedure id" };
        var format = new Option<string>("--format")
        {
            Description = "mermaid, bpmn (BPMN 2.0 XML with lanes and layout) or svg (a drawing of the same layout)",
            DefaultValueFactory = _ => "mermaid",
        };
        format.AcceptOnlyFromAmong("mermaid", "bpmn", "svg");
        var workflows = Connection.Workflows();
        var command = new Command("diagram",
            "Draw a procedure: a Mermaid flowchart, BPMN 2.0 XML or an SVG drawing, with one lane per agency")
        {
            id, format, workflows,
        };
        command.SetAction(parse =>
        {
            var catalog = WorkflowCatalog.Load(parse.GetValue(workflows)!.FullName);
            if (catalog.Find(parse.GetValue(id)!) is not { } definition)
            {
                var known = string.Join(", ", catalog.Latest.Select(d => d.Id));
                Console.Error.WriteLine($"'{parse.GetValue(id)}' is not a procedure; known: {known}");
                return 2;
            }
            Console.Write(parse.GetValue(format) switch
            {
                "bpmn" => Bpmn.Export(definition, catalog) + Environment.NewLine,
                "svg" => Diagram.Svg(definition, catalog) + Environment.NewLine,
                _ => Diagram.Mermaid(definition, catalog),
            });
            return 0;
        });
        return command;
    }
}
