using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Workflow.Store.Definitions;
using Workflow.Store.Identity;
using Workflow.Store.Postgres;

namespace Workflow.Api.Tests;

/// <summary>
/// One API host on a real PostgreSQL for the whole collection: the server named by ConnectionStrings__Workflow, or a
/// private throwaway cluster started from the machine's installation. Data is reset before each test.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    private PrivatePostgres? _cluster;

    private WebApplicationFactory<Program>? _clocked;
    private readonly Dictionary<string, WebApplicationFactory<Program>> _shared = [];

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;
    public string ConnectionString { get; private set; } = "";

    /// <summary>The data folder of the throwaway cluster the fixture started; null on a server given by the environment.</summary>
    public string? DataDirectory => _cluster?.DataDirectory;

    /// <summary>The time of <see cref="Clocked"/>; set back to the machine's time before each test.</summary>
    public ManualClock Clock { get; } = new(TimeProvider.System.GetUtcNow());

    /// <summary>
    /// A second host on the same database whose time the test moves by hand (<see cref="Clock"/>), started on first use
    /// and shared by every test of the collection. Its sweeper and dispatcher run only when a test calls their single pass.
    /// </summary>
    public WebApplicationFactory<Program> Clocked => _clocked ??= Host(ConnectionString, clock: Clock);

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable("ConnectionStrings__Workflow");
        if (string.IsNullOrWhiteSpace(configured))
        {
            _cluster = await PrivatePostgres.StartThrowawayAsync();
            configured = _cluster.ConnectionString;
        }
        ConnectionString = configured;
        Factory = Host(ConnectionString);
        _ = Factory.Server;
        SchemaApplied[ConnectionString] = true;
    }

    /// <summary>Databases whose schema a host of this run has applied: later hosts on them skip Marten's schema check.</summary>
    private static readonly ConcurrentDictionary<string, bool> SchemaApplied = new();

    /// <summary>
    /// A host on the given database. The deadline sweeper is off unless <paramref name="sweeper"/> is set, so that only the
    /// tests about deadlines see it fire; <paramref name="clock"/> replaces the system clock.
    /// </summary>
    public static WebApplicationFactory<Program> Host(string connectionString, string environment = "Development",
        Dictionary<string, string?>? settings = null, TimeProvider? clock = null, bool sweeper = false) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment(environment);
            b.UseSetting("ConnectionStrings:Workflow", connectionString);
            b.UseSetting("Workflow:Deadlines:Enabled", sweeper ? "true" : "false");
            b.UseSetting("Workflow:Deadlines:PollInterval", "00:00:00.200");
            b.UseSetting("Workflow:Audit:SealInterval", "00:00:00");
            // The statistics tests run the async daemon themselves, between the resets of the data.
            b.UseSetting("Workflow:Statistics:Daemon", "Disabled");
            foreach (var (key, value) in settings ?? []) b.UseSetting(key, value);
            if (clock is not null) b.ConfigureServices(services => services.AddSingleton(clock));
            if (SchemaApplied.ContainsKey(connectionString)) b.ConfigureServices(SkipSchemaCheck);
        });

    /// <summary>
    /// The collection's first host applied the schema to this database; another host would compare every table and
    /// function again at start-up (Marten's activator). The server itself always does; only test hosts on a database
    /// already done in this run skip it. Auto-create stays on: a document type first used later still gets its table.
    /// </summary>
    private static void SkipSchemaCheck(IServiceCollection services)
    {
        foreach (var activator in services.Where(d => d.ServiceType == typeof(IHostedService)
                     && d.ImplementationType?.Name == "MartenActivator").ToList())
            services.Remove(activator);
    }

    /// <summary>
    /// One host per set of settings, started on first use and shared by the tests that need that configuration (each host
    /// costs a start-up and a schema check), disposed with the collection.
    /// </summary>
    public WebApplicationFactory<Program> Shared(Dictionary<string, string?> settings)
    {
        var key = string.Join(";", settings.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}"));
        lock (_shared)
        {
            if (!_shared.TryGetValue(key, out var host)) _shared[key] = host = Host(ConnectionString, settings: settings);
            return host;
        }
    }

    /// <summary>A private copy of workflows/ (with its calendars) that a test may edit.</summary>
    public static string CopyOfWorkflows()
    {
        var copy = Directory.CreateTempSubdirectory("workflows-").FullName;
        var source = Path.Combine(RepositoryRoot(), "workflows");
        foreach (var file in Directory.GetFiles(source, "*.yaml", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return copy;
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "Workflow.sln"))) dir = dir.Parent;
        return dir.FullName;
    }

    public async Task ResetAsync()
    {
        Clock.Now = TimeProvider.System.GetUtcNow();
        var store = Factory.Services.GetRequiredService<IDocumentStore>();
        await store.Advanced.Clean.DeleteAllEventDataAsync();
        await store.Advanced.Clean.DeleteAllDocumentsAsync();
        await using (var command = Factory.Services.GetRequiredService<Npgsql.NpgsqlDataSource>()
                         .CreateCommand($"delete from {Store.WorkflowStore.Schema}.{Store.Applications.OpenDeadlines.Table}; " +
                                        $"delete from {Store.WorkflowStore.Schema}.{Store.Statistics.CaseFactsProjection.Table}; " +
                                        $"delete from {Store.WorkflowStore.Schema}.{Store.Audit.AuditChain.Table}"))
            await command.ExecuteNonQueryAsync();
        await Factory.Services.GetRequiredService<PinnedDefinitions>().PublishLoadedAsync(TimeProvider.System);
    }

    public HttpClient Client(string role, string? agency, string? user = null) => Client(Factory, role, agency, user);

    public static HttpClient Client(WebApplicationFactory<Program> factory, string role, string? agency, string? user = null)
    {
        var client = factory.CreateClient();
        var id = user ?? $"{role}-{agency ?? "all"}";
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            Tokens.Mint(id, role, agency, name: $"Test {role} of {agency ?? "all"}", centre: "VTE"));
        return client;
    }

    public HttpClient Clerk => Client(Roles.Clerk, "odsc", "clerk-vte");
    public HttpClient Auditor => Client(Roles.Auditor, null, "auditor-1");
    public HttpClient Anonymous => Factory.CreateClient();

    /// <summary>A clerk for the centre's own steps, an officer of the agency for every other step.</summary>
    public HttpClient For(string agency) => agency == "odsc" ? Clerk : Client(Roles.Officer, agency);

    public async Task<(long Events, long Documents)> CountsAsync()
    {
        // The case events; an auditor's reading adds to the access log and a publication to the record of publications,
        // neither part of any case.
        await using var session = Factory.Services.GetRequiredService<IDocumentStore>().QuerySession();
        await using var command = Factory.Services.GetRequiredService<Npgsql.NpgsqlDataSource>()
            .CreateCommand($"select count(*) from {Store.WorkflowStore.Schema}.mt_events " +
                           "where type <> 'case_file_opened' and stream_id <> @record");
        command.Parameters.AddWithValue("record", Store.Definitions.PublicationRecord.Stream);
        var events = (long)(await command.ExecuteScalarAsync())!;
        var documents = await session.Query<Store.Applications.ApplicationDetails>().CountAsync();
        return (events, documents);
    }

    public async Task DisposeAsync()
    {
        if (_clocked is not null) await _clocked.DisposeAsync();
        foreach (var host in _shared.Values) await host.DisposeAsync();
        await Factory.DisposeAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Base for API tests: resets the data before each test.</summary>
[Collection(ApiCollection.Name)]
public abstract class ApiTest(ApiFixture api) : IAsyncLifetime
{
    protected ApiFixture Api { get; } = api;

    public Task InitializeAsync() => Api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    protected static async Task<T> Read<T>(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(ApiFixture.Json))!;

    protected static Task<HttpResponseMessage> Post(HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body, ApiFixture.Json);
}
