using System.Security.Cryptography;
using System.Text;
using Workflow.Store.Postgres;

namespace Workflow.Api.Hosting;

/// <summary>The store's connection string, and the private cluster behind it when none is configured.</summary>
public sealed record DatabaseSettings(string ConnectionString, PrivatePostgres? Cluster);

public static class Database
{
    /// <summary>
    /// The configured <c>ConnectionStrings:Workflow</c>, or in Development a private PostgreSQL cluster started from the
    /// machine's installation (kept between runs in a folder named after this checkout, on the same port each time).
    /// The server stops the cluster when it stops only if it started it; a second server on the same folder attaches.
    /// </summary>
    public static async Task<DatabaseSettings> AddDatabaseAsync(this WebApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetConnectionString("Workflow");
        if (!string.IsNullOrWhiteSpace(configured)) return new(configured, null);
        if (!builder.Environment.IsDevelopment())
            throw new InvalidOperationException(
                "ConnectionStrings:Workflow is not set. Set ConnectionStrings__Workflow to a PostgreSQL connection string " +
                "(a private database is started only in Development).");

        var folder = builder.Configuration["Workflow:PrivateDatabase:DataDirectory"];
        if (string.IsNullOrWhiteSpace(folder))
        {
            var checkout = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.Environment.ContentRootPath)))[..10];
            folder = Path.Combine(Path.GetTempPath(), $"workflow-postgres-{checkout}");
        }
        var cluster = await PrivatePostgres.StartAsync(Path.GetFullPath(folder));
        builder.Services.AddSingleton(cluster);
        builder.Services.AddHostedService<PrivateDatabaseLifetime>();
        Serilog.Log.Information(
            "No ConnectionStrings:Workflow configured: {Started} private PostgreSQL in {DataDirectory}. " +
            "Connection string (for the CLI's --connection or ConnectionStrings__Workflow): {ConnectionString}. " +
            "{StoppedWith}. Stop it by hand: {StopCommand}; reset it (every application is lost): stop it, then {ResetCommand}",
            cluster.StartedHere ? "started a" : "attached to the running", cluster.DataDirectory, cluster.ConnectionString,
            cluster.StartedHere
                ? "This server stops it when it stops"
                : "It keeps running when this server stops (the server that started it stops it)",
            cluster.StopCommand, cluster.ResetCommand);
        return new(cluster.ConnectionString, cluster);
    }

    private sealed class PrivateDatabaseLifetime(PrivatePostgres cluster) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken) => await cluster.DisposeAsync();
    }
}
