using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Store;
using Workflow.Store.Applications;
using Workflow.Store.Audit;
using Workflow.Store.Definitions;
using Workflow.Store.Postgres;

namespace Workflow.Cli;

/// <summary>
/// Replay of one case and verification of the whole store, each beside a raw read of the same events with JSON
/// deserialisation (and, for verification, hashing) measured in the same run on the same server.
/// </summary>
public static class OversightBenchCommand
{
    public static Command Create()
    {
        var streams = new Option<int>("--streams") { Description = "streams in the store for the verification run", DefaultValueFactory = _ => 100_000 };
        var workflows = new Option<DirectoryInfo>("--workflows") { Description = "the workflows folder", DefaultValueFactory = _ => new DirectoryInfo("workflows") };
        var command = new Command("bench-oversight", "Benchmark replay of a 30- and a 1,000-event case and verification of the whole store") { streams, workflows };
        command.SetAction((parse, cancellation) => RunAsync(parse.GetValue(streams), parse.GetValue(workflows)!.FullName, cancellation));
        return command;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static async Task<int> RunAsync(int streamCount, string workflowsPath, CancellationToken cancellation)
    {
        var catalog = WorkflowCatalog.Load(workflowsPath);
        await using var cluster = await PrivatePostgres.StartThrowawayAsync(durable: true);
        Console.WriteLine($"PostgreSQL: private cluster with durable commits; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(Workflow.Store.Audit.ChainKey.Development)   // a throwaway database: the development chain key
            .AddWorkflowStore(cluster.ConnectionString, catalog);
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await provider.GetRequiredService<AuditChain>().InstallAsync(cancellation);
        await provider.GetRequiredService<PinnedDefinitions>().PublishLoadedAsync(TimeProvider.System, cancellation);
        var commands = provider.GetRequiredService<ApplicationCommands>();
        var database = provider.GetRequiredService<NpgsqlDataSource>();

        var small = await CaseOf(commands, 30, cancellation);
        var large = await CaseOf(commands, 1000, cancellation);

        Console.WriteLine();
        Console.WriteLine("| replay of one case | events | raw read + deserialise p50 ms | p99 ms | replay p50 ms | p99 ms | ratio (p50) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (id, events, rounds) in new[] { (small, 30, 300), (large, 1000, 60) })
        {
            await Raw(database, id, 20);
            await Replay(store, id, 20);
            var raw = new List<double>();
            var replay = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                raw.Add(await Raw(database, id, 1));
                replay.Add(await Replay(store, id, 1));
            }
            Console.WriteLine($"| {(events == 30 ? "typical" : "long")} | {events:N0} | {Statistics.Median(raw):N2} | {Statistics.Percentile(raw, 0.99):N2} | " +
                              $"{Statistics.Median(replay):N2} | {Statistics.Percentile(replay, 0.99):N2} | {Statistics.Median(replay) / Statistics.Median(raw):N2} |");
        }

        Console.WriteLine($"Copying a two-event case into {streamCount:N0} streams (each linked as the application links its appends) ...");
        var template = await Read<Created>(commands, cancellation);
        await using (var copy = database.CreateCommand(
                         $"""
                          create temporary table bench_streams as select gen_random_uuid() as id from generate_series(1, @n);
                          insert into {WorkflowStore.Schema}.mt_streams (id, type, version, tenant_id)
                          select b.id, s.type, s.version, s.tenant_id from bench_streams b
                          cross join (select * from {WorkflowStore.Schema}.mt_streams where id = @template) s;
                          insert into {WorkflowStore.Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name, correlation_id, causation_id)
                          select nextval('{WorkflowStore.Schema}.mt_events_sequence'), gen_random_uuid(), b.id, t.version, t.data, t.type, now(), t.tenant_id,
                                 t.mt_dotnet_type, t.headers, t.user_name, t.correlation_id, t.causation_id
                          from bench_streams b
                          cross join (select * from {WorkflowStore.Schema}.mt_events where stream_id = @template) t
                          order by b.id, t.version;
                          drop table bench_streams;
                          """))
        {
            copy.CommandTimeout = 0;
            copy.Parameters.AddWithValue("n", streamCount);
            copy.Parameters.AddWithValue("template", template.Id);
            await copy.ExecuteNonQueryAsync(cancellation);
        }
        await LinkCopiesAsync(database, provider.GetRequiredService<ChainKey>(), cancellation);
        foreach (var table in new[] { "mt_events", AuditChain.Table })
        {
            await using var analyze = database.CreateCommand($"vacuum analyze {WorkflowStore.Schema}.{table}");
            analyze.CommandTimeout = 0;
            await analyze.ExecuteNonQueryAsync(cancellation);
        }

        var chain = provider.GetRequiredService<AuditChain>();
        var rawTimes = new List<double>();
        var verifyTimes = new List<double>();
        long total = 0;
        int streams = 0, broken = 0;
        for (var round = 0; round < 3; round++)
        {
            rawTimes.Add(await RawStore(database, cancellation));
            var watch = Stopwatch.StartNew();
            (streams, total) = await chain.VerifyAllAsync(_ => { broken++; return Task.CompletedTask; }, cancellation);
            verifyTimes.Add(watch.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine();
        Console.WriteLine("| whole-store verification | streams | events | raw read + deserialise + hash (median ms) | verification (median ms) | ratio |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| 3 rounds | {streams:N0} | {total:N0} | {Statistics.Median(rawTimes):N0} | {Statistics.Median(verifyTimes):N0} | " +
                          $"{Statistics.Median(verifyTimes) / Statistics.Median(rawTimes):N2} |");
        Console.WriteLine(broken == 0 ? "Every stream verified intact." : $"{broken / 3} broken stream(s)!");
        return broken == 0 ? 0 : 1;
    }

    /// <summary>The copies were written with SQL, so they get their keyed links here, computed as the application computes them.</summary>
    private static async Task LinkCopiesAsync(NpgsqlDataSource database, ChainKey key, CancellationToken cancellation)
    {
        await using var read = await database.OpenConnectionAsync(cancellation);
        await using var write = await database.OpenConnectionAsync(cancellation);
        await using var command = new NpgsqlCommand(
            $"select {AuditChain.Columns} from {WorkflowStore.Schema}.mt_events e where not exists " +
            $"(select 1 from {WorkflowStore.Schema}.{AuditChain.Table} l where l.stream_id = e.stream_id and l.version = e.version) " +
            "order by e.stream_id, e.version", read) { CommandTimeout = 0 };
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        await using var importer = await write.BeginBinaryImportAsync(
            $"copy {WorkflowStore.Schema}.{AuditChain.Table} (stream_id, version, seq_id, content_hash, link) from stdin (format binary)",
            cancellation);
        var stream = Guid.Empty;
        var previous = Array.Empty<byte>();
        while (await reader.ReadAsync(cancellation))
        {
            var e = AuditChain.Read(reader);
            if (e.StreamId != stream) (stream, previous) = (e.StreamId, []);
            previous = key.Link(e.StreamId, e.Version, e.Content, previous);
            await importer.StartRowAsync(cancellation);
            await importer.WriteAsync(e.StreamId, cancellation);
            await importer.WriteAsync(e.Version, cancellation);
            await importer.WriteAsync(e.Sequence, cancellation);
            await importer.WriteAsync(e.Content, cancellation);
            await importer.WriteAsync(previous, cancellation);
        }
        await importer.CompleteAsync(cancellation);
    }

    private sealed record Created(Guid Id);

    private static async Task<Created> Read<T>(ApplicationCommands commands, CancellationToken cancellation)
    {
        var id = Guid.CreateVersion7();
        await commands.SubmitAsync(new NewApplication(id, "enterprise-registration", "VTE", "api", new Applicant("Bench"), Statistics.Enterprise(),
            Statistics.Documents), Statistics.Clerk, new CommandContext("bench"), cancellation);
        return new Created(id);
    }

    /// <summary>A real case of (about) the given length: completeness check, then returns and corrections of the registration.</summary>
    private static async Task<Guid> CaseOf(ApplicationCommands commands, int events, CancellationToken cancellation)
    {
        var id = (await Read<Created>(commands, cancellation)).Id;
        var context = new CommandContext("bench");
        var supervisor = new Actor("bench-supervisor", "Bench supervisor", "moic-enterprise-registration", "supervisor");
        var count = (await commands.HandleAsync(id, null, new DecideStep("intake", StepOutcome.Approve, "complete", null, Statistics.Clerk), context, cancellation)).Version;
        while (count + 5 <= events)
        {
            await commands.HandleAsync(id, null, new DecideStep("register", StepOutcome.Return, "missing page", null, supervisor, "document:owner-id"), context, cancellation);
            count = (await commands.HandleAsync(id, null, new SubmitCorrection(new Dictionary<string, JsonElement>(), [], "page added", Statistics.Clerk), context, cancellation)).Version;
        }
        return id;
    }

    private static async Task<double> Replay(IDocumentStore store, Guid id, int times)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < times; i++)
        {
            await using var session = store.QuerySession();
            _ = await session.Events.AggregateStreamAsync<ApplicationDetails>(id) ?? throw new InvalidOperationException("nothing replayed");
        }
        return watch.Elapsed.TotalMilliseconds / times;
    }

    private static readonly Dictionary<string, Type> Types = ApplicationEvents.Aliases.ToDictionary(kv => kv.Value, kv => kv.Key);

    private static async Task<double> Raw(NpgsqlDataSource database, Guid id, int times)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < times; i++)
        {
            await using var command = database.CreateCommand($"select type, data from {WorkflowStore.Schema}.mt_events where stream_id = @id order by version");
            command.Parameters.AddWithValue("id", id);
            var read = new List<object?>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                read.Add(JsonSerializer.Deserialize(reader.GetString(1), Types[reader.GetString(0)], Json));
        }
        return watch.Elapsed.TotalMilliseconds / times;
    }

    private static async Task<double> RawStore(NpgsqlDataSource database, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        await using var command = database.CreateCommand(
            $"select stream_id, version, type, data::text from {WorkflowStore.Schema}.mt_events order by stream_id, version");
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            var text = reader.GetString(3);
            using var document = JsonDocument.Parse(text);
            _ = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        }
        return watch.Elapsed.TotalMilliseconds;
    }
}
