using CsCheck;
using Workflow.Core.Calendars;

namespace Workflow.Core.Tests;

/// <summary>
/// Laws of the deadline arithmetic that must hold for any instants and any number of days, checked over random samples
/// of the Vientiane office calendar (holidays, days in lieu, the office's own festival day, the year ends). Instants
/// cluster on the edges that broke before: closing time, a tick after it, midnight, and equal instants.
/// </summary>
public class the_working_day_arithmetic_holds_for_any_instant
{
    private static readonly WorkingCalendar Office =
        Procedures.Catalog.Calendars.Resolve("odsc-vientiane-capital", new DateOnly(2024, 6, 1))!;

    private static readonly DateTimeOffset Origin = new(2023, 12, 20, 0, 0, 0, TimeSpan.FromHours(7));

    /// <summary>A day from late 2023 to early 2027 and a moment of it; a fifth of them exactly at closing time or a tick after.</summary>
    private static readonly Gen<DateTimeOffset> Instant =
        Gen.Select(Gen.Int[0, 1120], Gen.Int[0, 1799], (day, minute) =>
        {
            var midnight = Origin.AddDays(day);
            var closing = midnight + Office.Closes.ToTimeSpan();
            return minute switch
            {
                < 1440 => midnight.AddMinutes(minute),
                < 1620 => closing,
                _ => closing.AddTicks(1),
            };
        });

    private static readonly Gen<int> Days = Gen.Int[0, 40];

    [Fact]
    public void a_due_date_is_closing_time_on_a_working_day()
    {
        Gen.Select(Instant, Days).Sample((from, days) =>
        {
            var due = Office.AddWorkingDays(from, days);
            var local = Office.Local(due);
            Office.IsWorkingDay(DateOnly.FromDateTime(local)).ShouldBeTrue();
            TimeOnly.FromDateTime(local).ShouldBe(Office.Closes);
            due.ShouldBeGreaterThanOrEqualTo(from);
        }, iter: 2000);
    }

    [Fact]
    public void counting_the_days_up_to_a_due_date_gives_back_the_days_added()
    {
        Gen.Select(Instant, Days).Sample((from, days) =>
            Office.WorkingDaysBetween(from, Office.AddWorkingDays(from, days)).ShouldBe(days), iter: 2000);
    }

    [Fact]
    public void working_days_between_is_antisymmetric_and_zero_for_equal_instants()
    {
        Gen.Select(Instant, Instant).Sample((a, b) =>
        {
            Office.WorkingDaysBetween(a, a).ShouldBe(0);
            Office.WorkingDaysBetween(a, b).ShouldBe(-Office.WorkingDaysBetween(b, a));
            if (a <= b) Office.WorkingDaysBetween(a, b).ShouldBeGreaterThanOrEqualTo(0);
        }, iter: 2000);
    }

    [Fact]
    public void a_later_start_never_gives_an_earlier_due_date()
    {
        Gen.Select(Instant, Instant, Days).Sample((a, b, days) =>
        {
            var (early, late) = a <= b ? (a, b) : (b, a);
            Office.AddWorkingDays(late, days).ShouldBeGreaterThanOrEqualTo(Office.AddWorkingDays(early, days));
        }, iter: 2000);
    }
}
