using System.CommandLine;
using System.Text.Json;
using Workflow.Core.Definitions;

namespace Workflow.Cli;

public static class ValidateCommand
{
    private sealed record Finding(string File, int Line, int Column, string Message, string? Hint);

    public static Command Create()
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "workflows folders, or definition files (checked with the agencies and calendars of their folder)",
            DefaultValueFactory = _ => ["workflows"],
        };
        var json = new Option<bool>("--json") { Description = "print the problems as JSON: file, line, column, message, hint" };
        var command = new Command("validate", "Check definitions, the agency catalogue and the calendars; exit code 0 when clean, 1 otherwise") { paths, json };
        command.SetAction(parse =>
        {
            var findings = new List<Finding>();
            var loaded = new List<WorkflowDefinition>();
            foreach (var group in parse.GetValue(paths)!.Select(Path.GetFullPath).GroupBy(p => Directory.Exists(p) ? p : Path.GetDirectoryName(p)!))
            {
                var onlyFiles = group.Where(p => !Directory.Exists(p)).Select(Path.GetFileName).ToHashSet();
                try
                {
                    var catalog = WorkflowCatalog.Load(group.Key);
                    loaded.AddRange(catalog.Latest.Where(d => onlyFiles.Count == 0 || onlyFiles.Contains(d.Source.File)));
                }
                catch (DefinitionException e)
                {
                    findings.AddRange(e.Problems
                        .Where(p => onlyFiles.Count == 0 || onlyFiles.Contains(p.At.File) || p.At.File == WorkflowCatalog.AgencyFile)
                        .Select(p => new Finding(Path.Combine(group.Key, p.At.File), p.At.Line, p.At.Column, p.Message, p.Hint)));
                }
            }
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(findings, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
            else if (findings.Count == 0)
                foreach (var d in loaded)
                    Console.WriteLine($"ok  {d.Id} v{d.Version}: {d.Steps.Length} steps, {d.DeadlineDays} working days, {d.Hash}");
            else
            {
                foreach (var f in findings)
                    Console.Error.WriteLine($"{f.File}:{f.Line}:{f.Column}: {f.Message}{(f.Hint is null ? "" : $" (hint: {f.Hint})")}");
                Console.Error.WriteLine($"{findings.Count} problem(s)");
            }
            return findings.Count == 0 ? 0 : 1;
        });
        return command;
    }
}
