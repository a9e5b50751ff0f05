using System.CommandLine;
using Workflow.Cli;

var root = new RootCommand("workflow: tools for process designers, auditors and operators of the interagency routing engine");
root.Subcommands.Add(TokenCommand.Create());
root.Subcommands.Add(ValidateCommand.Create());
root.Subcommands.Add(DueCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(DiagramCommand.Create());
root.Subcommands.Add(DiffCommand.Create());
root.Subcommands.Add(PublishCommand.Create());
root.Subcommands.Add(ImportElsaCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());
root.Subcommands.Add(ReplayCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
return await root.Parse(args).InvokeAsync();
