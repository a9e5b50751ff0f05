using System.CommandLine;
using Workflow.Core.Calendars;
using Workflow.Core.Definitions;

namespace Workflow.Cli;

public static class DueCommand
{
    public static Command Create()
    {
        var calendar = new Option<string>("--calendar") { Description = "calendar id, e.g. lao-national or odsc-vientiane-capital",
            Required = true };
        var from = new Option<string>("--from")
        {
            Description = "start date (2024-04-10), time on the calendar's clock (2024-04-10T10:00) or instant (2024-04-10T10:00+07:00)",
            Required = true,
        };
        var days = new Option<int>("--working-days") { Description = "number of working days", Required = true };
        var workflows = Connection.Workflows(orStore: true);
        var connection = Connection.Option();
        var command = new Command("due", "Print the due date N working days after a date, on a calendar of workflows/calendars")
            { calendar, from, days, workflows, connection };
        command.SetAction(async (parse, cancellation) =>
        {
            var catalog = await Connection.CatalogueAsync(parse, workflows, connection, cancellation);
            var id = parse.GetValue(calendar)!;
            if (!catalog.Calendars.TryParseStart(parse.GetValue(from)!, id, out var start))
            {
                Console.Error.WriteLine($"--from: '{parse.GetValue(from)}' is not a date or an instant from the year " +
                                        $"{CalendarCatalog.FirstYear} to {CalendarCatalog.LastYear}");
                return 2;
            }
            if (parse.GetValue(days) is not (>= 0 and <= DefinitionParser.MaxDays))
            {
                Console.Error.WriteLine($"--working-days: a whole number from 0 to {DefinitionParser.MaxDays}");
                return 2;
            }
            var resolved = catalog.Calendars.At(id, start);
            if (resolved is null)
            {
                Console.Error.WriteLine($"'{id}' is not a calendar; known: {string.Join(", ", catalog.Calendars.Ids)}");
                return 2;
            }
            var due = resolved.AddWorkingDays(start, parse.GetValue(days));
            Console.WriteLine($"{due:yyyy-MM-dd HH:mm zzz}  ({parse.GetValue(days)} working days after " +
                              $"{start:yyyy-MM-dd HH:mm zzz} on {resolved.Version})");
            return 0;
        });
        return command;
    }
}
