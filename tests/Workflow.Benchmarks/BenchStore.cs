using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Workflow.Core.Definitions;
using Workflow.Store;
using Workflow.Store.Applications;
using Workflow.Store.Audit;
using Workflow.Store.Definitions;
using Workflow.Store.Postgres;

namespace Workflow.Benchmarks;

/// <summary>
/// The store every runner measures: a throwaway PostgreSQL cluster with durable commits (fsync on, as a production
/// server runs), or the server named by a connection string, registered exactly as the API registers it, with the
/// schema, the audit chain and the shipped procedures in place. Baselines run against the same server in the same run.
/// </summary>
public sealed class BenchStore : IAsyncDisposable
{
    private readonly PrivatePostgres? _cluster;

    private BenchStore(PrivatePostgres? cluster, string connectionString, WorkflowCatalog catalog, ServiceProvider services)
    {
        _cluster = cluster;
        ConnectionString = connectionString;
        Catalog = catalog;
        Services = services;
    }

    public string ConnectionString { get; }
    public WorkflowCatalog Catalog { get; }
    public ServiceProvider Services { get; }
    public IDocumentStore Store => Services.GetRequiredService<IDocumentStore>();
    public ApplicationCommands Commands => Services.GetRequiredService<ApplicationCommands>();
    public NpgsqlDataSource Database => Services.GetRequiredService<NpgsqlDataSource>();
    public bool IsPrivate => _cluster is not null;

    /// <summary>The throwaway cluster's data folder; null on a server given by connection string.</summary>
    public string? DataDirectory => _cluster?.DataDirectory;

    public string Description => IsPrivate
        ? "private cluster with durable commits (fsync on), the same server for every row"
        : "configured server";

    /// <param name="connectionString">A server to use; null or empty starts a throwaway cluster.</param>
    /// <param name="clock">Application time, when the runner drives it (the deadline sweep); else the system clock.</param>
    /// <param name="statistics">Register the statistics projection, for a runner that runs the async daemon itself.</param>
    public static async Task<BenchStore> StartAsync(string workflowsPath, string? connectionString, TimeProvider? clock = null,
        CancellationToken cancellation = default, bool statistics = false)
    {
        var catalog = WorkflowCatalog.Load(workflowsPath);
        var cluster = string.IsNullOrWhiteSpace(connectionString) ? await PrivatePostgres.StartThrowawayAsync(durable: true) : null;
        connectionString = cluster?.ConnectionString ?? connectionString!;
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(ChainKey.Development)   // a throwaway database: the development chain key
            .AddWorkflowStore(connectionString, catalog, statistics ? JasperFx.Events.Daemon.DaemonMode.Disabled : null);
        if (clock is not null) services.AddSingleton(clock);
        var provider = services.BuildServiceProvider();
        var bench = new BenchStore(cluster, connectionString, catalog, provider);
        try
        {
            await bench.Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            await provider.GetRequiredService<AuditChain>().InstallAsync(cancellation);
            await provider.GetRequiredService<PinnedDefinitions>().PublishLoadedAsync(clock ?? TimeProvider.System, cancellation);
            return bench;
        }
        catch
        {
            await bench.DisposeAsync();
            throw;
        }
    }

    /// <summary>Set-up and baseline statements of the runners; no timeout, since a full-size set-up writes 100,000 rows.</summary>
    public async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Database.CreateCommand(sql);
        command.CommandTimeout = 0;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The baseline of every throughput row: one small single-row INSERT in its own transaction (autocommit).</summary>
    public async Task<Guid> RawCommitAsync(CancellationToken cancellation = default)
    {
        await using var insert = Database.CreateCommand("insert into bench_raw (body) values (@body::jsonb)");
        insert.Parameters.AddWithValue("body", """{"type":"step_approved","reason":"complete"}""");
        await insert.ExecuteNonQueryAsync(cancellation);
        return Guid.Empty;
    }

    public Task CreateRawTableAsync() =>
        ExecuteAsync("create table if not exists bench_raw (id bigserial primary key, body jsonb not null)");

    public Task DropRawTableAsync() => ExecuteAsync("drop table if exists bench_raw");

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
    }
}
