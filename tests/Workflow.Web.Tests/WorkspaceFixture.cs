using System.Net;
using System.Text.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Workflow.Api.Tests;
using Workflow.Store.Definitions;
using Workflow.Core.Applications;
using Workflow.Store.Applications;
using Workflow.Store.Postgres;

namespace Workflow.Web.Tests;

/// <summary>
/// The API host on a real loopback socket, on a real PostgreSQL (the server named by ConnectionStrings__Workflow, or a
/// private throwaway cluster), with the Debian chromium driven by Playwright. The procedures are the shipped ones, except
/// that the seal office's step needs four eyes, so that a journey can show two officers approving it. Mail goes to a real
/// SMTP server in the test (<see cref="Smtp"/>) when a test runs the dispatcher (<see cref="SendMailAsync"/>).
/// </summary>
public class WorkspaceFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private PrivatePostgres? _cluster;
    private IPlaywright? _playwright;

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;
    public string Address { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;
    public string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");
    public TestSmtpServer Smtp { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Smtp = await TestSmtpServer.StartAsync();
        var connection = Environment.GetEnvironmentVariable("ConnectionStrings__Workflow");
        if (string.IsNullOrWhiteSpace(connection))
        {
            _cluster = await PrivatePostgres.StartThrowawayAsync();
            connection = _cluster.ConnectionString;
        }
        var settings = Settings();
        settings["ConnectionStrings:Workflow"] = connection;
        settings["Workflow:DefinitionsPath"] = CopyOfWorkflows();
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Development");
            foreach (var (key, value) in settings) b.UseSetting(key, value);
        });
        Factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        Factory.StartServer();
        Address = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        Directory.CreateDirectory(Screenshots);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
    }

    /// <summary>
    /// The host's settings: no background sweeper or dispatcher (tests run them), mail to <see cref="Smtp"/>, and the
    /// tracking page's limit lifted so that journeys may track as often as they like.
    /// </summary>
    protected virtual Dictionary<string, string?> Settings()
    {
        var settings = Smtp.Settings();
        settings["Workflow:Deadlines:Enabled"] = "false";
        settings["Workflow:Notifications:Enabled"] = "false";
        settings["Workflow:Audit:SealInterval"] = "00:00:00";
        // The statistics journeys run the async daemon themselves, between the resets of the data.
        settings["Workflow:Statistics:Daemon"] = "Disabled";
        settings["Workflow:Tracking:PermitsPerMinute"] = "1000";
        settings["urls"] = "http://127.0.0.1:0";
        return settings;
    }

    /// <summary>Runs the notification dispatcher until the outbox has nothing due: what the background service would do.</summary>
    public async Task SendMailAsync()
    {
        var dispatcher = Factory.Services.GetRequiredService<Workflow.Api.Notifications.NotificationDispatcher>();
        while (await dispatcher.DispatchOnceAsync() > 0) { }
    }

    private static string CopyOfWorkflows()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "Workflow.sln"))) dir = dir.Parent;
        var source = Path.Combine(dir.FullName, "workflows");
        var copy = Directory.CreateTempSubdirectory("workspace-workflows-").FullName;
        foreach (var file in Directory.GetFiles(source, "*.yaml", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var text = File.ReadAllText(file);
            if (Path.GetFileName(file) == "enterprise-registration.yaml")
                text = text.Replace("    agency: mops-seal-office\n", "    agency: mops-seal-office\n    four_eyes: true\n");
            File.WriteAllText(target, text);
        }
        return copy;
    }

    public async Task ResetAsync()
    {
        var store = Factory.Services.GetRequiredService<IDocumentStore>();
        await store.Advanced.Clean.DeleteAllEventDataAsync();
        await store.Advanced.Clean.DeleteAllDocumentsAsync();
        await using (var command = Factory.Services.GetRequiredService<Npgsql.NpgsqlDataSource>()
                         .CreateCommand($"delete from {Store.WorkflowStore.Schema}.{Store.Applications.OpenDeadlines.Table}; " +
                                        $"delete from {Store.WorkflowStore.Schema}.{Store.Statistics.CaseFactsProjection.Table}; " +
                                        $"delete from {Store.WorkflowStore.Schema}.{Store.Audit.AuditChain.Table}; " +
                                        $"delete from {Store.WorkflowStore.Schema}.{Store.Notifications.Outbox.Table}"))
            await command.ExecuteNonQueryAsync();
        Smtp.Received.Clear();
        await Factory.Services.GetRequiredService<PinnedDefinitions>().PublishLoadedAsync(TimeProvider.System);
    }

    /// <summary>
    /// An application received by the clerk and declared complete, sent through the command shell (the host may take its
    /// bearer tokens from an identity provider), so that its registration step is open at the registry.
    /// </summary>
    public async Task<Guid> CaseAtTheRegistryAsync()
    {
        var commands = Factory.Services.GetRequiredService<ApplicationCommands>();
        var clerk = new Actor("clerk-vte", "Khamla Vongsa", "odsc", "clerk", "VTE");
        var data = JsonSerializer.SerializeToElement(new
        {
            enterprise_name = "Mekong Rice Trading", enterprise_type = "sole-trader", registered_capital = 50_000_000,
            business_sector = "wholesale", has_employees = false, province = "Vientiane Capital",
        }).EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        var context = new CommandContext("registry-case", Channel: "counter");
        var created = await commands.SubmitAsync(new NewApplication(Guid.NewGuid(), "enterprise-registration", "VTE", "counter",
            new Applicant("Somchai Phommavong"), data, ["application-form", "owner-id"]), clerk, context);
        await commands.HandleAsync(created.Id, null, new DecideStep("intake", StepOutcome.Approve, "complete", null, clerk), context);
        return created.Id;
    }

    /// <summary>A fresh browser window (its own cookies) for one person, reading the given language.</summary>
    public async Task<IPage> WindowAsync(string language = "en")
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = Address, Locale = language == "lo" ? "lo-LA" : "en-GB" });
        context.SetDefaultTimeout(10_000);
        return await context.NewPageAsync();
    }

    public virtual async Task DisposeAsync()
    {
        if (_playwright is not null)
        {
            await Browser.DisposeAsync();
            _playwright.Dispose();
        }
        await Factory.DisposeAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class WorkspaceCollection : ICollectionFixture<WorkspaceFixture>
{
    public const string Name = "workspace";
}

/// <summary>Base for browser journeys: resets the data before each test; helpers read as what a person does.</summary>
[Collection(WorkspaceCollection.Name)]
public abstract class Journey(WorkspaceFixture workspace) : IAsyncLifetime
{
    protected WorkspaceFixture Workspace { get; } = workspace;

    public Task InitializeAsync() => Workspace.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Opens the development sign-in page and signs in as the named person (by the user id on the button's form).</summary>
    protected static async Task SignInAsync(IPage page, string userId)
    {
        await page.GotoAsync("/account/sign-in");
        await page.Locator($"form:has(input[name=person][value='{userId}']) button").ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    protected static async Task ChooseLanguageAsync(IPage page, string language)
    {
        await page.GetByRole(AriaRole.Combobox, new() { Name = language == "lo" ? "Language" : "ພາສາ", Exact = true })
            .SelectOptionAsync(language);
        await page.GetByRole(AriaRole.Button, new() { Name = language == "lo" ? "Change language" : "ປ່ຽນພາສາ" }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    /// <param name="fullPage">False for a page too long to draw whole: what the window shows.</param>
    protected async Task ScreenshotAsync(IPage page, string name, bool fullPage = true) =>
        await page.ScreenshotAsync(new() { Path = Path.Combine(Workspace.Screenshots, $"{name}.png"), FullPage = fullPage });

    /// <summary>No critical or serious accessibility violation on the page as it is now (axe-core, injected by the test).</summary>
    protected static async Task AccessibleAsync(IPage page)
    {
        var result = await page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "critical" or "serious")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}").ToList();
        bad.ShouldBeEmpty(string.Join(Environment.NewLine, bad));
    }
}
