using BenchmarkDotNet.Attributes;
using Workflow.Core.Calendars;
using Workflow.Core.Definitions;

namespace Workflow.Benchmarks.Micro;

/// <summary>
/// Working-day maths of the Vientiane centre's calendar over Pi Mai (holidays, time zone, opening hours), beside the
/// cheapest count that knows only weekends. Every command that opens a step or checks a deadline pays for these.
/// </summary>
[MemoryDiagnoser]
public class WorkingDayBenchmarks
{
    private const int Days = 17;
    private static readonly DateTimeOffset Start = new(2024, 4, 10, 10, 0, 0, TimeSpan.FromHours(7));

    private WorkingCalendar _calendar = null!;
    private DateTimeOffset _due;
    private TimeSpan _warning;

    [GlobalSetup]
    public void Setup()
    {
        _calendar = WorkflowCatalog.Load(Paths.Workflows).Calendars.ForCentre(Samples.Centre, Start);
        _due = _calendar.AddWorkingDays(Start, Days);
        _warning = _calendar.WorkingTimeBetween(Start, _due) * 0.75;
        // Pi Mai closes offices in this span: a calendar that counted weekdays only would give an earlier date.
        if (_due.Date <= WeekdaysOnly().Date) throw new InvalidOperationException("the span measured crosses no holiday");
    }

    [Benchmark(Baseline = true, Description = "17 weekdays, no holidays")]
    public DateTimeOffset WeekdaysOnly()
    {
        var day = Start;
        for (var counted = 0; counted < Days;)
        {
            day = day.AddDays(1);
            if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) counted++;
        }
        return day;
    }

    [Benchmark(Description = "AddWorkingDays 17")]
    public DateTimeOffset AddWorkingDays() => _calendar.AddWorkingDays(Start, Days);

    [Benchmark(Description = "WorkingDaysBetween")]
    public int WorkingDaysBetween() => _calendar.WorkingDaysBetween(Start, _due);

    [Benchmark(Description = "AddWorkingTime 75%")]
    public DateTimeOffset AddWorkingTime() => _calendar.AddWorkingTime(Start, _warning);
}
