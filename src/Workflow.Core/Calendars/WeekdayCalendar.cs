namespace Workflow.Core.Calendars;

/// <summary>
/// Working days Monday to Friday in the office's time zone, closing at a fixed hour. Holiday calendars replace this
/// later; the counting rule already follows the law: day 1 is the first working day after the clock starts, and a
/// step due in N working days is due at closing time on day N.
/// </summary>
public sealed record WeekdayCalendar(string Id, TimeZoneInfo Zone, TimeOnly Closing)
{
    /// <summary>Lao government offices: Asia/Vientiane (UTC+7, no daylight saving), closing at 17:00.</summary>
    public static readonly WeekdayCalendar Lao = new("lao-weekdays", Vientiane(), new TimeOnly(17, 0));

    public bool IsWorkingDay(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

    public DateTimeOffset AddWorkingDays(DateTimeOffset start, int days)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(start, Zone).DateTime);
        for (var counted = 0; counted < days;)
        {
            day = day.AddDays(1);
            if (IsWorkingDay(day)) counted++;
        }
        var local = day.ToDateTime(Closing);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }

    private static TimeZoneInfo Vientiane()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Asia/Vientiane");
        }
        catch (TimeZoneNotFoundException)
        {
            // Hosts without a time-zone database still get the same answers: Laos keeps UTC+7 all year.
            return TimeZoneInfo.CreateCustomTimeZone("Asia/Vientiane", TimeSpan.FromHours(7), "Asia/Vientiane", "ICT");
        }
    }
}
