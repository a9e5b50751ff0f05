using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Workflow.Api.Tracking;

namespace Workflow.Api.Workspace.Transparency;

/// <summary>
/// The figures part of the public page as HTML, rendered once per language each time the figures are made, so that a
/// request for <c>/transparency</c> renders only the page around it: the page is asked far more often than the figures
/// change (at most once a refresh interval), and rendering every chart and table of every centre is most of its work.
/// </summary>
public sealed class PublicPage(PublicFigures figures, IServiceProvider services, ILoggerFactory logging)
{
    /// <summary>The HTML of one making of the figures, by language; replaced as a whole when the figures are made again.</summary>
    private sealed record Rendered(PublicSnapshot Snapshot, ConcurrentDictionary<string, Lazy<Task<string>>> Html);

    private volatile Rendered? _rendered;

    public async Task<string> HtmlAsync(string language, CancellationToken cancellation)
    {
        var snapshot = await figures.GetAsync(cancellation);
        var rendered = _rendered;
        if (!ReferenceEquals(rendered?.Snapshot, snapshot)) _rendered = rendered = new Rendered(snapshot, new());
        var html = rendered.Html.GetOrAdd(language, l => new Lazy<Task<string>>(() => RenderAsync(snapshot, l)));
        try
        {
            return await html.Value;
        }
        catch
        {
            rendered.Html.TryRemove(new(language, html));   // the next request tries again
            throw;
        }
    }

    private async Task<string> RenderAsync(PublicSnapshot snapshot, string language)
    {
        await using var scope = services.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, logging);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            // The texts and the dates follow the reader's language, as the request's own culture would give them.
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CitizenWords.Culture(language);
            var output = await renderer.RenderComponentAsync<PublicFiguresView>(
                ParameterView.FromDictionary(new Dictionary<string, object?> { [nameof(PublicFiguresView.Snapshot)] = snapshot }));
            return output.ToHtmlString();
        });
    }
}
