using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Workflow.Benchmarks;

/// <summary>
/// The API as a process of its own, built in the configuration of this project, on the benchmark's database: what users hit,
/// with its bearer tokens, JSON, request log and access checks. Outside Development it runs with the runner's own signing and
/// chain keys; in Development (the workspace's sign-in page, or a shared test database) with the development ones.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    /// <summary>The signing key every runner mints its tokens with; the API accepts it in every environment.</summary>
    public const string SigningKey = "bench-signing-key-0123456789-0123456789-0123456789";

    /// <summary>The audit chain key every API process started outside Development is given.</summary>
    public const string ChainKey = "bench-chain-key-0123456789-0123456789-0123456789-0123";

    private readonly Process _process;

    private ApiProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The process id, for reading its memory map.</summary>
    public int Id => _process.Id;

    /// <param name="settings">Further configuration, as environment variables (e.g. <c>Workflow__Tracking__PermitsPerMinute</c>).</param>
    public static async Task<ApiProcess> StartAsync(string apiPath, string connectionString, string workflowsPath,
        string environment = "Production", IReadOnlyDictionary<string, string>? settings = null)
    {
        if (!File.Exists(apiPath)) throw new FileNotFoundException($"no API at {apiPath}: build this project in the same configuration");
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet", [apiPath]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/');
        start.Environment["ConnectionStrings__Workflow"] = connectionString;
        start.Environment["Auth__SigningKey"] = SigningKey;
        if (environment != "Development") start.Environment["Audit__ChainKey"] = ChainKey;
        start.Environment["Workflow__DefinitionsPath"] = workflowsPath;
        foreach (var (name, value) in settings ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start)!;
        // The request log is written as in production, and read (then dropped) so that the pipe never fills.
        var errors = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var api = new ApiProcess(process, address);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(90))
        {
            try
            {
                if ((await http.GetAsync(new Uri(address, "/health"))).IsSuccessStatusCode) return api;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            if (process.HasExited)
                throw new InvalidOperationException($"the API exited with code {process.ExitCode}: {(await errors).Trim()}");
            await Task.Delay(50);
        }
        await api.DisposeAsync();
        throw new TimeoutException("the API did not answer /health within 90 s");
    }

    /// <summary>Stops the process at once, as a crash or a pulled cable would: no draining of requests in flight.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
    }

    /// <summary>Resident memory of the API process, in MiB.</summary>
    public long ResidentMiB()
    {
        _process.Refresh();
        return _process.WorkingSet64 / 1024 / 1024;
    }

    /// <summary>The highest resident memory the API process has had (VmHWM), in MiB; its current one where that is not known.</summary>
    public long PeakResidentMiB()
    {
        var status = $"/proc/{_process.Id}/status";
        var line = File.Exists(status)
            ? File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            : null;
        return line is null ? ResidentMiB() : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
