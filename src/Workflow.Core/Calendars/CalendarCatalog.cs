using System.Collections.Immutable;
using System.Globalization;
using Workflow.Core.Definitions;

namespace Workflow.Core.Calendars;

public enum CalendarScope { National, Province, Office }

/// <summary>One version of one calendar file, as written: it may extend another calendar and add to it.</summary>
public sealed record CalendarFile
{
    public required string Id { get; init; }
    public required int Version { get; init; }
    public required DateOnly Effective { get; init; }
    public required string Title { get; init; }
    public required CalendarScope Scope { get; init; }
    public string? Extends { get; init; }
    public string? TimeZone { get; init; }
    public ImmutableHashSet<DayOfWeek>? WorkingDays { get; init; }
    public TimeOnly? Opens { get; init; }
    public TimeOnly? Closes { get; init; }
    public ImmutableArray<string> Centres { get; init; } = [];
    public ImmutableArray<Holiday> Holidays { get; init; } = [];
    public required string Hash { get; init; }
    public required SourceSpan Source { get; init; }
    public ImmutableDictionary<string, SourceSpan> Keys { get; init; } = ImmutableDictionary<string, SourceSpan>.Empty;

    public SourceSpan At(string key) => Keys.TryGetValue(key, out var span) ? span : Source;

    public string Tag => $"{Id}@{Version}";
}

/// <summary>
/// Every version of every calendar in <c>workflows/calendars/</c>. The version in force on a day is the newest whose
/// effective date has come; overlays (office over province over national) are flattened into a <see cref="WorkingCalendar"/>
/// whose version names every file version it was built from.
/// </summary>
public sealed partial class CalendarCatalog
{
    private readonly ImmutableArray<CalendarFile> _files;

    public CalendarCatalog(IEnumerable<CalendarFile> files) => _files = [.. files.OrderBy(f => f.Id).ThenBy(f => f.Version)];

    public ImmutableArray<CalendarFile> Files => _files;

    public IEnumerable<string> Ids => _files.Select(f => f.Id).Distinct();

    public CalendarFile? InForce(string id, DateOnly day) =>
        _files.Where(f => f.Id == id && f.Effective <= day).MaxBy(f => f.Version) ?? _files.Where(f => f.Id == id).MinBy(f => f.Version);

    /// <summary>
    /// The calendar of an office at an instant: the one naming the centre, else the national one, each in the version in
    /// force on the local date of its own time zone.
    /// </summary>
    public WorkingCalendar ForCentre(string centre, DateTimeOffset at)
    {
        var inForce = Ids.Select(id => InForce(id, LocalDay(id, at))!).ToList();
        var office = inForce.FirstOrDefault(f => f.Centres.Contains(centre))
                     ?? inForce.FirstOrDefault(f => f.Scope == CalendarScope.National)
                     ?? throw new InvalidOperationException("no national calendar is defined in workflows/calendars");
        return At(office.Id, at)!;
    }

    /// <summary>The calendar <paramref name="id"/> as in force at an instant (effective dates are local dates), or null.</summary>
    public WorkingCalendar? At(string id, DateTimeOffset at) => Resolve(id, LocalDay(id, at));

    /// <summary>
    /// The date an instant falls on in the time zone of calendar <paramref name="id"/>: effective dates are local dates, so a
    /// new version comes into force at local midnight, not at midnight UTC (07:00 in Vientiane).
    /// </summary>
    public DateOnly LocalDay(string id, DateTimeOffset at)
    {
        // The zone is taken from the version in force on the UTC date: a zone never changes at the same moment as the version.
        var zone = Resolve(id, DateOnly.FromDateTime(at.UtcDateTime))?.Zone ?? TimeZoneInfo.Utc;
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
    }

    // Every command resolves its office's calendar; the flattened result only changes with the day, so it is kept.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, DateOnly), WorkingCalendar?> _resolved = new();

    /// <summary>The calendar <paramref name="id"/> in force on <paramref name="day"/> with its overlays applied, or null.</summary>
    public WorkingCalendar? Resolve(string id, DateOnly day) => _resolved.GetOrAdd((id, day), key => Flatten(key.Item1, key.Item2));

    private WorkingCalendar? Flatten(string id, DateOnly day)
    {
        var chain = new List<CalendarFile>();
        for (var file = InForce(id, day); file is not null; file = file.Extends is null ? null : InForce(file.Extends, day))
        {
            if (chain.Any(c => c.Id == file.Id)) throw new InvalidOperationException($"calendar {file.Id} extends itself");
            chain.Add(file);
        }
        if (chain.Count == 0) return null;
        var zoneId = chain.Select(c => c.TimeZone).FirstOrDefault(z => z is not null) ?? "Asia/Vientiane";
        return new WorkingCalendar(
            chain[0].Id,
            string.Join("+", chain.Select(c => c.Tag)),
            zoneId,
            Zone(zoneId),
            chain.Select(c => c.WorkingDays).FirstOrDefault(w => w is not null) ?? [DayOfWeek.Monday, DayOfWeek.Tuesday,
                DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday],
            chain.Select(c => c.Opens).FirstOrDefault(o => o is not null) ?? new TimeOnly(8, 0),
            chain.Select(c => c.Closes).FirstOrDefault(o => o is not null) ?? new TimeOnly(16, 0),
            chain.SelectMany(c => c.Holidays).GroupBy(h => h.Date).ToImmutableDictionary(g => g.Key, g => g.ToImmutableArray()));
    }

    /// <summary>
    /// Reads a start: a plain date means the start of that day, and a date and time without an offset that time, both on the
    /// calendar's own clock (its time zone); an instant with an offset or <c>Z</c> keeps it.
    /// </summary>
    /// <summary>The years a start may fall in: calendars cover working days of this era, and far dates only overflow.</summary>
    public const int FirstYear = 1900, LastYear = 2999;

    public bool TryParseStart(string text, string id, out DateTimeOffset start)
    {
        start = default;
        text = text.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            text += "T00:00";
        if (HasOffset().IsMatch(text))
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out start) && InEra(start);
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var local)) return false;
        if (local.Year is < FirstYear or > LastYear) return false;
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        var zone = Resolve(id, DateOnly.FromDateTime(local))?.Zone ?? TimeZoneInfo.Utc;
        start = new DateTimeOffset(local, zone.GetUtcOffset(local));
        return true;
    }

    private static bool InEra(DateTimeOffset at) => at.Year is >= FirstYear and <= LastYear;

    [System.Text.RegularExpressions.GeneratedRegex(@"[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$")]
    private static partial System.Text.RegularExpressions.Regex HasOffset();

    public static TimeZoneInfo Zone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException) when (id == "Asia/Vientiane")
        {
            // Hosts without a time-zone database still get the same answers: Laos keeps UTC+7 all year.
            return TimeZoneInfo.CreateCustomTimeZone(id, TimeSpan.FromHours(7), id, "ICT");
        }
    }

    /// <summary>Reads calendar files; problems go to the shared list with file and line.</summary>
    public static CalendarCatalog Parse(IEnumerable<(string Name, string Text)> files, List<DefinitionProblem> problems)
    {
        var parsed = files.Select(f => CalendarParser.Parse(f.Name, f.Text, problems)).OfType<CalendarFile>().ToList();
        foreach (var duplicate in parsed.GroupBy(f => f.Tag).Where(g => g.Count() > 1))
            foreach (var f in duplicate.Skip(1))
                problems.Add(new(f.At("version"), $"calendar {f.Tag} is also defined in {duplicate.First().Source.File}",
                    "raise the version of the newer file"));
        var ids = parsed.Select(f => f.Id).ToHashSet();
        foreach (var f in parsed.Where(f => f.Extends is not null && !ids.Contains(f.Extends)))
            problems.Add(new(f.At("extends"), $"calendar {f.Id} extends unknown calendar '{f.Extends}'"));
        foreach (var centre in parsed.SelectMany(f => f.Centres.Select(c => (c, f))).GroupBy(x => x.c)
                     .Where(g => g.Select(x => x.f.Id).Distinct().Count() > 1))
            problems.Add(new(centre.Last().f.At("centres"), $"centre {centre.Key} is named by more than one calendar"));
        return new CalendarCatalog(parsed);
    }
}

internal sealed class CalendarParser(string file, List<DefinitionProblem> problems) : YamlReader(file, problems)
{
    private static readonly string[] TopKeys = ["id", "version", "effective", "title", "scope", "extends", "timezone", "working_days",
        "hours", "centres", "holidays"];
    private static readonly string[] HolidayKeys = ["date", "from", "to", "name", "notice", "for", "provisional", "in_lieu_of"];
    private static readonly Dictionary<string, DayOfWeek> Days = new()
    {
        ["monday"] = DayOfWeek.Monday, ["tuesday"] = DayOfWeek.Tuesday, ["wednesday"] = DayOfWeek.Wednesday,
        ["thursday"] = DayOfWeek.Thursday, ["friday"] = DayOfWeek.Friday, ["saturday"] = DayOfWeek.Saturday, ["sunday"] = DayOfWeek.Sunday,
    };

    public static CalendarFile? Parse(string file, string text, List<DefinitionProblem> problems) =>
        new CalendarParser(file, problems).Calendar(text);

    private CalendarFile? Calendar(string text)
    {
        if (Load(text) is not { } root) return null;
        var before = Problems.Count;
        var keys = Keys(root, TopKeys, "a calendar");
        var id = RequiredScalar(root, keys, "id", "the calendar");
        var version = RequiredInt(root, keys, "version", min: 1);
        var title = RequiredScalar(root, keys, "title", "the calendar");
        DateOnly? effective = keys.TryGetValue("effective", out var eff) ? Date(eff.Value) : Missing<DateOnly>(root, "effective");
        var scope = CalendarScope.National;
        if (keys.TryGetValue("scope", out var sc))
            scope = Scalar(sc.Value) switch
            {
                "national" => CalendarScope.National,
                "province" => CalendarScope.Province,
                "office" => CalendarScope.Office,
                _ => Invalid<CalendarScope>(sc.Value, "scope must be national, province or office"),
            };
        if (scope != CalendarScope.National && !keys.ContainsKey("extends"))
            Problem(keys.TryGetValue("scope", out var sp) ? sp.Value : root,
                $"a {scope.ToString().ToLowerInvariant()} calendar must extend another calendar", "extends: lao-national");
        string? zone = null;
        if (keys.TryGetValue("timezone", out var tz))
        {
            zone = Scalar(tz.Value);
            try { CalendarCatalog.Zone(zone ?? ""); }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                Problem(tz.Value, $"unknown time zone '{zone}'", "e.g. Asia/Vientiane");
            }
        }
        ImmutableHashSet<DayOfWeek>? workingDays = null;
        if (keys.TryGetValue("working_days", out var wd))
        {
            var names = List(wd.Value);
            foreach (var unknown in names.Where(n => !Days.ContainsKey(n)))
                Problem(wd.Value, $"'{unknown}' is not a day of the week", "monday … sunday");
            workingDays = names.Where(Days.ContainsKey).Select(n => Days[n]).ToImmutableHashSet();
        }
        TimeOnly? opens = null, closes = null;
        if (keys.TryGetValue("hours", out var hours))
        {
            if (hours.Value is YamlMap h)
            {
                var hk = Keys(h, ["opens", "closes"], "hours");
                opens = hk.TryGetValue("opens", out var o) ? Time(o.Value) : null;
                closes = hk.TryGetValue("closes", out var c) ? Time(c.Value) : null;
                if (opens is { } a && closes is { } b && b <= a) Problem(hours.Value, "offices must close after they open");
            }
            else Problem(hours.Value, "hours must be written { opens: \"08:00\", closes: \"16:00\" }");
        }
        var holidays = keys.TryGetValue("holidays", out var hol) ? Holidays(hol.Value, id ?? "") : [];
        if (Problems.Count > before || id is null || version is null || title is null || effective is null) return null;
        return new CalendarFile
        {
            Id = id,
            Version = version.Value,
            Effective = effective.Value,
            Title = title,
            Scope = scope,
            Extends = keys.TryGetValue("extends", out var ex) ? Scalar(ex.Value) : null,
            TimeZone = zone,
            WorkingDays = workingDays,
            Opens = opens,
            Closes = closes,
            Centres = keys.TryGetValue("centres", out var ce) ? List(ce.Value) : [],
            Holidays = holidays.Select(x => x with { Calendar = $"{id}@{version}" }).ToImmutableArray(),
            Hash = DefinitionParser.HashOf(text),
            Source = new SourceSpan(File, 1, 1),
            Keys = keys.ToImmutableDictionary(k => k.Key, k => Span(k.Value.Key)),
        };
    }

    private ImmutableArray<Holiday> Holidays(YamlNode node, string calendar)
    {
        if (node is not YamlList list) { Problem(node, "holidays must be a list"); return []; }
        var result = ImmutableArray.CreateBuilder<Holiday>();
        foreach (var item in list.Items)
        {
            if (item is not YamlMap map) { Problem(item, "a holiday is written { date: 2024-05-01, name: Labour Day }"); continue; }
            var keys = Keys(map, HolidayKeys, "a holiday");
            var name = RequiredScalar(map, keys, "name", "the holiday");
            DateOnly? from, to;
            if (keys.TryGetValue("date", out var d))
            {
                from = to = Date(d.Value);
                if (keys.ContainsKey("from") || keys.ContainsKey("to")) Problem(map, "write either date or from and to, not both");
            }
            else if (keys.TryGetValue("from", out var f) && keys.TryGetValue("to", out var t))
            {
                from = Date(f.Value);
                to = Date(t.Value);
                if (from > to) Problem(t.Value, "to is before from");
            }
            else
            {
                Problem(map, "a holiday needs a date, or from and to");
                continue;
            }
            var who = Holiday.Everyone;
            if (keys.TryGetValue("for", out var w))
            {
                // A misspelt or invented group must not reopen offices on a public holiday: only known groups are accepted.
                var group = Scalar(w.Value);
                if (group is not null && Holiday.Groups.Contains(group)) who = group;
                else Problem(w.Value, $"'{group}' is not a group of staff a holiday can be for; known: {string.Join(", ", Holiday.Groups)}",
                    "leave out for: when the holiday closes offices");
            }
            var provisional = keys.TryGetValue("provisional", out var p) && Bool(p.Value);
            if (name is null || from is null || to is null) continue;
            for (var day = from.Value; day <= to.Value; day = day.AddDays(1))
                result.Add(new Holiday(day, name, keys.TryGetValue("notice", out var n) ? Scalar(n.Value) : null, who, provisional,
                    keys.TryGetValue("in_lieu_of", out var l) ? Scalar(l.Value) : null, calendar));
        }
        return result.ToImmutable();
    }

    private DateOnly? Date(YamlNode node)
    {
        if (DateOnly.TryParseExact(Scalar(node), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
        Problem(node, $"'{Scalar(node)}' is not a date", "write dates as 2024-04-13");
        return null;
    }

    private TimeOnly? Time(YamlNode node)
    {
        if (TimeOnly.TryParseExact(Scalar(node), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)) return time;
        Problem(node, $"'{Scalar(node)}' is not a time of day", "write times as \"16:00\"");
        return null;
    }

    private T? Missing<T>(YamlNode owner, string key) where T : struct
    {
        Missing(owner, key, "the calendar");
        return null;
    }
}
