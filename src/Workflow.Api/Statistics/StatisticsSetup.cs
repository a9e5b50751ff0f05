using JasperFx.Events.Daemon;

namespace Workflow.Api.Statistics;

public static class StatisticsSetup
{
    /// <summary>The public figures kept in memory for the transparency page and its open-data downloads, and the page's HTML.</summary>
    public static WebApplicationBuilder AddStatistics(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Workspace.Transparency.PublicFigures>();
        builder.Services.AddSingleton<Workspace.Transparency.PublicPage>();
        return builder;
    }

    public static WebApplication MapTransparency(this WebApplication app)
    {
        Workspace.Transparency.PublicFigures.Map(app);
        return app;
    }

    public const string DaemonSetting = "Workflow:Statistics:Daemon";

    /// <summary>
    /// How this node runs the statistics projection (setting <c>Workflow:Statistics:Daemon</c>): <c>HotCold</c> by default,
    /// so that of several nodes on one database exactly one runs it and another takes over when it stops;
    /// <c>Disabled</c> on a node that must not (the figures then wait for another node).
    /// </summary>
    public static DaemonMode StatisticsDaemon(this WebApplicationBuilder builder)
    {
        var text = builder.Configuration[DaemonSetting];
        if (string.IsNullOrWhiteSpace(text)) return DaemonMode.HotCold;
        return text.Trim().ToLowerInvariant() switch
        {
            "hotcold" => DaemonMode.HotCold,
            "disabled" => DaemonMode.Disabled,
            _ => throw new InvalidOperationException($"{DaemonSetting} is HotCold or Disabled; got '{text}'"),
        };
    }
}
