using System.CommandLine;
using Workflow.Core.Definitions;
using Workflow.Design;

namespace Workflow.Cli;

public static class DiffCommand
{
    public static Command Create()
    {
        var before = new Argument<FileInfo>("before") { Description = "the earlier definition file" };
        var after = new Argument<FileInfo>("after") { Description = "the later definition file" };
        var command = new Command("diff",
            "The semantic difference between two versions of a procedure (steps, deadlines, agencies, conditions, outcomes); " +
            "exit code 0, 1 when a file is not a valid definition, 2 when a file does not exist") { before, after };
        command.SetAction(parse =>
        {
            var problems = new List<DefinitionProblem>();
            WorkflowDefinition? Read(FileInfo file) => file.Exists
                ? DefinitionParser.ParseDefinition(file.Name, File.ReadAllText(file.FullName), problems)
                : throw new CommandError($"{file.FullName}: no such file");
            var (a, b) = (Read(parse.GetValue(before)!), Read(parse.GetValue(after)!));
            if (a is null || b is null || problems.Count > 0)
            {
                foreach (var p in problems) Console.Error.WriteLine(p);
                return 1;
            }
            var changes = DefinitionDiff.Compare(a, b);
            foreach (var change in changes) Console.WriteLine(change);
            if (changes.Count == 0) Console.WriteLine("no difference in the rules");
            return 0;
        });
        return command;
    }
}
