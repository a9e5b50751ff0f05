using System.CommandLine;
using Workflow.Core.Definitions;
using Workflow.Design;

namespace Workflow.Cli;

public static class ImportElsaCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "an Elsa 3 flowchart exported as JSON" };
        var output = new Option<FileInfo?>("--output")
        {
            Description = "where to write the definition (only when it is valid); default: standard output",
        };
        var agency = new Option<string>("--agency") { Description = "agency for tasks that name none", DefaultValueFactory = _ => "odsc" };
        var stepTypes = new Option<string[]>("--step-type")
        {
            Description = "Elsa activity types that are steps (repeatable); default: " +
                          $"{string.Join(", ", ElsaImport.DefaultStepTypes)} and any activity with an agency input",
            AllowMultipleArgumentsPerToken = true,
        };
        var workflows = Connection.Workflows();
        var command = new Command("import-elsa", "Convert an Elsa 3 flowchart into a definition file, reporting what could not be mapped")
            { file, output, agency, stepTypes, workflows };
        command.SetAction(async (parse, cancellation) =>
        {
            var source = parse.GetValue(file)!;
            if (!source.Exists)
            {
                Console.Error.WriteLine($"{source.FullName}: no such file");
                return 2;
            }
            if (source.Length > ElsaImport.MaxLength)
            {
                Console.Error.WriteLine(
                    $"{source.FullName}: {source.Length:N0} bytes; an Elsa flowchart of up to {ElsaImport.MaxLength:N0} is read");
                return 2;
            }
            ElsaImportResult result;
            try
            {
                var types = parse.GetValue(stepTypes) is { Length: > 0 } named ? named : null;
                result = ElsaImport.Convert(File.ReadAllText(source.FullName), parse.GetValue(agency)!, stepTypes: types);
            }
            catch (ElsaImportException e)
            {
                Console.Error.WriteLine($"{source.FullName}: {e.Message}");
                return 2;
            }
            foreach (var note in result.Notes)
                Console.Error.WriteLine(
                    $"note: {(note.ActivityId.Length > 0 ? $"activity {note.ActivityId} ({note.Type})" : note.Type)}: {note.Message}");

            // Checked exactly as the server will read it, beside the folder's agency catalogue: an invalid file in
            // workflows/ would stop the next server start, so only a valid one is written.
            var folder = parse.GetValue(workflows)!;
            var agencies = Directory.Exists(folder.FullName)
                ? Directory.GetFiles(folder.FullName, WorkflowCatalog.AgencyFile)
                    .Select(f => (Path.GetFileName(f), File.ReadAllText(f))).ToList()
                : [];
            try
            {
                WorkflowCatalog.Parse(agencies.Append(("imported.yaml", result.Yaml)));
            }
            catch (DefinitionException e)
            {
                foreach (var problem in e.Problems) Console.Error.WriteLine($"invalid: {problem}");
                // Nothing goes where a definition is expected (the file, or standard output that may be redirected into
                // one); the text is shown on the error stream so the designer sees what the problems point at.
                Console.Error.WriteLine(parse.GetValue(output) is { } skipped
                    ? $"nothing written to {skipped.FullName}: the imported definition is not valid; it would read:"
                    : "the imported definition is not valid; it would read:");
                Console.Error.Write(result.Yaml);
                return 1;
            }
            if (parse.GetValue(output) is { } path) await OutputFile.WriteTextAsync(path, result.Yaml, cancellation);
            else Console.Write(result.Yaml);
            return 0;
        });
        return command;
    }
}
