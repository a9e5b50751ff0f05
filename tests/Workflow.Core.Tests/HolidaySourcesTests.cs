using Workflow.Core.Calendars;

namespace Workflow.Core.Tests;

public class when_the_national_calendar_is_read_for_2025_and_2026
{
    private static WorkingCalendar National(int year) => Procedures.Catalog.Calendars.Resolve("lao-national", new DateOnly(year, 6, 1))!;

    [Theory]
    [InlineData(2025, 3, 10, "2025-03-08")]
    [InlineData(2026, 3, 9, "2026-03-08")]
    public void the_day_in_lieu_of_womens_day_on_a_weekend_closes_offices(int year, int month, int day, string inLieuOf)
    {
        var date = new DateOnly(year, month, day);
        var calendar = National(year);

        calendar.IsWorkingDay(date).ShouldBeFalse();
        var holiday = calendar.HolidaysOn(date).Single();
        holiday.ClosesOffices.ShouldBeTrue();
        holiday.InLieuOf.ShouldBe(inLieuOf);
        holiday.Provisional.ShouldBeTrue("no PMO notice is on file for the year");
    }

    [Theory]
    [InlineData(2024)]
    [InlineData(2025)]
    [InlineData(2026)]
    public void womens_day_on_8_march_closes_offices_for_everyone(int year) =>
        National(year).HolidaysOn(new DateOnly(year, 3, 8)).Single().ClosesOffices.ShouldBeTrue();

    [Fact]
    public void the_day_in_lieu_of_20_july_2025_is_for_women_and_keeps_offices_open()
    {
        var date = new DateOnly(2025, 7, 21);
        var calendar = National(2025);

        var holiday = calendar.HolidaysOn(date).Single();
        holiday.For.ShouldBe("women");
        holiday.InLieuOf.ShouldBe("2025-07-20");
        calendar.IsWorkingDay(date).ShouldBeTrue();
    }

    [Fact]
    public void every_holiday_names_its_source_and_the_file_cites_each_year()
    {
        var calendar = National(2026);
        calendar.Holidays.Values.SelectMany(h => h).Where(h => h.Calendar.StartsWith("lao-national", StringComparison.Ordinal))
            .ShouldAllBe(h => !string.IsNullOrWhiteSpace(h.Notice));

        var text = File.ReadAllText(Path.Combine(Procedures.RepositoryRoot(), "workflows", "calendars", "lao-national.yaml"));
        foreach (var year in new[] { "- 2024:", "- 2025:", "- 2026:", "- 8 March closes offices:" }) text.ShouldContain(year);
        text.ShouldContain("sources disagree");
    }
}
