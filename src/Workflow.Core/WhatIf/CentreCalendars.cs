using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Workflow.Core.Calendars;

namespace Workflow.Core.WhatIf;

/// <summary>
/// The calendar of a centre at an instant (<see cref="CalendarCatalog.ForCentre"/>), kept per quarter of an hour: a replay
/// asks for it at every act of every case, and the answer changes only at a local midnight, which falls on a quarter hour
/// in every time zone.
/// </summary>
internal static class CentreCalendars
{
    private static readonly ConditionalWeakTable<CalendarCatalog, ConcurrentDictionary<(string, long), WorkingCalendar>> Known = new();

    private static readonly long Quarter = TimeSpan.FromMinutes(15).Ticks;

    public static WorkingCalendar For(CalendarCatalog calendars, string centre, DateTimeOffset at)
    {
        var known = Known.GetValue(calendars, _ => new());
        var start = at.UtcTicks - at.UtcTicks % Quarter;
        return known.GetOrAdd((centre, start), key => calendars.ForCentre(key.Item1, new DateTimeOffset(key.Item2, TimeSpan.Zero)));
    }
}
