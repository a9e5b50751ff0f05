using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Workflow.Core.Statistics;
using Workflow.Store.Statistics;

namespace Workflow.Api.Workspace.Transparency;

/// <summary>The resources <c>TransparencyTexts.resx</c> (English) and <c>TransparencyTexts.lo.resx</c> (Lao) of the public page.</summary>
public sealed class TransparencyTexts;

/// <summary>The published figures of one moment: the indicator rows of the recent months and both downloads, made once.</summary>
public sealed record PublicSnapshot(DateTimeOffset ComputedAt, DateTimeOffset? UpdatedAt, long Sequence, DateOnly From, DateOnly To,
    IReadOnlyList<IndicatorRow> Rows, string Csv, string Json);

/// <summary>
/// The figures anyone may read without signing in: per centre and procedure, month by month over the last twelve
/// months, from the statistics projection. Kept in memory and made again at most once a refresh interval
/// (<c>Workflow:Statistics:PublicRefresh</c>, default one minute), so the page and the downloads answer from memory.
/// Only counts, rates and durations leave here: never an applicant, a tracking number or a comment.
/// </summary>
public sealed class PublicFigures(StatisticsReader reader, TimeProvider clock, IConfiguration configuration,
    ILogger<PublicFigures> log)
{
    public const int Months = 12;
    public const string Licence = "CC BY 4.0";
    public const string LicenceUrl = "https://creativecommons.org/licenses/by/4.0/";

    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly TimeSpan _refresh = configuration.GetValue("Workflow:Statistics:PublicRefresh", TimeSpan.FromMinutes(1));
    private readonly SemaphoreSlim _making = new(1, 1);
    private volatile PublicSnapshot? _current;

    /// <summary>
    /// The figures kept. When they are older than the refresh interval they are made again beside the request, which
    /// answers with the figures kept: making them reads a year of the projection (seconds in a large store), and no reader
    /// of the public page should wait for it. Only the very first request, with nothing kept yet, waits.
    /// </summary>
    public async Task<PublicSnapshot> GetAsync(CancellationToken cancellation)
    {
        if (_current is not { } current) return await MakeAsync(whenOlderThan: _refresh, cancellation);
        if (clock.GetUtcNow() - current.ComputedAt >= _refresh && _making.Wait(0)) _ = RemakeAsync();
        return current;
    }

    /// <summary>Makes the figures again now, whatever their age.</summary>
    public Task<PublicSnapshot> RefreshAsync(CancellationToken cancellation) => MakeAsync(whenOlderThan: TimeSpan.Zero, cancellation);

    /// <summary>The figures kept, or new ones when they are older than given; one caller makes them while the others wait.</summary>
    private async Task<PublicSnapshot> MakeAsync(TimeSpan whenOlderThan, CancellationToken cancellation)
    {
        bool Fresh(PublicSnapshot? s) => s is not null && whenOlderThan > TimeSpan.Zero && clock.GetUtcNow() - s.ComputedAt < whenOlderThan;
        if (Fresh(_current)) return _current!;
        await _making.WaitAsync(cancellation);
        try
        {
            return Fresh(_current) ? _current! : _current = await MakeAsync(cancellation);
        }
        finally
        {
            _making.Release();
        }
    }

    /// <summary>Makes the figures again in the background, holding the right to make them; a failure keeps the old ones.</summary>
    private async Task RemakeAsync()
    {
        try
        {
            await Task.Yield();
            _current = await MakeAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "The public figures could not be made again; the page keeps those of {ComputedAt}", _current?.ComputedAt);
        }
        finally
        {
            _making.Release();
        }
    }

    private async Task<PublicSnapshot> MakeAsync(CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        var today = Period.LocalDay(now);
        var from = new DateOnly(today.Year, today.Month, 1).AddMonths(1 - Months);
        var query = new StatisticsQuery(PeriodKind.Month, from, today, By: [Dimensions.Centre, Dimensions.Procedure]);
        var progress = await reader.ProgressAsync(cancellation);
        var rows = await reader.IndicatorsAsync(query, cancellation);
        var json = JsonSerializer.Serialize(new
        {
            title = "Performance of the one-door service centres, month by month",
            licence = Licence,
            licenceUrl = LicenceUrl,
            updatedAt = progress.UpdatedAt,
            from,
            to = today,
            columns = IndicatorCsv.Header,
            rows = rows.Select(r => r.Fields().ToDictionary(f => f.Key, f => f.Value)),
        }, Indented);
        return new PublicSnapshot(now, progress.UpdatedAt, progress.Sequence, from, today, rows, IndicatorCsv.Write(rows), json);
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        var downloads = app.MapGroup("/transparency").AllowAnonymous().WithTags("Transparency");
        downloads.MapGet("/figures.csv", async (PublicFigures figures, HttpContext http, CancellationToken cancellation) =>
            Download(http, await figures.GetAsync(cancellation), "csv", "text/csv; charset=utf-8", s => s.Csv))
            .WithSummary("The public figures of the last twelve months as CSV (CC BY 4.0)").Produces<string>(200, "text/csv");
        downloads.MapGet("/figures.json", async (PublicFigures figures, HttpContext http, CancellationToken cancellation) =>
            Download(http, await figures.GetAsync(cancellation), "json", "application/json; charset=utf-8", s => s.Json))
            .WithSummary("The public figures of the last twelve months as JSON (CC BY 4.0)").Produces<string>(200, "application/json");
    }

    private static IResult Download(HttpContext http, PublicSnapshot snapshot, string extension, string type,
        Func<PublicSnapshot, string> body)
    {
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"odsc-performance-{snapshot.To:yyyy-MM-dd}.{extension}\"";
        http.Response.Headers["License"] = $"{Licence} {LicenceUrl}";
        return Results.Text(body(snapshot), type, Encoding.UTF8);
    }
}

/// <summary>
/// A bar chart drawn on the server as SVG, one bar per month: no chart library and no script, so it prints and scales.
/// It is a figure whose visible caption says what is drawn, over which months and how to read it, and the image is named
/// by that caption for screen readers; each bar carries its value as text above it and its month below.
/// </summary>
public static class TrendChart
{
    public sealed record Bar(string Label, double? Value, string Text);

    public static string Figure(string id, string caption, IReadOnlyList<Bar> bars, double max)
    {
        const int width = 480, height = 160, top = 18, bottom = 24;
        var slot = bars.Count == 0 ? width : (double)width / bars.Count;
        var scale = max <= 0 ? 0 : (height - top - bottom) / max;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<figure class="trend"><figcaption id="{id}-caption">""")
            .Append(WebUtility.HtmlEncode(caption)).Append("</figcaption>")
            .Append(CultureInfo.InvariantCulture, $"""<svg id="{id}" class="trend" role="img" aria-labelledby="{id}-caption" """)
            .Append(CultureInfo.InvariantCulture, $"""viewBox="0 0 {width} {height}" width="{width}" height="{height}" """)
            .Append("""xmlns="http://www.w3.org/2000/svg">""")
            .Append(CultureInfo.InvariantCulture,
                $"""<line x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#555"/>""");
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var x = i * slot;
            var h = (bar.Value ?? 0) * scale;
            var y = height - bottom - h;
            if (bar.Value is not null)
                svg.Append(CultureInfo.InvariantCulture,
                    $"""<rect x="{x + slot * 0.15:0.#}" y="{y:0.#}" width="{slot * 0.7:0.#}" height="{h:0.#}" fill="#1f5f99"/>""");
            svg.Append(CultureInfo.InvariantCulture,
                    $"""<text x="{x + slot / 2:0.#}" y="{y - 4:0.#}" text-anchor="middle" font-size="11" fill="#222">""")
                .Append(WebUtility.HtmlEncode(bar.Text)).Append("</text>")
                .Append(CultureInfo.InvariantCulture,
                    $"""<text x="{x + slot / 2:0.#}" y="{height - 8}" text-anchor="middle" font-size="11" fill="#222">""")
                .Append(WebUtility.HtmlEncode(bar.Label)).Append("</text>");
        }
        return svg.Append("</svg></figure>").ToString();
    }
}
