using System.Globalization;
using System.Net;
using System.Text;

namespace Workflow.Api.Workspace.Oversight;

/// <summary>One bar: its label, its whole value, and the part of it drawn as late (0 when the chart has no such part).</summary>
public sealed record Bar(string Label, int Value, int Late = 0);

/// <summary>
/// A horizontal bar chart drawn on the server as SVG: no chart library, no script; it prints and scales. The figure of each
/// bar is written beside it, so the chart reads without colour, and the whole is one image named by its title.
/// </summary>
public static class BarChart
{
    private const int LabelWidth = 310, BarArea = 380, Row = 26, Top = 8;

    /// <param name="lateLegend">The words for the late part of a bar ("late"), or null when the bars have none.</param>
    /// <param name="empty">What the chart says when it has no bar.</param>
    public static string Svg(string id, string title, IReadOnlyList<Bar> bars, string empty, string? lateLegend = null)
    {
        var max = Math.Max(1, bars.Count == 0 ? 1 : bars.Max(b => b.Value));
        var height = Top * 2 + Math.Max(1, bars.Count) * Row;
        var width = LabelWidth + BarArea + 90;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg class="chart" id="{id}" role="img" aria-labelledby="{id}-title" """);
        svg.Append(CultureInfo.InvariantCulture,
            $"""width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">""");
        svg.Append(CultureInfo.InvariantCulture, $"""<title id="{id}-title">{Text(title)}</title>""");
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
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Short(string label) => label.Length <= 42 ? label : label[..40] + "…";

    private static string Text(string text) => WebUtility.HtmlEncode(text);
}
