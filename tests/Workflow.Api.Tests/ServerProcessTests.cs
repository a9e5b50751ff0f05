using System.Net;
using System.Net.Sockets;
using Workflow.Store.Postgres;

namespace Workflow.Api.Tests;

/// <summary>
/// The server as a process of its own, the way ministry IT staff start and stop it: a private database in a temporary
/// folder, real ports, exit codes and what it prints. Every process and cluster a test starts is stopped at its end.
/// </summary>
public sealed class when_an_operator_runs_the_server : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "workflow-ops-" + Guid.NewGuid().ToString("N")[..10]);

    public void Dispose()
    {
        PrivatePostgres.Stop(_data);
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static async Task<HttpStatusCode> Health(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return (await http.GetAsync($"{url}/health")).StatusCode;
    }

    [Fact]
    public async Task a_second_server_on_the_same_data_directory_leaves_the_first_ones_database_running()
    {
        // The first is started as a developer does (dotnet run): ASPNETCORE_URLS must win over the launch profile.
        var first = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        await using var one = ServerProcess.DotnetRun(first, _data);
        (await one.ReadyAsync()).ShouldBeTrue(one.AllOutput);
        one.Output.ShouldContain(l => l.Contains($"Now listening on: {first}"), one.AllOutput);
        (await Health(first)).ShouldBe(HttpStatusCode.OK);
        var started = one.Output.Single(l => l.Contains("private PostgreSQL"));
        started.ShouldContain("started a private PostgreSQL");
        started.ShouldContain("Host=127.0.0.1;Port=");
        started.ShouldContain("pg_ctl stop");
        var port = started[(started.IndexOf("Port=", StringComparison.Ordinal) + 5)..].Split(';')[0];

        var second = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        await using (var two = ServerProcess.Api(second, _data))
        {
            (await two.ReadyAsync()).ShouldBeTrue(two.AllOutput);
            two.Output.ShouldContain(l => l.Contains("attached to the running private PostgreSQL") && l.Contains($"Port={port};"),
                two.AllOutput);
            (await two.StopAsync()).ShouldBe(0, two.AllOutput);
        }

        PrivatePostgres.IsRunning(_data).ShouldBeTrue();
        (await Health(first)).ShouldBe(HttpStatusCode.OK);

        (await one.StopAsync()).ShouldBe(0, one.AllOutput);
        PrivatePostgres.IsRunning(_data).ShouldBeFalse("the server that started the cluster stops it");
    }

    [Fact]
    public async Task the_private_database_of_a_data_directory_comes_back_on_the_same_port()
    {
        int port;
        await using (var cluster = await PrivatePostgres.StartAsync(_data))
        {
            cluster.StartedHere.ShouldBeTrue();
            port = cluster.Port;
        }
        PrivatePostgres.IsRunning(_data).ShouldBeFalse();

        // A connection string written down from the log keeps working after a restart.
        await using var again = await PrivatePostgres.StartAsync(_data);
        again.Port.ShouldBe(port);
        await using var connection = new Npgsql.NpgsqlConnection(again.ConnectionString);
        await connection.OpenAsync();
    }

    [Fact]
    public async Task a_port_in_use_stops_the_start_with_one_line_and_exit_code_3_and_leaves_no_database_behind()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";

        await using var server = ServerProcess.Api(url, _data);
        (await server.ReadyAsync()).ShouldBeFalse();

        (await server.ExitAsync()).ShouldBe(3, server.AllOutput);
        server.Error.Count.ShouldBe(1, server.AllOutput);
        server.Error.Single().ShouldContain($"cannot listen on {url}: the address is in use");
        server.AllOutput.ShouldNotContain("   at ", customMessage: server.AllOutput);
        File.Exists(Path.Combine(_data, "PG_VERSION")).ShouldBeTrue("the private database was started before the port was tried");
        PrivatePostgres.IsRunning(_data).ShouldBeFalse();
    }

    [Fact]
    public async Task outside_development_a_missing_signing_key_stops_the_start_with_one_line_and_exit_code_2()
    {
        await using var server = ServerProcess.Api($"http://127.0.0.1:{ServerProcess.FreePort()}", _data, new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Workflow"] = "Host=127.0.0.1;Port=1;Database=workflow;Username=workflow",
            ["Audit__ChainKey"] = "a-chain-key-of-at-least-thirty-two-characters",
        });

        (await server.ExitAsync()).ShouldBe(2, server.AllOutput);
        server.Error.Count.ShouldBe(1, server.AllOutput);
        server.Error.Single().ShouldStartWith("workflow-api: cannot start:");
        server.Error.Single().ShouldContain("Auth:SigningKey");
        server.AllOutput.ShouldNotContain("   at ", customMessage: server.AllOutput);
    }
}
