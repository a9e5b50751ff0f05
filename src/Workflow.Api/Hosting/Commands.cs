using Workflow.Store.Applications;

namespace Workflow.Api.Hosting;

public static class Commands
{
    public const string Section = "Workflow:Commands";

    /// <summary>
    /// How the API groups commands that arrive together (<see cref="CommandBatcher"/>), from <c>Workflow:Commands</c>:
    /// <c>Runners</c> batches written at once, <c>MaxBatch</c> commands in one transaction. <c>MaxBatch</c> 1 sends every
    /// command alone, as before group commit.
    /// </summary>
    public static WebApplicationBuilder AddCommandBatching(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(Section).Get<CommandBatcher.Settings>() ?? CommandBatcher.Settings.Default;
        if (settings.Runners < 1 || settings.MaxBatch < 1)
            throw new InvalidOperationException($"{Section}: Runners and MaxBatch are at least 1");
        builder.Services.AddSingleton(settings);
        return builder;
    }
}
