using Workflow.Core.Calendars;
using Workflow.Core.Definitions;

namespace Workflow.Api.Workflows;

public sealed record CalendarSummary(string Id, int Version, DateOnly Effective, string Title, string Scope, string? Extends,
    IReadOnlyList<string> Centres, string? TimeZone, string Hash);

public sealed record HolidayView(DateOnly Date, string Name, string For, bool Provisional, string? Notice);

public sealed record DueDate(string Calendar, string CalendarVersion, DateTimeOffset From, int WorkingDays, DateTimeOffset DueAt,
    IReadOnlyList<HolidayView> HolidaysSkipped);

public static class CalendarEndpoints
{
    public static void MapCalendars(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/calendars").WithTags("Calendars");
        group.MapGet("/", (WorkflowCatalog catalog) => catalog.Calendars.Files.Select(f => new CalendarSummary(f.Id, f.Version,
                f.Effective, f.Title, f.Scope.ToString().ToLowerInvariant(), f.Extends, f.Centres, f.TimeZone, f.Hash)))
            .WithSummary("Every version of every working-day calendar");
        group.MapGet("/{id}/due", Due)
            .WithSummary("The due date N working days after a date or instant, on the calendar in force then, with the holidays it skipped")
            .Produces<DueDate>().ProducesValidationProblem().ProducesProblem(404);
    }

    private static IResult Due(string id, string? from, int? workingDays, WorkflowCatalog catalog)
    {
        var errors = new Dictionary<string, string[]>();
        DateTimeOffset start = default;
        if (from is null) errors["from"] = ["from is required: a date (2024-04-10) or an instant (2024-04-10T10:00:00+07:00)"];
        // Calendars cover working days of this era; far dates would only overflow the date arithmetic.
        else if (!catalog.Calendars.TryParseStart(from, id, out start))
            errors["from"] = [$"'{from}' is not a date or an instant from the year {CalendarCatalog.FirstYear} to {CalendarCatalog.LastYear}"];
        if (workingDays is not (>= 0 and <= DefinitionParser.MaxDays))
            errors["workingDays"] = [$"workingDays is a whole number from 0 to {DefinitionParser.MaxDays}"];
        if (errors.Count > 0) return Results.ValidationProblem(errors);

        var calendar = catalog.Calendars.At(id, start);
        if (calendar is null) return Results.Problem(statusCode: 404, title: "Not found", detail: $"'{id}' is not a calendar");
        var due = calendar.AddWorkingDays(start, workingDays!.Value);
        var skipped = new List<HolidayView>();
        var last = DateOnly.FromDateTime(calendar.Local(due));
        for (var day = DateOnly.FromDateTime(calendar.Local(start)); day <= last; day = day.AddDays(1))
            skipped.AddRange(calendar.HolidaysOn(day).Where(h => h.ClosesOffices && calendar.WorkingDays.Contains(day.DayOfWeek))
                .Select(h => new HolidayView(h.Date, h.Name, h.For, h.Provisional, h.Notice)));
        return Results.Ok(new DueDate(id, calendar.Version, start, workingDays.Value, due, skipped));
    }
}
