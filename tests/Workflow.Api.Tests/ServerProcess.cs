using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Workflow.Api.Tests;

/// <summary>
/// The built API, the built <c>workflow</c> tool or another command run as a real process, as an operator runs it.
/// Output lines are collected as they come; <see cref="ReadyAsync"/> waits for the line that says the server listens,
/// or for the exit.
/// Disposing kills whatever still runs, so a failing test leaves no process behind.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) { _outputClosed.TrySetResult(); return; }
            Output.Enqueue(e.Data);
            if (e.Data.Contains("Now listening on:", StringComparison.Ordinal)) _ready.TrySetResult(true);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) { _errorClosed.TrySetResult(); return; }
            Error.Enqueue(e.Data);
        };
        _process.Exited += (_, _) => _ready.TrySetResult(false);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public ConcurrentQueue<string> Output { get; } = new();
    public ConcurrentQueue<string> Error { get; } = new();

    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    public static string ApiAssembly =>
        Path.Combine(ApiFixture.RepositoryRoot(), "src", "Workflow.Api", "bin", Configuration, "net10.0", "Workflow.Api.dll");

    public static string CliAssembly =>
        Path.Combine(ApiFixture.RepositoryRoot(), "src", "Workflow.Cli", "bin", Configuration, "net10.0", "workflow.dll");

    /// <summary><c>dotnet Workflow.Api.dll</c> in Development, with a private database in <paramref name="dataDirectory"/>.</summary>
    public static ServerProcess Api(string url, string dataDirectory, Dictionary<string, string>? environment = null) =>
        new(Start(["dotnet", ApiAssembly], Path.GetTempPath(), new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = url,
            ["Workflow__PrivateDatabase__DataDirectory"] = dataDirectory,
            ["Workflow__DefinitionsPath"] = Path.Combine(ApiFixture.RepositoryRoot(), "workflows"),
            ["Workflow__Deadlines__Enabled"] = "false",
            ["Workflow__Audit__SealInterval"] = "00:00:00",
        }.Concat(environment ?? []).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Value)));

    /// <summary><c>dotnet run</c> on the API project, as a developer starts it (its launch profile applies).</summary>
    public static ServerProcess DotnetRun(string url, string dataDirectory) =>
        new(Start(["dotnet", "run", "--no-build", "-c", Configuration, "--project", Path.Combine("src", "Workflow.Api")],
            ApiFixture.RepositoryRoot(), new()
            {
                ["ASPNETCORE_URLS"] = url,
                ["Workflow__PrivateDatabase__DataDirectory"] = dataDirectory,
                ["Workflow__Deadlines__Enabled"] = "false",
                ["Workflow__Audit__SealInterval"] = "00:00:00",
            }));

    /// <summary>The built <c>workflow</c> tool in <paramref name="folder"/>, with only the given environment added.</summary>
    public static ServerProcess Cli(string folder, string[] arguments, Dictionary<string, string>? environment = null) =>
        new(Start(["dotnet", CliAssembly, .. arguments], folder, environment ?? []));

    /// <summary>Any command in <paramref name="folder"/> (dotnet pack, an installed tool).</summary>
    public static ServerProcess Command(string folder, string[] command) => new(Start(command, folder, []));

    private static ProcessStartInfo Start(string[] command, string folder, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(command[0]) { WorkingDirectory = folder };
        foreach (var argument in command.Skip(1)) start.ArgumentList.Add(argument);
        start.Environment.Remove("ConnectionStrings__Workflow");
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        return start;
    }

    /// <summary>True once the server listens; false when the process ended first.</summary>
    public async Task<bool> ReadyAsync() => await _ready.Task.WaitAsync(Patience);

    /// <summary>Asks the process to stop as a service manager would (SIGTERM) and waits for its exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await kill.WaitForExitAsync();
        return await ExitAsync();
    }

    /// <summary>Waits for the process to end by itself and for all its output.</summary>
    public async Task<int> ExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Patience);
        await Task.WhenAll(_outputClosed.Task, _errorClosed.Task).WaitAsync(Patience);
        return _process.ExitCode;
    }

    public string AllOutput => string.Join(Environment.NewLine, Output.Concat(Error));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(Patience);
            }
        }
        catch (InvalidOperationException)
        {
            // It ended between the check and the kill.
        }
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
