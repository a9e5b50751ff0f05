using Workflow.Core.Calendars;

namespace Workflow.Core.Tests;

public class when_working_days_are_counted_on_the_lao_calendar
{
    private static readonly TimeSpan Lao = TimeSpan.FromHours(7);
    private readonly WorkingCalendar _national = Procedures.Catalog.Calendars.Resolve("lao-national", new DateOnly(2024, 6, 1))!;

    private static DateTimeOffset At(int y, int m, int d, int hour, int minute = 0) => new(y, m, d, hour, minute, 0, Lao);

    [Fact]
    public void pi_mai_and_its_days_in_lieu_are_skipped()
    {
        _national.AddWorkingDays(At(2024, 4, 10, 10), 5).ShouldBe(At(2024, 4, 23, 16));
    }

    [Fact]
    public void the_womens_day_in_lieu_does_not_close_the_office()
    {
        _national.HolidaysOn(new DateOnly(2024, 7, 22)).ShouldHaveSingleItem().For.ShouldBe("women");
        _national.IsWorkingDay(new DateOnly(2024, 7, 22)).ShouldBeTrue();
        _national.AddWorkingDays(At(2024, 7, 19, 10), 1).ShouldBe(At(2024, 7, 22, 16));
    }

    [Fact]
    public void a_start_on_a_holiday_counts_from_the_next_working_day()
    {
        _national.AddWorkingDays(At(2024, 5, 1, 9), 1).ShouldBe(At(2024, 5, 3, 16));
    }

    [Fact]
    public void a_start_on_a_weekend_counts_from_monday()
    {
        _national.AddWorkingDays(At(2024, 6, 8, 11), 1).ShouldBe(At(2024, 6, 11, 16));
    }

    [Fact]
    public void a_start_after_closing_time_counts_from_the_next_working_day()
    {
        _national.AddWorkingDays(At(2024, 6, 7, 16, 30), 1).ShouldBe(At(2024, 6, 11, 16));
        _national.AddWorkingDays(At(2024, 6, 7, 15, 59), 1).ShouldBe(At(2024, 6, 10, 16));
    }

    [Fact]
    public void counting_crosses_the_year_end_and_new_years_day()
    {
        _national.AddWorkingDays(At(2024, 12, 26, 10), 5).ShouldBe(At(2025, 1, 3, 16));
    }

    [Fact]
    public void national_day_is_skipped()
    {
        _national.AddWorkingDays(At(2024, 11, 29, 10), 1).ShouldBe(At(2024, 12, 3, 16));
    }

    [Fact]
    public void working_days_between_two_instants_count_what_remains_or_is_overdue()
    {
        _national.WorkingDaysBetween(At(2024, 4, 10, 10), At(2024, 4, 23, 16)).ShouldBe(5);
        _national.WorkingDaysBetween(At(2024, 4, 23, 16), At(2024, 4, 25, 10)).ShouldBe(2);
        _national.WorkingDaysBetween(At(2024, 4, 25, 10), At(2024, 4, 23, 16)).ShouldBe(-2);
    }

    [Fact]
    public void working_hours_carry_over_to_the_next_working_day()
    {
        _national.AddWorkingTime(At(2024, 4, 12, 15), TimeSpan.FromHours(3)).ShouldBe(At(2024, 4, 19, 10));
        _national.AddWorkingTime(At(2024, 6, 10, 7), TimeSpan.FromHours(2)).ShouldBe(At(2024, 6, 10, 10));
        _national.WorkingTimeBetween(At(2024, 4, 12, 15), At(2024, 4, 19, 10)).ShouldBe(TimeSpan.FromHours(3));
    }

    [Fact]
    public void the_vientiane_office_calendar_adds_that_luang_to_the_national_one()
    {
        var office = Procedures.Catalog.Calendars.ForCentre("VTE", At(2024, 11, 1, 9));

        office.Version.ShouldBe("odsc-vientiane-capital@1+vientiane-capital@1+lao-national@1");
        _national.AddWorkingDays(At(2024, 11, 14, 10), 1).ShouldBe(At(2024, 11, 15, 16));
        office.AddWorkingDays(At(2024, 11, 14, 10), 1).ShouldBe(At(2024, 11, 18, 16));
        Procedures.Catalog.Calendars.ForCentre("LPB", At(2024, 11, 1, 9)).Version.ShouldBe("lao-national@1");
    }

    [Fact]
    public void dates_not_yet_announced_are_provisional()
    {
        _national.HolidaysOn(new DateOnly(2026, 4, 14)).ShouldHaveSingleItem().Provisional.ShouldBeTrue();
        _national.HolidaysOn(new DateOnly(2026, 12, 2)).ShouldHaveSingleItem().Provisional.ShouldBeFalse();
        _national.HolidaysOn(new DateOnly(2024, 4, 17)).ShouldHaveSingleItem().InLieuOf.ShouldNotBeNull();
    }
}

public class when_a_calendar_file_is_broken
{
    [Fact]
    public void every_problem_is_reported_with_its_line()
    {
        var problems = new List<Definitions.DefinitionProblem>();
        CalendarCatalog.Parse([("calendars/broken.yaml", """
            id: broken
            version: 1
            effective: 2024-13-01
            title: Broken
            scope: office
            working_days: [monday, funday]
            hours: { opens: "16:00", closes: "08:00" }
            holidays:
              - { date: 2024-02-30, name: Nowhere }
              - { name: No date }
            """)], problems);

        problems.ShouldContain(p => p.At.Line == 3 && p.Message.Contains("not a date"));
        problems.ShouldContain(p => p.At.Line == 5 && p.Message.Contains("must extend"));
        problems.ShouldContain(p => p.At.Line == 6 && p.Message.Contains("funday"));
        problems.ShouldContain(p => p.At.Line == 7 && p.Message.Contains("close after they open"));
        problems.ShouldContain(p => p.At.Line == 9 && p.Message.Contains("2024-02-30"));
        problems.ShouldContain(p => p.At.Line == 10 && p.Message.Contains("needs a date"));
    }
}
