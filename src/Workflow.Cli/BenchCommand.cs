namespace Workflow.Cli; public static class BenchCommand { public static System.CommandLine.Command Create() => new("bench", "todo"); }
