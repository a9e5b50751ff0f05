using System.Net.Http.Json;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;
using Workflow.Store.Postgres;

namespace Workflow.Api.Tests;

/// <summary>A cluster and host of their own, so that stopping the database disturbs no other test.</summary>
public sealed class OutageFixture : IAsyncLifetime
{
    public PrivatePostgres Cluster { get; private set; } = null!;
    public WebApplicationFactory<Program> Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await PrivatePostgres.StartThrowawayAsync();
        Host = ApiFixture.Host(Cluster.ConnectionString);
        _ = Host.Server;
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>The database goes away and comes back; each test leaves it running.</summary>
public class when_the_database_goes_away_and_comes_back(OutageFixture outage) : IClassFixture<OutageFixture>
{
    private readonly PrivatePostgres _cluster = outage.Cluster;
    private readonly WebApplicationFactory<Program> _host = outage.Host;

    /// <summary>pg_ctl on this test's own cluster, on the port it had, as the postgres user when run as root.</summary>
    private void Server(string action)
    {
        var pgCtl = Path.Combine(PrivatePostgres.FindBinaries(), "pg_ctl");
        string[] args = action == "stop"
            ? ["stop", "-m", "fast", "-w", "-D", _cluster.DataDirectory]
            : ["start", "-w", "-t", "60", "-D", _cluster.DataDirectory, "-l", Path.Combine(_cluster.DataDirectory, "server.log"),
                "-o", $"-p {_cluster.Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off"];
        var start = Environment.UserName == "root" ? new ProcessStartInfo("runuser") : new ProcessStartInfo(pgCtl);
        if (Environment.UserName == "root") foreach (var a in new[] { "-u", "postgres", "--", pgCtl }) start.ArgumentList.Add(a);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
    }

    private HttpClient Clerk => ApiFixture.Client(_host, "clerk", "odsc", "clerk-vte");

    private async Task<HttpResponseMessage> Submit() => await Clerk.PostAsJsonAsync("/api/applications",
        Samples.Submission("import-licence"));

    [Fact]
    public async Task it_answers_503_with_retry_after_while_away_and_serves_the_next_request_when_back()
    {
        var created = await ApiTestReads.Read<Created>(await Submit());
        var auditor = ApiFixture.Client(_host, "auditor", null, "auditor-1");
        var anonymous = _host.CreateClient();

        Server("stop");
        var read = await auditor.GetAsync($"/api/applications/{created.Id}");
        var caseFile = await auditor.GetAsync($"/api/applications/{created.Id}/case-file");
        var write = await Submit();
        // A command on an existing application: its stream and case documents are read in one batch, which fails whole.
        var decide = await Decide(created.Id);
        var health = await anonymous.GetAsync("/health");

        foreach (var response in new[] { read, caseFile, write, decide, health })
        {
            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            response.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(5));
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }
        var said = await health.Content.ReadAsStringAsync();
        said.ShouldNotContain("127.0.0.1");
        said.ShouldNotContain(_cluster.Port.ToString());

        Server("start");
        (await auditor.GetAsync($"/api/applications/{created.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK,
            "the first request after the return");
        (await Submit()).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await auditor.GetAsync($"/api/applications/{created.Id}/case-file")).StatusCode.ShouldBe(HttpStatusCode.OK,
            "a whole-case read refused while the database was away held no turn");
        // The decision refused while the database was away wrote nothing: sent again, it is the first and only one.
        var decided = await Decide(created.Id);
        decided.StatusCode.ShouldBe(HttpStatusCode.OK);
        var answer = await ApiTestReads.Read<Created>(decided);
        answer.Version.ShouldBe(created.Version + answer.Events.Count);
        (await anonymous.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private Task<HttpResponseMessage> Decide(Guid id) =>
        Clerk.PostAsJsonAsync($"/api/applications/{id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });

    [Fact]
    public async Task after_a_restart_every_request_is_served_although_the_pool_held_connections_the_restart_killed()
    {
        var created = await ApiTestReads.Read<Created>(await Submit());
        var auditor = ApiFixture.Client(_host, "auditor", null, "auditor-1");
        var anonymous = _host.CreateClient();
        // Several connections in the pool, each of which the restart will kill: Marten's and those of plain SQL.
        await Task.WhenAll(Enumerable.Range(0, 8).SelectMany(_ => new[]
        {
            auditor.GetAsync($"/api/applications/{created.Id}"), anonymous.GetAsync("/health"), Submit(),
        }));

        Server("stop");
        Server("start");
        var answers = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            answers.Add($"health {(int)(await anonymous.GetAsync("/health")).StatusCode}");
            answers.Add($"read {(int)(await auditor.GetAsync($"/api/applications/{created.Id}")).StatusCode}");
            answers.Add($"submit {(int)(await Submit()).StatusCode}");
        }

        answers.Where(a => !a.EndsWith(" 200") && !a.EndsWith(" 201")).ShouldBeEmpty();
    }
}

internal static class ApiTestReads
{
    public static async Task<T> Read<T>(HttpResponseMessage response) =>
        (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<T>(response.Content, ApiFixture.Json))!;
}
