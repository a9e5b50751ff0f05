using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Design;

namespace Workflow.Cli;

public static class SimulateCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "procedure id, e.g. enterprise-registration" };
        var data = new Option<string[]>("--data")
            { Description = "a JSON file of application data, or field=value pairs", AllowMultipleArgumentsPerToken = true };
        var start = new Option<string>("--start")
        {
            Description = "when the application is received: a date (09:00 that day) or an instant",
            DefaultValueFactory = _ => DateTime.Today.ToString("yyyy-MM-dd"),
        };
        var outcomes = new Option<string?>("--outcomes") { Description = "outcomes other than approve, e.g. register=return,seal=reject" };
        var allPaths = new Option<bool>("--all-paths")
            { Description = "list every path with its step deadlines against the legal deadline" };
        var centre = new Option<string>("--centre")
            { Description = "centre whose calendar counts the days", DefaultValueFactory = _ => "VTE" };
        var workflows = Connection.Workflows(orStore: true);
        var connection = Connection.Option();
        var command = new Command("simulate",
                "Walk a procedure with the real decider and calendar: the path, each step's due date, the working days used")
            { id, data, start, outcomes, allPaths, centre, workflows, connection };
        command.SetAction(async (parse, cancellation) =>
        {
            var catalog = await Connection.CatalogueAsync(parse, workflows, connection, cancellation);
            var definition = catalog.Find(parse.GetValue(id)!);
            if (definition is null)
            {
                var known = string.Join(", ", catalog.Latest.Select(d => d.Id));
                Console.Error.WriteLine($"'{parse.GetValue(id)}' is not a procedure; known: {known}");
                return 2;
            }
            if (parse.GetValue(allPaths))
            {
                var paths = Paths.All(definition, Paths.MaxListed + 1);
                foreach (var path in paths.Take(Paths.MaxListed)) Console.WriteLine(Simulation.Describe(path, definition));
                if (paths.Count > Paths.MaxListed)
                    Console.WriteLine($"only the first {Paths.MaxListed} paths are listed: the procedure has more " +
                                      "(validate checks the longest of them all against the legal deadline)");
                Console.WriteLine($"legal deadline: {definition.DeadlineDays} working days after the completeness check");
                return 0;
            }

            if (Outcomes(parse.GetValue(outcomes), definition, out var chosen) is { } wrong)
            {
                Console.Error.WriteLine($"--outcomes: {wrong}");
                return 2;
            }
            var calendarId = catalog.Calendars.ForCentre(parse.GetValue(centre)!, DateTimeOffset.UtcNow).Id;
            if (!catalog.Calendars.TryParseStart(parse.GetValue(start)!, calendarId, out var received))
            {
                Console.Error.WriteLine($"--start: '{parse.GetValue(start)}' is not a date or an instant from the year " +
                                        $"{Workflow.Core.Calendars.CalendarCatalog.FirstYear} to {Workflow.Core.Calendars.CalendarCatalog.LastYear}");
                return 2;
            }
            if (parse.GetValue(start)!.Length == 10) received = received.AddHours(9);
            var calendar = catalog.Calendars.ForCentre(parse.GetValue(centre)!, received);
            try
            {
                var result = Simulation.Run(definition, calendar, Data(definition, parse.GetValue(data) ?? []), received, chosen);
                Console.WriteLine($"{definition.Id} v{definition.Version} received {received:yyyy-MM-dd HH:mm zzz} on {calendar.Version}");
                foreach (var s in result.Steps)
                    Console.WriteLine($"  {s.StepId,-26} {s.Agency,-30} opened {s.OpenedAt:yyyy-MM-dd HH:mm}  " +
                                      $"due {s.DueAt:yyyy-MM-dd HH:mm} ({s.WorkingDays} wd)  {s.Outcome}");
                if (result.Skipped.Count > 0) Console.WriteLine($"  skipped: {string.Join(", ", result.Skipped)}");
                Console.WriteLine(Simulation.Summary(result, definition, calendar));
                return result.WithinLegalDeadline ? 0 : 1;
            }
            catch (InvalidApplicationData e)
            {
                foreach (var error in e.Errors) Console.Error.WriteLine($"{error.Field}: {error.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>step=outcome pairs, each step of the procedure and each outcome by its name; returns what is wrong, or null.</summary>
    private static string? Outcomes(string? text, WorkflowDefinition definition, out Dictionary<string, StepOutcome> chosen)
    {
        chosen = [];
        foreach (var pair in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (step, name) = pair.Split('=', 2) is [var s, var o] ? (s.Trim(), o.Trim()) : (pair, "approve");
            if (definition.FindStep(step) is null)
                return $"'{step}' is not a step of {definition.Id}; its steps: {string.Join(", ", definition.Steps.Select(x => x.Id))}";
            StepOutcome? outcome = name.ToLowerInvariant() switch
            {
                "approve" => StepOutcome.Approve,
                "reject" => StepOutcome.Reject,
                "return" => StepOutcome.Return,
                _ => null,
            };
            if (outcome is null) return $"'{name}' is not an outcome; use approve, reject or return (for example register=return)";
            chosen[step] = outcome.Value;
        }
        return null;
    }

    /// <summary>field=value pairs are typed by the procedure's fields; a JSON file is taken as it is.</summary>
    private static Dictionary<string, JsonElement> Data(WorkflowDefinition definition, string[] items)
    {
        var data = new Dictionary<string, JsonElement>();
        foreach (var item in items)
        {
            if (File.Exists(item))
            {
                foreach (var (key, value) in JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(item))!)
                    data[key] = value;
                continue;
            }
            var (name, value2) = item.Split('=', 2) is [var n, var v] ? (n, v) : (item, "true");
            data[name] = definition.FindField(name)?.Type switch
            {
                FieldType.Number when decimal.TryParse(value2, NumberStyles.Number, CultureInfo.InvariantCulture, out var number) =>
                    JsonSerializer.SerializeToElement(number),
                FieldType.YesNo when bool.TryParse(value2, out var yes) => JsonSerializer.SerializeToElement(yes),
                _ => JsonSerializer.SerializeToElement(value2),
            };
        }
        return data;
    }
}
