using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Localization;

namespace Workflow.Api.Workspace.Oversight;

/// <summary>One bar: its label, its whole value, and the part of it drawn as late (0 when the chart has no such part).</summary>
public sealed record Bar(string Label, int Value, int Late = 0);

/// <summary>
/// A horizontal bar chart drawn on the server as SVG: no chart library, no script; it prints and scales. The figure of each
/// bar is written beside it, so the chart reads without colour. The chart is a figure whose visible caption says in plain
/// words what is drawn, over which period and how to read it; the image is named by that caption, so a screen reader
/// announces the same words a sighted reader sees.
/// </summary>
public static class BarChart
{
    private const int LabelWidth = 310, BarArea = 380, Row = 26, Top = 8;

    /// <param name="caption">What is drawn, over which period, and how to read it ("the longer the bar, ...").</param>
    /// <param name="lateLegend">The words for the late part of a bar ("late"), or null when the bars have none.</param>
    /// <param name="empty">What the chart says when it has no bar.</param>
    public static string Figure(string id, string caption, IReadOnlyList<Bar> bars, string empty, string? lateLegend = null)
    {
        var max = Math.Max(1, bars.Count == 0 ? 1 : bars.Max(b => b.Value));
        var height = Top * 2 + Math.Max(1, bars.Count) * Row;
        var width = LabelWidth + BarArea + 90;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<figure class="chart-frame"><figcaption id="{id}-caption">{Text(caption)}</figcaption>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<svg class="chart" id="{id}" role="img" aria-labelledby="{id}-caption" """);
        svg.Append(CultureInfo.InvariantCulture,
            $"""width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">""");
        if (bars.Count == 0)
            svg.Append(CultureInfo.InvariantCulture, $"""<text class="empty" x="8" y="{Top + 17}">{Text(empty)}</text>""");
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var y = Top + i * Row;
            var whole = Math.Max(2, (int)Math.Round(BarArea * (double)bar.Value / max));
            var late = bar.Late <= 0 ? 0 : Math.Max(2, (int)Math.Round(BarArea * (double)bar.Late / max));
            var figure = lateLegend is null || bar.Late == 0 ? $"{bar.Value}" : $"{bar.Value} ({bar.Late} {lateLegend})";
            svg.Append("""<g class="bar">""");
            svg.Append(CultureInfo.InvariantCulture,
                $"""<text class="label" x="{LabelWidth - 8}" y="{y + 17}">{Text(Short(bar.Label))}</text>""");
            svg.Append(CultureInfo.InvariantCulture,
                $"""<rect class="whole" x="{LabelWidth}" y="{y + 4}" width="{whole}" height="{Row - 8}" />""");
            if (late > 0)
                svg.Append(CultureInfo.InvariantCulture,
                    $"""<rect class="late" x="{LabelWidth}" y="{y + 4}" width="{late}" height="{Row - 8}" />""");
            svg.Append(CultureInfo.InvariantCulture,
                $"""<text class="figure" x="{LabelWidth + whole + 6}" y="{y + 17}">{Text(figure)}</text>""");
            svg.Append("</g>");
        }
        svg.Append("</svg></figure>");
        return svg.ToString();
    }

    private static string Short(string label) => label.Length <= 42 ? label : label[..40] + "…";

    private static string Text(string text) => WebUtility.HtmlEncode(text);
}

/// <summary>The period a chart covers, as its caption says it: "1 June 2024 to 30 June 2024", "since …", "up to …", or all.</summary>
public static class ChartPeriod
{
    /// <param name="end">The first instant after the period (the queries take the day after the last one), or null.</param>
    public static string Of(IStringLocalizer<OversightTexts> texts, DateTimeOffset? start, DateTimeOffset? end) => (start, end) switch
    {
        ({ } from, { } to) => texts["Chart.Between", Reader.Date(from), Reader.Date(to.AddTicks(-1))],
        ({ } from, null) => texts["Chart.Since", Reader.Date(from)],
        (null, { } to) => texts["Chart.Until", Reader.Date(to.AddTicks(-1))],
        _ => texts["Chart.AllTime"],
    };
}
