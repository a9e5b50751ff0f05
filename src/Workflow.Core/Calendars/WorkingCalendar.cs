using System.Collections.Immutable;

namespace Workflow.Core.Calendars;

/// <summary>A day on which offices close (or, for part of the staff only, on which the office stays open).</summary>
public sealed record Holiday(DateOnly Date, string Name, string? Notice, string For, bool Provisional, string? InLieuOf, string Calendar)
{
    /// <summary>A holiday written without <c>for:</c>: offices close.</summary>
    public const string Everyone = "everyone";

    /// <summary>The parts of the staff a holiday may be for (<c>for: women</c>); calendars naming any other are refused.</summary>
    public static readonly IReadOnlyList<string> Groups = ["women"];

    /// <summary>A holiday for part of the staff only (20 July, for women) does not close the office or stop the clock.</summary>
    public bool ClosesOffices => For == Everyone;
}

/// <summary>
/// A calendar as it applies on a given day: a national calendar with its province and office overlays flattened.
/// All deadline arithmetic lives here, so a deadline computed once is recorded with <see cref="Version"/> and never
/// recomputed silently. The counting rule follows the law: the day the clock starts is not counted; an application
/// received on a closed day or after closing time counts as received on the next working day; day 1 is the first
/// working day after that, and a deadline of N working days falls at closing time on day N.
/// </summary>
public sealed record WorkingCalendar(
    string Id,
    string Version,
    string ZoneId,
    TimeZoneInfo Zone,
    ImmutableHashSet<DayOfWeek> WorkingDays,
    TimeOnly Opens,
    TimeOnly Closes,
    ImmutableDictionary<DateOnly, ImmutableArray<Holiday>> Holidays)
{
    public IEnumerable<Holiday> HolidaysOn(DateOnly day) => Holidays.GetValueOrDefault(day, []);

    /// <summary>Open on that day: a working day of the week, and no holiday that closes offices. Every deadline counts days with
    /// it, so it reads the holidays without enumerating through an interface (which allocated on each day counted).</summary>
    public bool IsWorkingDay(DateOnly day) =>
        WorkingDays.Contains(day.DayOfWeek) && !(Holidays.TryGetValue(day, out var holidays) && holidays.Any(h => h.ClosesOffices));

    public DateOnly NextWorkingDay(DateOnly day)
    {
        var next = day.AddDays(1);
        for (var guard = 0; !IsWorkingDay(next); guard++)
        {
            if (guard > 366) throw new InvalidOperationException($"calendar {Version} has no working day within a year after {day}");
            next = next.AddDays(1);
        }
        return next;
    }

    public DateTime Local(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone).DateTime;

    public DateTimeOffset Instant(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }

    /// <summary>The working day on which something arriving at <paramref name="instant"/> counts as received.</summary>
    public DateOnly ReceiptDay(DateTimeOffset instant)
    {
        var local = Local(instant);
        var day = DateOnly.FromDateTime(local);
        return IsWorkingDay(day) && TimeOnly.FromDateTime(local) <= Closes ? day : NextWorkingDay(day);
    }

    /// <summary>Closing time on the N-th working day after the day the clock starts.</summary>
    public DateTimeOffset AddWorkingDays(DateTimeOffset start, int days)
    {
        var day = ReceiptDay(start);
        for (var i = 0; i < days; i++) day = NextWorkingDay(day);
        return Instant(day, Closes);
    }

    /// <summary>
    /// Working days after the day <paramref name="from"/> counts on, up to and including the day of <paramref name="to"/>:
    /// the remaining days until a deadline, or the days a deadline is overdue. Zero or negative when <paramref name="to"/> is not later.
    /// </summary>
    public int WorkingDaysBetween(DateTimeOffset from, DateTimeOffset to)
    {
        if (to == from) return 0;
        if (to < from) return -WorkingDaysBetween(to, from);
        var start = ReceiptDay(from);
        var end = DateOnly.FromDateTime(Local(to));
        var count = 0;
        for (var day = start.AddDays(1); day <= end; day = day.AddDays(1))
            if (IsWorkingDay(day)) count++;
        return count;
    }

    /// <summary>
    /// The instant a stop of the clock (a return for correction) counts as made at: the instant itself during a working
    /// day, else closing time of the last working day before it. A return after closing or on a closed day charges the
    /// agency only for the working days that ended before it, never for the next one.
    /// </summary>
    public DateTimeOffset StopCountsAt(DateTimeOffset instant)
    {
        var local = Local(instant);
        var day = DateOnly.FromDateTime(local);
        if (IsWorkingDay(day) && TimeOnly.FromDateTime(local) <= Closes) return instant;
        if (!IsWorkingDay(day)) day = PreviousWorkingDay(day);
        return Instant(day, Closes);
    }

    public DateOnly PreviousWorkingDay(DateOnly day)
    {
        var previous = day.AddDays(-1);
        for (var guard = 0; !IsWorkingDay(previous); guard++)
        {
            if (guard > 366) throw new InvalidOperationException($"calendar {Version} has no working day within a year before {day}");
            previous = previous.AddDays(-1);
        }
        return previous;
    }

    /// <summary>
    /// The end of a time limit of N calendar days (the citizen's correction window): the end of the N-th calendar day after
    /// the day of <paramref name="start"/>, or, when that day is closed, closing time on the next working day. The end is
    /// inclusive: something done at that instant is in time.
    /// </summary>
    public DateTimeOffset EndOfCalendarDays(DateTimeOffset start, int days)
    {
        var last = DateOnly.FromDateTime(Local(start)).AddDays(days);
        return IsWorkingDay(last) ? Instant(last, TimeOnly.MaxValue) : Instant(NextWorkingDay(last), Closes);
    }

    /// <summary>Office time between two instants, counting only opening hours of working days.</summary>
    public TimeSpan WorkingTimeBetween(DateTimeOffset from, DateTimeOffset to)
    {
        if (to <= from) return TimeSpan.Zero;
        var total = TimeSpan.Zero;
        var a = Local(from);
        var b = Local(to);
        for (var day = DateOnly.FromDateTime(a); day <= DateOnly.FromDateTime(b); day = day.AddDays(1))
        {
            if (!IsWorkingDay(day)) continue;
            var open = day.ToDateTime(Opens);
            var close = day.ToDateTime(Closes);
            var start = a > open ? a : open;
            var end = b < close ? b : close;
            if (end > start) total += end - start;
        }
        return total;
    }

    /// <summary>
    /// The instant when <paramref name="amount"/> of office time has passed after <paramref name="start"/>: same-day
    /// services and fractions of a deadline.
    /// </summary>
    public DateTimeOffset AddWorkingTime(DateTimeOffset start, TimeSpan amount)
    {
        var local = Local(start);
        var day = DateOnly.FromDateTime(local);
        var remaining = amount;
        for (var guard = 0; guard < 3660; guard++, day = day.AddDays(1))
        {
            if (!IsWorkingDay(day)) continue;
            var open = day.ToDateTime(Opens);
            var close = day.ToDateTime(Closes);
            var from = local > open ? local : open;
            if (from >= close) continue;
            if (from + remaining <= close) return Instant(DateOnly.FromDateTime(from), TimeOnly.FromDateTime(from + remaining));
            remaining -= close - from;
        }
        throw new InvalidOperationException($"calendar {Version} cannot place {amount} of office time after {start}");
    }
}
