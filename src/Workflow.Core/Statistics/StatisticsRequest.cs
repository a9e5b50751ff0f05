using System.Globalization;
using System.Text;

namespace Workflow.Core.Statistics;

/// <summary>
/// Reads a request for statistics as the API and the CLI receive it (text), with an error per field that is wrong, so
/// both answer the same request the same way.
/// </summary>
public static class StatisticsRequest
{
    /// <summary>At most this many periods in one table: ten years of months, or a year and a half of days.</summary>
    public const int MaxPeriods = 550;

    public const int MaxNameLength = 200;

    public static StatisticsQuery? Parse(string? from, string? to, string? period, string? centre, string? agency, string? workflowId,
        string? step, string? by, IDictionary<string, string[]> errors)
    {
        var start = Day(from, "from", errors);
        var end = Day(to, "to", errors);
        var kind = PeriodKind.Month;
        if (!string.IsNullOrWhiteSpace(period))
        {
            if (Period.ParseKind(period) is { } parsed) kind = parsed;
            else errors["period"] = ["period is day, month, quarter, year or custom"];
        }
        var breakdown = by?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (breakdown?.FirstOrDefault(d => !Dimensions.All.Contains(d)) is { } unknown)
            errors["by"] = [$"by lists centre, agency, procedure or step, separated by commas; '{Shorten(unknown)}' is none of them"];
        foreach (var (name, value) in new[] { ("centre", centre), ("agency", agency), ("workflowId", workflowId), ("step", step) })
            if (value is { Length: > MaxNameLength }) errors[name] = [$"{name} has at most {MaxNameLength} characters"];
        if (start is { } s && end is { } e)
        {
            if (e < s) errors["to"] = ["to is the last day of the range: it cannot come before from"];
            else if (kind != PeriodKind.Custom && Count(kind, s, e) > MaxPeriods)
                errors["period"] = [$"at most {MaxPeriods} periods in one table: choose a longer period or a shorter range"];
        }
        if (errors.Count > 0 || start is null || end is null) return null;
        return new StatisticsQuery(kind, start.Value, end.Value, Blank(centre), Blank(agency), Blank(workflowId), Blank(step),
            breakdown is { Count: > 0 } ? breakdown.Distinct().ToList() : null);
    }

    private static int Count(PeriodKind kind, DateOnly from, DateOnly to) => kind switch
    {
        PeriodKind.Day => to.DayNumber - from.DayNumber + 1,
        PeriodKind.Month => (to.Year - from.Year) * 12 + to.Month - from.Month + 1,
        _ => to.Year - from.Year + 1,
    };

    private static DateOnly? Day(string? text, string field, IDictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors[field] = [$"{field} is required: a day such as 2026-03-01"];
            return null;
        }
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            && day.Year is >= 2000 and <= 2200)
            return day;
        errors[field] = [$"{field} is a day written as yyyy-MM-dd, such as 2026-03-01 (years 2000 to 2200)"];
        return null;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}

/// <summary>Indicator rows as CSV (RFC 4180): one header line with the columns of <see cref="IndicatorRow.Fields"/>.</summary>
public static class IndicatorCsv
{
    public static string Write(IEnumerable<IndicatorRow> rows)
    {
        var text = new StringBuilder();
        var first = true;
        foreach (var row in rows)
        {
            var fields = row.Fields();
            if (first) text.AppendLine(string.Join(',', fields.Select(f => f.Key)));
            first = false;
            text.AppendLine(string.Join(',', fields.Select(f => Quote(f.Value))));
        }
        if (first) text.AppendLine(string.Join(',', Header));
        return text.ToString();
    }

    public static IReadOnlyList<string> Header { get; } = new IndicatorRow("", default, default, null, null, null, null, 0, 0, 0, 0, 0, 0,
        0, 0, null, null, 0, null, null, new Dictionary<int, int>(), 0, 0, 0, null, [], null).Fields().Select(f => f.Key).ToList();

    /// <summary>Quotes a field that holds a comma, quote or line break; and one a spreadsheet would read as a formula.</summary>
    public static string Quote(string value)
    {
        if (value.Length > 0 && "=+-@".Contains(value[0]) && !double.TryParse(value, CultureInfo.InvariantCulture, out _))
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
    }
}
