using System.CommandLine;
using System.Text.Json;
using Workflow.Core.Definitions;

namespace Workflow.Cli;

/// <summary>
/// Checks folders and single definition files. Nothing is reported as valid that was not checked: a path that does
/// not exist is an error, and a single file is checked against an agency catalogue and calendars (its own folder's,
/// else those of --workflows or ./workflows) or reported as not checkable.
/// </summary>
public static class ValidateCommand
{
    private sealed record Finding(string File, int Line, int Column, string Message, string? Hint);

    public static Command Create()
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "workflows folders, or definition files (checked with the agencies and calendars of their folder, " +
                          "else of --workflows or ./workflows)",
            DefaultValueFactory = _ => ["workflows"],
        };
        var json = new Option<bool>("--json") { Description = "print the problems as JSON: file, line, column, message, hint" };
        var workflows = new Option<DirectoryInfo?>("--workflows")
        {
            Description = "the folder whose agencies.yaml and calendars/ files outside a workflows folder are checked against",
        };
        var command = new Command("validate",
            "Check definitions, the agency catalogue and the calendars; exit code 0 when clean, 1 otherwise, 2 when a path does not exist")
            { paths, json, workflows };
        command.SetAction(parse =>
        {
            var findings = new List<Finding>();
            var loaded = new List<WorkflowDefinition>();
            var given = parse.GetValue(paths)!.Select(Path.GetFullPath).ToList();
            if (given.FirstOrDefault(p => !File.Exists(p) && !Directory.Exists(p)) is { } missing)
                throw new CommandError(parse.GetResult(paths) is { Implicit: true }
                    ? "There is no workflows folder here: name the folders or files to check."
                    : $"{missing}: no such file or folder");

            // A calendar file is read only with the definitions that count on it: its whole workflows folder is checked.
            string WorkflowsOf(string file) => Path.GetDirectoryName(Path.GetDirectoryName(file))!;
            bool IsCalendar(string file) => Path.GetFileName(Path.GetDirectoryName(file)) == WorkflowCatalog.CalendarFolder &&
                                            File.Exists(Path.Combine(WorkflowsOf(file), WorkflowCatalog.AgencyFile));
            var folders = given.Where(Directory.Exists)
                .Concat(given.Where(f => File.Exists(f) && IsCalendar(f)).Select(WorkflowsOf)).Distinct();
            foreach (var folder in folders)
                Check(() => WorkflowCatalog.Load(folder), name => Path.Combine(folder, name), findings, loaded);

            foreach (var group in given.Where(f => File.Exists(f) && !IsCalendar(f)).GroupBy(f => Context(f, parse.GetValue(workflows))))
            {
                var files = group.ToList();
                if (group.Key is not { } context)
                {
                    // The file can still be read on its own, but its agencies cannot be checked: say so, never "ok".
                    foreach (var file in files)
                    {
                        var problems = new List<DefinitionProblem>();
                        DefinitionParser.ParseDefinition(Path.GetFileName(file), File.ReadAllText(file), problems);
                        findings.AddRange(problems.Select(p => new Finding(file, p.At.Line, p.At.Column, p.Message, p.Hint)));
                        findings.Add(new Finding(file, 0, 0,
                            "not checked against an agency catalogue: there is no agencies.yaml beside it",
                            "pass --workflows <folder>, or run from a folder that has workflows/"));
                    }
                    continue;
                }
                var names = files.GroupBy(Path.GetFileName).ToDictionary(g => g.Key!, g => g.First());
                Check(() => Catalogue(context, files), name => names.GetValueOrDefault(name) ?? Path.Combine(context, name),
                    findings, loaded);
            }

            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(findings,
                    new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
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

    private static void Check(Func<WorkflowCatalog> load, Func<string, string> pathOf, List<Finding> findings,
        List<WorkflowDefinition> loaded)
    {
        try
        {
            loaded.AddRange(load().Latest);
        }
        catch (DefinitionException e)
        {
            findings.AddRange(e.Problems.Select(p => new Finding(pathOf(p.At.File), p.At.Line, p.At.Column, p.Message, p.Hint)));
        }
    }

    /// <summary>The folder whose agencies and calendars a single file is checked with, or null when there is none.</summary>
    private static string? Context(string file, DirectoryInfo? named)
    {
        if (named is not null)
            return named.Exists ? named.FullName : throw new CommandError($"{named.FullName}: no such folder");
        return new[] { Path.GetDirectoryName(file)!, Path.GetFullPath("workflows") }
            .FirstOrDefault(d => File.Exists(Path.Combine(d, WorkflowCatalog.AgencyFile)));
    }

    /// <summary>The given files with the agencies and calendars of <paramref name="context"/>; their siblings are not read.</summary>
    private static WorkflowCatalog Catalogue(string context, IReadOnlyList<string> files)
    {
        var texts = files.Select(f => (Path.GetFileName(f), File.ReadAllText(f)))
            .Where(f => f.Item1 != WorkflowCatalog.AgencyFile)
            .Prepend((WorkflowCatalog.AgencyFile, File.ReadAllText(Path.Combine(context, WorkflowCatalog.AgencyFile))));
        var calendars = Path.Combine(context, WorkflowCatalog.CalendarFolder);
        var calendarFiles = Directory.Exists(calendars)
            ? Directory.EnumerateFiles(calendars)
                .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .Select(f => ($"{WorkflowCatalog.CalendarFolder}/{Path.GetFileName(f)}", File.ReadAllText(f))).ToList()
            : [];
        return WorkflowCatalog.Parse(texts, calendarFiles);
    }
}
