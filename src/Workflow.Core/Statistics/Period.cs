using System.Globalization;
using Workflow.Core.Calendars;

namespace Workflow.Core.Statistics;

public enum PeriodKind { Day, Month, Quarter, Year, Custom }

/// <summary>
/// A span of whole local days (both ends included) on the clock of Laos (Asia/Vientiane): figures are published per
/// day, month, quarter, year or a custom range, and any of them is the sum of its days.
/// </summary>
public sealed record Period(PeriodKind Kind, DateOnly From, DateOnly To)
{
    /// <summary>Statistics count days on the national clock, whatever office calendar a duration is counted on.</summary>
    public static readonly TimeZoneInfo Zone = CalendarCatalog.Zone("Asia/Vientiane");

    // Both are asked for every case of every period of a table: worked out once (a period is never copied with `with`).

    /// <summary>The first instant of the period.</summary>
    public DateTimeOffset Start { get; } = Midnight(From);

    /// <summary>The first instant after the period: "at the period's end" means just before it.</summary>
    public DateTimeOffset End { get; } = Midnight(To.AddDays(1));

    public bool Contains(DateTimeOffset? instant) => instant is { } at && at >= Start && at < End;

    /// <summary>How people name it: 2026-03-14, 2026-03, 2026-Q1, 2026, or 2026-03-01..2026-04-15.</summary>
    public string Label => Kind switch
    {
        PeriodKind.Day => From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        PeriodKind.Month => From.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        PeriodKind.Quarter => $"{From.Year}-Q{(From.Month - 1) / 3 + 1}",
        PeriodKind.Year => From.Year.ToString(CultureInfo.InvariantCulture),
        _ => $"{From:yyyy-MM-dd}..{To:yyyy-MM-dd}",
    };

    public static DateOnly LocalDay(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    private static DateTimeOffset Midnight(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }

    /// <summary>
    /// The periods of one kind that cover <paramref name="from"/>..<paramref name="to"/>, clipped to that range (a month
    /// asked from its 10th counts from the 10th); a custom kind is the whole range as one period.
    /// </summary>
    public static IReadOnlyList<Period> Cover(PeriodKind kind, DateOnly from, DateOnly to)
    {
        if (to < from) throw new ArgumentException("the end of a period comes before its start");
        if (kind == PeriodKind.Custom) return [new Period(kind, from, to)];
        var periods = new List<Period>();
        for (var start = from; start <= to;)
        {
            var natural = kind switch
            {
                PeriodKind.Day => start,
                PeriodKind.Month => new DateOnly(start.Year, start.Month, 1).AddMonths(1).AddDays(-1),
                PeriodKind.Quarter => new DateOnly(start.Year, (start.Month - 1) / 3 * 3 + 1, 1).AddMonths(3).AddDays(-1),
                _ => new DateOnly(start.Year, 12, 31),
            };
            var end = natural < to ? natural : to;
            periods.Add(new Period(kind, start, end));
            start = end.AddDays(1);
        }
        return periods;
    }

    /// <summary>Reads day, month, quarter, year or custom (case-insensitive); null for anything else.</summary>
    public static PeriodKind? ParseKind(string? text) =>
        Enum.TryParse<PeriodKind>(text, ignoreCase: true, out var kind) && Enum.IsDefined(kind) && !int.TryParse(text, out _)
            ? kind : null;
}
