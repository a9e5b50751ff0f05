using System.Security.Cryptography;
using System.Text;
using Workflow.Store.Postgres;

namespace Workflow.Api.Hosting;

public static class Database
{
    /// <summary>
    /// The configured <c>ConnectionStrings:Workflow</c>, or in Development a private PostgreSQL cluster started from the
    /// machine's installation (kept between runs in a folder named after this checkout, and stopped with the server).
    /// </summary>
    public static async Task<string> ConnectionStringAsync(this WebApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetConnectionString("Workflow");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
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
        var cluster = await PrivatePostgres.StartAsync(folder);
        builder.Services.AddSingleton(cluster);
        builder.Services.AddHostedService<PrivateDatabaseLifetime>();
        Serilog.Log.Information("No ConnectionStrings:Workflow configured: started a private PostgreSQL in {DataDirectory} on 127.0.0.1:{Port}",
            cluster.DataDirectory, cluster.Port);
        return cluster.ConnectionString;
    }

    private sealed class PrivateDatabaseLifetime(PrivatePostgres cluster) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken) => await cluster.DisposeAsync();
    }
}
