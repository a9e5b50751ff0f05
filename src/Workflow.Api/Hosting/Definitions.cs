using Marten;
using Workflow.Core.Definitions;
using Workflow.Store.Definitions;

namespace Workflow.Api.Hosting;

public static class Definitions
{
    /// <summary>
    /// Loads <c>workflows/</c> (setting <c>Workflow:DefinitionsPath</c>, else the nearest <c>workflows</c> folder at or above
    /// the content root). An invalid folder stops the server with every problem listed.
    /// </summary>
    public static WorkflowCatalog LoadWorkflows(this WebApplicationBuilder builder)
    {
        var path = builder.Configuration["Workflow:DefinitionsPath"];
        if (string.IsNullOrWhiteSpace(path))
        {
            path = Ancestors(builder.Environment.ContentRootPath).Append(Directory.GetCurrentDirectory())
                .Select(d => Path.Combine(d, "workflows"))
                .FirstOrDefault(d => File.Exists(Path.Combine(d, WorkflowCatalog.AgencyFile)))
                ?? throw new InvalidOperationException(
                    "No workflows folder found; set Workflow:DefinitionsPath to the folder of definition files.");
        }
        var catalog = WorkflowCatalog.Load(path);
        builder.Services.AddSingleton(Sources(path));
        Serilog.Log.Information("Loaded {Count} procedures and {Agencies} agencies from {Path}",
            catalog.Latest.Length, catalog.Agencies.Length, path);
        return catalog;
    }

    /// <summary>The texts of the agency catalogue and calendars just loaded, to be kept in the store for the tools.</summary>
    public sealed record CatalogueSources(string? Agencies, IReadOnlyList<CatalogueFile> Calendars);

    private static CatalogueSources Sources(string path)
    {
        var agencies = Path.Combine(path, WorkflowCatalog.AgencyFile);
        var calendars = Path.Combine(path, WorkflowCatalog.CalendarFolder);
        return new(File.Exists(agencies) ? File.ReadAllText(agencies) : null,
            Directory.Exists(calendars)
                ? [.. Directory.EnumerateFiles(calendars)
                    .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal)
                    .Select(f => new CatalogueFile($"{WorkflowCatalog.CalendarFolder}/{Path.GetFileName(f)}", File.ReadAllText(f)))]
                : []);
    }

    private static IEnumerable<string> Ancestors(string from)
    {
        for (var dir = new DirectoryInfo(from); dir is not null; dir = dir.Parent) yield return dir.FullName;
    }

    /// <summary>
    /// Once Marten's schema exists and before any request: installs the audit hash chain on the event table, and stores
    /// the text of every loaded definition so running cases can always find theirs, with the agency catalogue and the
    /// calendars, so that the tools read from the store what this server works with.
    /// </summary>
    public sealed class Publisher(PinnedDefinitions definitions, Workflow.Store.Audit.AuditChain chain, TimeProvider clock,
        IDocumentStore store, CatalogueSources sources) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await chain.InstallAsync(cancellationToken);
            await definitions.PublishLoadedAsync(clock, cancellationToken);
            await StoredCatalogue.SaveAsync(store, sources.Agencies, sources.Calendars, clock.GetUtcNow(), cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
