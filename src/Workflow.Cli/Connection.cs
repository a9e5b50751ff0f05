using System.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;
using Workflow.Core.Definitions;
using Workflow.Store;
using Workflow.Store.Definitions;

namespace Workflow.Cli;

/// <summary>
/// Where a command finds the store and the catalogue. The tools that read cases (verify, replay, export) read everything
/// from the store, so they work from any folder with only a connection string; the designers' tools read a workflows
/// folder when there is one, and otherwise the catalogue the store holds.
/// </summary>
public static class Connection
{
    public const string Variable = "ConnectionStrings__Workflow";

    public static Option<string?> Option() => new("--connection")
    {
        Description = $"PostgreSQL connection string of the store; default: the {Variable} environment variable",
    };

    /// <param name="orStore">The command falls back to the store's catalogue (<see cref="CatalogueAsync"/>).</param>
    public static Option<DirectoryInfo> Workflows(bool orStore = false) => new("--workflows")
    {
        Description = orStore
            ? "the workflows folder; default: ./workflows, or when there is none the catalogue of the store (--connection)"
            : "the workflows folder",
        DefaultValueFactory = _ => new DirectoryInfo("workflows"),
    };

    /// <summary>
    /// The store's services. The catalogue is the one the store holds, read only when a service needs it (reading cases
    /// needs none), and empty when no server has stored one yet. Null, after saying why on standard error, when no store
    /// is named.
    /// </summary>
    public static Task<ServiceProvider?> OpenAsync(string? connection, CancellationToken cancellation)
    {
        if (ConnectionString(connection) is not { } text)
        {
            Console.Error.WriteLine($"No store to read: pass --connection or set {Variable}.");
            return Task.FromResult<ServiceProvider?>(null);
        }
        return Task.FromResult<ServiceProvider?>(Services(text));
    }

    /// <summary>
    /// What a rebuild of the statistics needs: the store's services with the statistics projection registered, counting
    /// with the calendars of the catalogue the store holds (those the servers loaded). A console tool starts no hosted
    /// service, so no daemon runs here. Null, after saying why on standard error, when no store is named.
    /// </summary>
    public static async Task<ServiceProvider?> OpenForStatisticsAsync(string? connection, CancellationToken cancellation)
    {
        if (ConnectionString(connection) is not { } text)
        {
            Console.Error.WriteLine($"No store to read: pass --connection or set {Variable}.");
            return null;
        }
        var catalog = await StoredCatalogueAsync(text, cancellation)
                      ?? throw new CommandError("The store holds no catalogue yet (a server stores the one it loads when it starts): " +
                                                "start the server once against it, so that the rebuild counts with its calendars.");
        return new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddWorkflowStore(text, catalog, JasperFx.Events.Daemon.DaemonMode.Solo).BuildServiceProvider();
    }

    /// <summary>
    /// The catalogue for the designers' tools: the folder given with --workflows, else ./workflows when it exists, else the
    /// catalogue of the store named by --connection or the environment.
    /// </summary>
    public static async Task<WorkflowCatalog> CatalogueAsync(ParseResult parse, Option<DirectoryInfo> workflows, Option<string?> connection,
        CancellationToken cancellation)
    {
        var folder = parse.GetValue(workflows)!;
        var named = parse.GetResult(workflows) is { Implicit: false };
        if (folder.Exists || named)
        {
            if (!folder.Exists) throw new CommandError($"{folder.FullName}: no such folder");
            return WorkflowCatalog.Load(folder.FullName);
        }
        if (ConnectionString(parse.GetValue(connection)) is not { } text)
            throw new CommandError($"There is no workflows folder here: pass --workflows <folder>, or --connection (or set {Variable}) " +
                                   "to use the catalogue of a store.");
        return await StoredCatalogueAsync(text, cancellation)
               ?? throw new CommandError("The store holds no catalogue yet (a server stores the one it loads when it starts): " +
                                         "start the server once against it, or pass --workflows <folder>.");
    }

    private static string? ConnectionString(string? given) =>
        (given ?? Environment.GetEnvironmentVariable(Variable)) is { Length: > 0 } text && !string.IsNullOrWhiteSpace(text) ? text : null;

    private static async Task<WorkflowCatalog?> StoredCatalogueAsync(string connection, CancellationToken cancellation)
    {
        await using var provider = Services(connection);
        return await StoredCatalogue.LoadAsync(provider.GetRequiredService<IDocumentStore>(), cancellation);
    }

    private static ServiceProvider Services(string connection)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connection);
        }
        catch (ArgumentException e)
        {
            throw new CommandError($"The connection string is not valid: {e.Message}");
        }
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddWorkflowStore(connection, WorkflowCatalog.FromStored(null, [], []));
        // A console tool has no synchronisation context, so waiting here for the store's answer cannot deadlock.
        services.Replace(ServiceDescriptor.Singleton(sp => StoredCatalogue.LoadAsync(sp.GetRequiredService<IDocumentStore>())
            .GetAwaiter().GetResult() ?? WorkflowCatalog.FromStored(null, [], [])));
        return services.BuildServiceProvider();
    }
}

/// <summary>An expected failure of a command (usage, a missing file or folder, no store): one line, exit code 2.</summary>
public sealed class CommandError(string message) : Exception(message);
