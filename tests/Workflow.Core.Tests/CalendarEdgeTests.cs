using Workflow.Core.Calendars;
using Workflow.Core.Definitions;
using static Workflow.Core.Tests.Procedures;

namespace Workflow.Core.Tests;

public class when_the_calendar_is_read_at_its_edges
{
    private static readonly WorkingCalendar National = Catalog.Calendars.Resolve("lao-national", new DateOnly(2024, 6, 1))!;

    private static string NationalFile() =>
        File.ReadAllText(Path.Combine(RepositoryRoot(), "workflows", "calendars", "lao-national.yaml"));

    /// <summary>The national calendar and a second version of it, in force from 5 June 2024, announcing 12 June as a holiday.</summary>
    private static CalendarCatalog WithMourningDay() => CalendarCatalog.Parse(
    [
        ("calendars/lao-national.yaml", NationalFile()),
        ("calendars/lao-national-2.yaml", NationalFile().Replace("version: 1", "version: 2")
            .Replace("effective: 2024-01-01", "effective: 2024-06-05")
            + "  - { date: 2024-06-12, name: Day of national mourning, notice: PMO notice of 4 June 2024 }\n"),
    ], []);

    [Fact]
    public void no_working_days_lie_between_an_instant_and_itself()
    {
        National.WorkingDaysBetween(Lao(2024, 6, 17, 16), Lao(2024, 6, 17, 16)).ShouldBe(0);
        National.WorkingDaysBetween(Lao(2024, 6, 15, 10), Lao(2024, 6, 15, 10)).ShouldBe(0);
    }

    [Fact]
    public void a_calendar_version_comes_into_force_at_local_midnight_not_utc_midnight()
    {
        var calendars = WithMourningDay();

        // 00:30 on 5 June in Vientiane is still 4 June in UTC.
        calendars.ForCentre("LPB", Lao(2024, 6, 5, 0, 30)).Version.ShouldBe("lao-national@2");
        calendars.ForCentre("LPB", Lao(2024, 6, 4, 23, 59)).Version.ShouldBe("lao-national@1");
    }

    [Fact]
    public void the_calendar_named_at_an_instant_is_the_one_in_force_on_its_local_date()
    {
        var calendars = WithMourningDay();

        calendars.At("lao-national", Lao(2024, 6, 5, 0, 30))!.Version.ShouldBe("lao-national@2");
        calendars.At("lao-national", Lao(2024, 6, 4, 23, 59))!.Version.ShouldBe("lao-national@1");
        calendars.At("atlantis", Lao(2024, 6, 5, 0, 30)).ShouldBeNull();
        calendars.LocalDay("lao-national", Lao(2024, 6, 5, 0, 30)).ShouldBe(new DateOnly(2024, 6, 5));
    }

    [Fact]
    public void a_time_without_an_offset_is_read_on_the_calendars_clock()
    {
        Catalog.Calendars.TryParseStart("2024-11-14T10:00", "odsc-vientiane-capital", out var start).ShouldBeTrue();

        start.ShouldBe(Lao(2024, 11, 14, 10));
        Catalog.Calendars.ForCentre("VTE", start).AddWorkingDays(start, 1).ShouldBe(Lao(2024, 11, 18, 16));
    }

    [Fact]
    public void a_time_with_an_offset_or_z_keeps_it()
    {
        Catalog.Calendars.TryParseStart("2024-11-14T10:00Z", "odsc-vientiane-capital", out var utc).ShouldBeTrue();
        utc.ShouldBe(new DateTimeOffset(2024, 11, 14, 10, 0, 0, TimeSpan.Zero));
        Catalog.Calendars.TryParseStart("2024-11-14T10:00:00+07:00", "odsc-vientiane-capital", out var lao).ShouldBeTrue();
        lao.ShouldBe(Lao(2024, 11, 14, 10));
        Catalog.Calendars.TryParseStart("2024-11-14", "odsc-vientiane-capital", out var day).ShouldBeTrue();
        day.ShouldBe(Lao(2024, 11, 14, 0));
        Catalog.Calendars.TryParseStart("someday", "odsc-vientiane-capital", out _).ShouldBeFalse();
    }

    [Fact]
    public void a_holiday_for_an_unknown_group_of_staff_is_refused_with_its_line()
    {
        var problems = new List<DefinitionProblem>();
        var calendars = CalendarCatalog.Parse([("calendars/labour.yaml", """
            id: labour
            version: 1
            effective: 2024-01-01
            title: Labour Day for all
            holidays:
              - { date: 2024-05-01, name: International Labour Day, for: all }
              - { date: 2024-07-20, name: Lao Women's Union Day, for: women }
              - { date: 2024-12-02, name: National Day }
            """)], problems);

        var problem = problems.ShouldHaveSingleItem();
        problem.At.Line.ShouldBe(6);
        problem.Message.ShouldContain("'all'");
        problem.Message.ShouldContain("women");
        calendars.Files.ShouldBeEmpty();
    }

    [Fact]
    public void a_holiday_without_a_group_closes_offices_and_one_for_women_does_not()
    {
        var problems = new List<DefinitionProblem>();
        var calendar = CalendarCatalog.Parse([("calendars/holidays.yaml", """
            id: holidays
            version: 1
            effective: 2024-01-01
            title: Holidays
            holidays:
              - { date: 2024-05-01, name: International Labour Day }
              - { date: 2024-07-22, name: Lao Women's Union Day in lieu, for: women }
            """)], problems).Resolve("holidays", new DateOnly(2024, 6, 1))!;

        problems.ShouldBeEmpty();
        calendar.IsWorkingDay(new DateOnly(2024, 5, 1)).ShouldBeFalse();
        calendar.IsWorkingDay(new DateOnly(2024, 7, 22)).ShouldBeTrue();
    }
}
