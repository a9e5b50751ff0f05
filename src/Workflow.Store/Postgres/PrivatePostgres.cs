using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Workflow.Store.Postgres;

/// <summary>
/// A PostgreSQL cluster of our own, started from the machine's PostgreSQL installation, for development and tests
/// when no server is configured. initdb refuses to run as root, so as root every server command runs as the
/// <c>postgres</c> user, which then owns the data folder. It listens on 127.0.0.1 only, on a free port.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    public const string Database = "workflow";

    private readonly string _bin;
    private readonly bool _removeOnStop;

    private PrivatePostgres(string bin, string dataDirectory, int port, bool removeOnStop)
    {
        _bin = bin;
        DataDirectory = dataDirectory;
        Port = port;
        _removeOnStop = removeOnStop;
    }

    public string DataDirectory { get; }
    public int Port { get; }
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Database={Database};Username=postgres;Pooling=true;Maximum Pool Size=40";

    /// <summary>Starts (creating it first if needed) a cluster in <paramref name="dataDirectory"/>, or reuses it when it already runs.</summary>
    /// <param name="throwaway">For tests: no fsync, and the folder is removed on stop.</param>
    public static async Task<PrivatePostgres> StartAsync(string dataDirectory, bool throwaway = false, bool durable = false)
    {
        var bin = FindBinaries();
        Directory.CreateDirectory(dataDirectory);
        var asRoot = Environment.UserName == "root";
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            if (asRoot) Run("chown", "-R", "postgres:postgres", dataDirectory);
            RunServer(bin, "initdb", ["-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-instructions",
                .. throwaway ? new[] { "--no-sync" } : []]);
        }

        var portFile = Path.Combine(dataDirectory, "workflow.port");
        int port;
        if (TryRunServer(bin, "pg_ctl", "status", "-D", dataDirectory) && File.Exists(portFile))
            port = int.Parse(await File.ReadAllTextAsync(portFile));
        else
        {
            port = FreePort();
            var settings = $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200" +
                           (throwaway && !durable ? " -c fsync=off -c synchronous_commit=off -c full_page_writes=off" : "");
            RunServer(bin, "pg_ctl", "start", "-w", "-t", "60", "-D", dataDirectory, "-l", Path.Combine(dataDirectory, "server.log"), "-o", settings);
            await File.WriteAllTextAsync(portFile, port.ToString());
        }

        var cluster = new PrivatePostgres(bin, dataDirectory, port, throwaway);
        await cluster.EnsureDatabaseAsync();
        return cluster;
    }

    /// <summary>A fresh cluster in a new temporary folder, removed on stop.</summary>
    /// <param name="durable">Keep fsync on, as a production server would (benchmarks); tests run without it.</param>
    public static Task<PrivatePostgres> StartThrowawayAsync(bool durable = false) =>
        StartAsync(Path.Combine(Path.GetTempPath(), "workflow-pg-" + Guid.NewGuid().ToString("N")[..12]), throwaway: true, durable);

    private async Task EnsureDatabaseAsync()
    {
        var admin = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", Database);
        if (await exists.ExecuteScalarAsync() is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Database}", connection);
            await create.ExecuteNonQueryAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Task.Run(() => TryRunServer(_bin, "pg_ctl", "stop", "-m", "fast", "-w", "-D", DataDirectory));
        if (_removeOnStop)
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>The newest PostgreSQL under /usr/lib/postgresql, or the folder named by WORKFLOW_POSTGRES_BIN.</summary>
    public static string FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("WORKFLOW_POSTGRES_BIN") is { Length: > 0 } configured) return configured;
        const string root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (Dir: Path.Combine(d, "bin"), Major: int.TryParse(Path.GetFileName(d), out var m) ? m : 0))
                .Where(d => File.Exists(Path.Combine(d.Dir, "initdb")))
                .OrderByDescending(d => d.Major).Select(d => d.Dir).FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            "No PostgreSQL installation found under /usr/lib/postgresql. Install PostgreSQL (apt-get install postgresql), " +
            "set WORKFLOW_POSTGRES_BIN to its bin folder, or set ConnectionStrings__Workflow to an existing server.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void RunServer(string bin, string tool, params string[] args)
    {
        if (!TryRunServer(bin, tool, out var output, args))
            throw new InvalidOperationException($"{tool} failed: {output}");
    }

    private static bool TryRunServer(string bin, string tool, params string[] args) => TryRunServer(bin, tool, out _, args);

    private static bool TryRunServer(string bin, string tool, out string output, params string[] args)
    {
        var program = Path.Combine(bin, tool);
        return Environment.UserName == "root"
            ? TryRun("runuser", out output, ["-u", "postgres", "--", program, .. args])
            : TryRun(program, out output, args);
    }

    private static void Run(string program, params string[] args)
    {
        if (!TryRun(program, out var output, args)) throw new InvalidOperationException($"{program} failed: {output}");
    }

    private static bool TryRun(string program, out string output, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        output = stdout.Result + stderr.Result;
        return process.ExitCode == 0;
    }
}
