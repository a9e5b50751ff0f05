using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Workflow.Core.Definitions;
using Workflow.Store;

namespace Workflow.Cli;

/// <summary>Options and wiring shared by the tools that read an existing store (verify, replay).</summary>
public static class Connection
{
    public static Option<string?> Option() => new("--connection")
    {
        Description = "PostgreSQL connection string of the store; default: the ConnectionStrings__Workflow environment variable",
    };

    public static Option<DirectoryInfo> Workflows() => new("--workflows")
    {
        Description = "the workflows folder", DefaultValueFactory = _ => new DirectoryInfo("workflows"),
    };

    public static ServiceProvider? Open(string? connection, DirectoryInfo workflows)
    {
        connection ??= Environment.GetEnvironmentVariable("ConnectionStrings__Workflow");
        if (string.IsNullOrWhiteSpace(connection))
        {
            Console.Error.WriteLine("No store to read: pass --connection or set ConnectionStrings__Workflow.");
            return null;
        }
        return new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddWorkflowStore(connection, WorkflowCatalog.Load(workflows.FullName)).BuildServiceProvider();
    }
}
