using System.CommandLine;
using Workflow.Core.Definitions;

namespace Workflow.Cli;

public static class ImportElsaCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "an Elsa 3 flowchart exported as JSON" };
        var output = new Option<FileInfo?>("--output") { Description = "where to write the definition; default: standard output" };
        var agency = new Option<string>("--agency") { Description = "agency for tasks that name none", DefaultValueFactory = _ => "odsc" };
        var workflows = Connection.Workflows();
        var command = new Command("import-elsa", "Convert an Elsa 3 flowchart into a definition file, reporting what could not be mapped")
            { file, output, agency, workflows };
        command.SetAction(parse =>
        {
            var result = ElsaImport.Convert(File.ReadAllText(parse.GetValue(file)!.FullName), parse.GetValue(agency)!);
            foreach (var note in result.Notes)
                Console.Error.WriteLine($"note: {(note.ActivityId.Length > 0 ? $"activity {note.ActivityId} ({note.Type})" : note.Type)}: {note.Message}");
            var folder = parse.GetValue(workflows)!;
            var files = Directory.GetFiles(folder.FullName, "*.yaml").Where(f => Path.GetFileName(f) == WorkflowCatalog.AgencyFile)
                .Select(f => (Path.GetFileName(f), File.ReadAllText(f))).Append(("imported.yaml", result.Yaml));
            var exit = 0;
            try
            {
                WorkflowCatalog.Parse(files);
            }
            catch (DefinitionException e)
            {
                foreach (var problem in e.Problems) Console.Error.WriteLine($"invalid: {problem}");
                exit = 1;
            }
            if (parse.GetValue(output) is { } path) File.WriteAllText(path.FullName, result.Yaml);
            else Console.Write(result.Yaml);
            return exit;
        });
        return command;
    }
}
