using System.CommandLine;
using Workflow.Core.Definitions;

namespace Workflow.Cli;

public static class ValidateCommand
{
    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo>("folder") { Description = "the workflows folder", DefaultValueFactory = _ => new DirectoryInfo("workflows") };
        var command = new Command("validate", "Check every definition and the agency catalogue; exit code 0 when clean, 1 otherwise") { folder };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(folder)!.FullName;
            try
            {
                var catalog = WorkflowCatalog.Load(path);
                foreach (var d in catalog.Latest)
                    Console.WriteLine($"ok  {d.Id} v{d.Version}: {d.Steps.Length} steps, {d.DeadlineDays} working days, {d.Hash}");
                return 0;
            }
            catch (DefinitionException e)
            {
                foreach (var problem in e.Problems) Console.Error.WriteLine(Path.Combine(path, problem.ToString()));
                Console.Error.WriteLine($"{e.Problems.Count} problem(s)");
                return 1;
            }
        });
        return command;
    }
}
