using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Workflow.Store.Postgres;

/// <summary>
/// A PostgreSQL cluster of our own, started from the machine's PostgreSQL installation, for development and tests
/// when no server is configured. initdb refuses to run as root, so as root every server command runs as the
/// <c>postgres</c> user, which then owns the data folder. It listens on 127.0.0.1 only. A data folder keeps its port
/// (file <c>workflow.port</c>) so that a connection string written down once keeps working. Stopping stops the cluster
/// only when this instance started it: a second server on the same folder attaches and leaves it running.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    public const string Database = "workflow";
    private const string PortFile = "workflow.port";

    private readonly string _bin;
    private readonly bool _removeOnStop;
    private int _stopped;

    private PrivatePostgres(string bin, string dataDirectory, int port, bool startedHere, bool removeOnStop)
    {
        _bin = bin;
        DataDirectory = dataDirectory;
        Port = port;
        StartedHere = startedHere;
        _removeOnStop = removeOnStop;
    }

    public string DataDirectory { get; }
    public int Port { get; }

    /// <summary>False when the cluster was already running (another server started it): it is then left running on stop.</summary>
    public bool StartedHere { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Database={Database};Username=postgres;Pooling=true;Maximum Pool Size=40";

    /// <summary>The shell command that stops this cluster (to give to a person, in the log).</summary>
    public string StopCommand => Shell("pg_ctl", "stop", "-m", "fast", "-D", DataDirectory);

    /// <summary>The shell command that removes every trace of it once stopped: the next start creates an empty cluster.</summary>
    public string ResetCommand => $"rm -rf {Quote(DataDirectory)}";

    /// <summary>
    /// Starts (creating it first if needed) a cluster in <paramref name="dataDirectory"/>, or attaches to it when it already runs.
    /// </summary>
    /// <param name="throwaway">For tests: no fsync, and the folder is removed on stop.</param>
    public static async Task<PrivatePostgres> StartAsync(string dataDirectory, bool throwaway = false, bool durable = false)
    {
        var bin = FindBinaries();
        Directory.CreateDirectory(dataDirectory);
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            if (Environment.UserName == "root") Run("chown", "-R", "postgres:postgres", dataDirectory);
            RunServer(bin, "initdb", ["-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale",
                "--no-instructions", .. throwaway ? new[] { "--no-sync" } : []]);
        }

        var cluster = RunningPort(bin, dataDirectory) is { } running
            ? new PrivatePostgres(bin, dataDirectory, running, startedHere: false, throwaway)
            : await StartServerAsync(bin, dataDirectory, throwaway, durable);
        try
        {
            await cluster.EnsureDatabaseAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    private static async Task<PrivatePostgres> StartServerAsync(string bin, string dataDirectory, bool throwaway, bool durable)
    {
        var portFile = Path.Combine(dataDirectory, PortFile);
        var port = File.Exists(portFile) && int.TryParse(await File.ReadAllTextAsync(portFile), out var kept) && IsFree(kept)
            ? kept
            : FreePort();
        var settings = $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200" +
                       (throwaway && !durable ? " -c fsync=off -c synchronous_commit=off -c full_page_writes=off" : "");
        if (!TryRunServer(bin, "pg_ctl", out var output,
                "start", "-w", "-t", "60", "-D", dataDirectory, "-l", Path.Combine(dataDirectory, "server.log"), "-o", settings))
        {
            // Two servers starting at once on one folder: the one that lost the race attaches to the winner's cluster.
            if (RunningPort(bin, dataDirectory) is { } running)
                return new PrivatePostgres(bin, dataDirectory, running, startedHere: false, throwaway);
            throw new PrivateDatabaseException(
                $"the private PostgreSQL in {dataDirectory} did not start: {LastLine(output)} (see its server.log)");
        }
        await File.WriteAllTextAsync(portFile, port.ToString());
        return new PrivatePostgres(bin, dataDirectory, port, startedHere: true, throwaway);
    }

    /// <summary>The port of the cluster running in the folder (from its postmaster.pid), or null when none runs.</summary>
    private static int? RunningPort(string bin, string dataDirectory)
    {
        if (!TryRunServer(bin, "pg_ctl", "status", "-D", dataDirectory)) return null;
        try
        {
            var lines = File.ReadAllLines(Path.Combine(dataDirectory, "postmaster.pid"));
            return lines.Length > 3 && int.TryParse(lines[3], out var port) ? port : null;
        }
        catch (IOException)
        {
            return null;
        }
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
            try
            {
                await create.ExecuteNonQueryAsync();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
                // Another server attached at the same moment and created it first.
            }
        }
    }

    /// <summary>Stops the cluster if this instance started it (once), and removes a throwaway folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1 || !StartedHere) return;
        NpgsqlConnection.ClearAllPools();
        await Task.Run(() => TryRunServer(_bin, "pg_ctl", "stop", "-m", "fast", "-w", "-D", DataDirectory));
        if (_removeOnStop)
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Whether a cluster runs in the folder now (for tests and tools; a data folder that does not exist has none).</summary>
    public static bool IsRunning(string dataDirectory) =>
        File.Exists(Path.Combine(dataDirectory, "PG_VERSION")) && TryRunServer(FindBinaries(), "pg_ctl", "status", "-D", dataDirectory);

    /// <summary>Stops whatever cluster runs in the folder, whoever started it (for tests that must leave nothing behind).</summary>
    public static void Stop(string dataDirectory)
    {
        if (IsRunning(dataDirectory)) TryRunServer(FindBinaries(), "pg_ctl", "stop", "-m", "immediate", "-w", "-D", dataDirectory);
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
        return bin ?? throw new PrivateDatabaseException(
            "No PostgreSQL installation found under /usr/lib/postgresql. Install PostgreSQL (apt-get install postgresql), " +
            "set WORKFLOW_POSTGRES_BIN to its bin folder, or set ConnectionStrings__Workflow to an existing server.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private string Shell(string tool, params string[] args)
    {
        var command = string.Join(' ', args.Prepend(Path.Combine(_bin, tool)).Select(Quote));
        return Environment.UserName == "root" ? $"runuser -u postgres -- {command}" : command;
    }

    private static string Quote(string word) =>
        word.All(c => char.IsLetterOrDigit(c) || "/._-=+:".Contains(c)) ? word : $"'{word.Replace("'", "'\\''")}'";

    private static string LastLine(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no output";

    private static void RunServer(string bin, string tool, params string[] args)
    {
        if (!TryRunServer(bin, tool, out var output, args))
            throw new PrivateDatabaseException($"{tool} failed: {output}");
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

/// <summary>The private PostgreSQL could not be created or started (the message says why and where to look).</summary>
public sealed class PrivateDatabaseException(string message) : Exception(message);
