using System.Net;
using System.Text.Json;

namespace Workflow.Api.Tests;

/// <summary>
/// The built <c>workflow</c> tool run as a process from a folder that is not the source tree: no workflows/ folder,
/// only a connection string. What the store holds is read from the store.
/// </summary>
public class when_the_workflow_tool_runs_outside_the_source_tree(ApiFixture api) : ApiTest(api), IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("workflow-cli-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private async Task<(int Code, ServerProcess Process)> Run(params string[] arguments) => await Run(null, arguments);

    private async Task<(int Code, ServerProcess Process)> Run(Dictionary<string, string>? environment, params string[] arguments)
    {
        // The audit tools need the chain key; the development key, as on a development store.
        environment = new Dictionary<string, string>(environment ?? [])
        {
            [Store.Audit.ChainKey.Variable] = Store.Audit.ChainKey.DevelopmentKey,
        };
        var process = ServerProcess.Cli(_folder, arguments, environment);
        return (await process.ExitAsync(), process);
    }

    [Fact]
    public async Task the_case_tools_and_the_calendar_tools_read_what_the_store_holds()
    {
        // A server started on this store keeps its catalogue there (agencies, calendars, every definition version).
        await using var server = ApiFixture.Host(Api.ConnectionString);
        var clerk = ApiFixture.Client(server, "clerk", "odsc");
        var created = await Read<Created>(await Post(clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        (await Post(clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var store = new Dictionary<string, string> { ["ConnectionStrings__Workflow"] = Api.ConnectionString };
        File.Exists(Path.Combine(_folder, "workflows", "agencies.yaml")).ShouldBeFalse();

        var cases = await Task.WhenAll(
            Run(store, "verify", "--application", created.Id.ToString()),
            Run(store, "replay", "--application", created.Id.ToString()),
            Run(store, "export", "--application", created.Id.ToString(), "--format", "json"));
        var (verify, replay, export) = (cases[0], cases[1], cases[2]);

        verify.Code.ShouldBe(0, verify.Process.AllOutput);
        verify.Process.Output.Last().ShouldContain("intact");
        replay.Code.ShouldBe(0, replay.Process.AllOutput);
        replay.Process.AllOutput.ShouldContain(created.TrackingNumber);
        export.Code.ShouldBe(0, export.Process.AllOutput);
        JsonDocument.Parse(string.Join('\n', export.Process.Output)).RootElement.GetProperty("trackingNumber").GetString()
            .ShouldBe(created.TrackingNumber);

        // Across Pi Mai, on the calendar the server loaded: the same answer as from the workflows folder.
        string[] across = ["due", "--calendar", "lao-national", "--from", "2024-04-10", "--working-days", "5"];
        var calendars = await Task.WhenAll(Run([.. across, "--connection", Api.ConnectionString]),
            Run([.. across, "--workflows", Path.Combine(ApiFixture.RepositoryRoot(), "workflows")]));
        var (due, fromFolder) = (calendars[0], calendars[1]);
        due.Code.ShouldBe(0, due.Process.AllOutput);
        due.Process.Output.Single().ShouldStartWith("2024-04-2");
        due.Process.Output.Single().ShouldBe(fromFolder.Process.Output.Single());

        var simulate = await Run(store, "simulate", "enterprise-registration", "--start", "2024-04-10",
            "--data", "enterprise_name=Mekong", "enterprise_type=sole-trader", "registered_capital=1000", "business_sector=trade",
            "has_employees=false", "province=VTE");
        simulate.Code.ShouldBe(0, simulate.Process.AllOutput);
        simulate.Process.Output.First().ShouldStartWith("enterprise-registration v1");
    }

    [Fact]
    public async Task expected_errors_are_one_line_and_exit_code_2_never_a_stack_trace()
    {
        // Independent runs, started together to keep the test short.
        var runs = await Task.WhenAll(
            Run("verify", "--connection", "Host=127.0.0.1;Port=1;Database=workflow;Username=postgres;Timeout=3"),
            Run("export", "--application", Guid.NewGuid().ToString(), "--connection", Api.ConnectionString),
            Run("verify", "--application", Guid.NewGuid().ToString(), "--connection", Api.ConnectionString),
            Run("replay", "--application", Guid.NewGuid().ToString()),
            Run("diff", "missing.yaml", "also-missing.yaml"),
            Run("due", "--calendar", "lao-national", "--from", "2024-04-10", "--working-days", "5"),
            Run("verify", "--application", "not-an-id"));
        var (unreachable, missingDiff, noCatalogue) = (runs[0], runs[4], runs[5]);

        foreach (var (code, process) in runs)
        {
            code.ShouldBe(2, process.AllOutput);
            process.Error.ShouldNotBeEmpty();
            process.AllOutput.ShouldNotContain("   at ");
            process.AllOutput.ShouldNotContain("Unhandled exception");
        }
        unreachable.Process.Error.Single().ShouldContain("cannot reach the store");
        missingDiff.Process.Error.Single().ShouldContain("missing.yaml: no such file");
        noCatalogue.Process.Error.Single().ShouldContain("--workflows");
    }

    /// <summary>What a fuzzing pass found ending in a stack trace (exit 70): each is now one line and exit code 2.</summary>
    [Fact]
    public async Task values_out_of_range_addresses_that_are_not_http_and_unwritable_outputs_are_one_line_and_exit_code_2()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        var store = new Dictionary<string, string> { ["ConnectionStrings__Workflow"] = Api.ConnectionString };
        var workflows = Path.Combine(ApiFixture.RepositoryRoot(), "workflows");
        string[] Due(string from, string days) =>
            ["due", "--calendar", "lao-national", "--from", from, "--working-days", days, "--workflows", workflows];
        string[] Publish(string server, string token) =>
            ["publish", Path.Combine(workflows, "enterprise-registration.yaml"), "--server", server, "--token", token];
        var runs = await Task.WhenAll(
            Run(Due("0001-01-01", "1")),
            Run(Due("9999-12-31", "1")),
            Run(Due("2024-01-01", "2147483647")),
            Run(Due("2024-01-01", "-5")),
            Run("simulate", "enterprise-registration", "--start", "0001-01-01", "--workflows", workflows),
            Run(store, "replay", "--application", created.Id.ToString(), "--version", "99"),
            Run("token", "--user", "u", "--role", "clerk", "--hours", "2147483647"),
            Run("token", "--user", "u", "--role", "clerk", "--signing-key", "short"),
            Run(Publish("notaurl", "x")),
            Run(Publish("ftp://127.0.0.1:1", "x")),
            Run(Publish("http://127.0.0.1:1", "x\ny")),
            Run(store, "export", "--application", created.Id.ToString(), "--format", "json", "--output", "/proc/version"));

        foreach (var (code, process) in runs)
        {
            code.ShouldBe(2, process.AllOutput);
            process.Error.Count.ShouldBe(1, process.AllOutput);
            process.AllOutput.ShouldNotContain("   at ");
        }
        runs[0].Process.Error.Single().ShouldContain("from the year 1900 to 2999");
        runs[2].Process.Error.Single().ShouldContain("--working-days");
        runs[5].Process.Error.Single().ShouldContain("there is no version 99");
        runs[9].Process.Error.Single().ShouldContain("not an http or https address");
        runs[11].Process.Error.Single().ShouldContain("cannot read or write a file");
    }

    [Fact]
    public async Task validate_never_reports_success_for_what_it_did_not_check()
    {
        var nothingHere = await Run("validate");
        nothingHere.Code.ShouldBe(2, nothingHere.Process.AllOutput);
        nothingHere.Process.Error.Single().ShouldContain("no workflows folder here");

        var missing = await Run("validate", "does-not-exist.yaml");
        missing.Code.ShouldBe(2, missing.Process.AllOutput);
        missing.Process.Error.Single().ShouldContain("does-not-exist.yaml: no such file");

        // A broken file on its own: its problems are reported, and that its agencies could not be checked.
        var broken = Path.Combine(_folder, "my-broken.yaml");
        await File.WriteAllTextAsync(broken, "id: my-broken\nversion: one\nsteps: [\n");
        var alone = await Run("validate", "my-broken.yaml");
        alone.Code.ShouldBe(1, alone.Process.AllOutput);
        alone.Process.Error.ShouldContain(l => l.StartsWith($"{broken}:") && !l.StartsWith($"{broken}:0:"));

        // A valid file outside workflows/, checked against a named folder's agencies: ok; with an unknown agency: not ok.
        var workflows = Path.Combine(ApiFixture.RepositoryRoot(), "workflows");
        var copy = Path.Combine(_folder, "licence-v2.yaml");
        var text = await File.ReadAllTextAsync(Path.Combine(workflows, "import-licence.yaml"));
        await File.WriteAllTextAsync(copy, text);
        var valid = await Run("validate", copy, "--workflows", workflows);
        valid.Code.ShouldBe(0, valid.Process.AllOutput);
        valid.Process.Output.Single().ShouldStartWith("ok  import-licence");
        var unchecked_ = await Run("validate", copy);
        unchecked_.Code.ShouldBe(1, unchecked_.Process.AllOutput);
        unchecked_.Process.Error.ShouldContain(l => l.Contains("not checked against an agency catalogue"));
        await File.WriteAllTextAsync(copy, text.Replace("agency: moh-food-drug", "agency: ministry-of-magic"));
        var wrongAgency = await Run("validate", copy, "--workflows", workflows);
        wrongAgency.Code.ShouldBe(1, wrongAgency.Process.AllOutput);
        wrongAgency.Process.Error.ShouldContain(l => l.StartsWith($"{copy}:") && l.Contains("ministry-of-magic"));

        // A calendar file is checked with the folder whose definitions count on it, never read as a definition.
        var calendar = await Run("validate", Path.Combine(workflows, "calendars", "lao-national.yaml"));
        calendar.Code.ShouldBe(0, calendar.Process.AllOutput);
        calendar.Process.Output.ShouldContain(l => l.StartsWith("ok  enterprise-registration"));
    }
}

/// <summary>The tool packed and installed the way the README shows, then run from the folder it was installed in.</summary>
[Trait("Category", "Packaging")]
public sealed class when_the_workflow_tool_is_installed : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("workflow-tool-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private async Task<ServerProcess> Dotnet(string folder, params string[] arguments)
    {
        var process = ServerProcess.Command(folder, ["dotnet", .. arguments]);
        (await process.ExitAsync()).ShouldBe(0, process.AllOutput);
        return process;
    }

    [Fact]
    public async Task it_packs_as_a_dotnet_tool_that_installs_from_a_folder_and_runs()
    {
        var packages = Path.Combine(_folder, "packages");
        var project = Path.Combine(ApiFixture.RepositoryRoot(), "src", "Workflow.Cli", "Workflow.Cli.csproj");
        await Dotnet(_folder, "pack", project, "--no-build", "-c", ServerProcess.Configuration, "-o", packages);
        // Only the packed folder as a source: the install must not depend on what a public feed serves under that name.
        await File.WriteAllTextAsync(Path.Combine(_folder, "nuget.config"),
            $"""<configuration><packageSources><clear /><add key="local" value="{packages}" /></packageSources></configuration>""");
        await Dotnet(_folder, "tool", "install", "Interagency.Workflow.Cli", "--tool-path", Path.Combine(_folder, "tools"),
            "--add-source", packages, "--configfile", Path.Combine(_folder, "nuget.config"));

        var help = ServerProcess.Command(_folder, [Path.Combine(_folder, "tools", "workflow"), "--help"]);
        (await help.ExitAsync()).ShouldBe(0, help.AllOutput);
        help.AllOutput.ShouldContain("validate");
        help.AllOutput.ShouldContain("verify");
    }
}
