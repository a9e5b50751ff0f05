using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Workflow.Core.Applications;
using Workflow.Store;
using Workflow.Store.Applications;
using Workflow.Store.Audit;

namespace Workflow.Benchmarks;

/// <summary>
/// Replay of one case and verification of the whole store, each beside a raw read of the same events with JSON
/// deserialisation (and, for verification, hashing) measured in the same run on the same server.
/// </summary>
public static class OversightBenchmark
{
    /// <param name="TypicalRounds">Alternating raw reads and replays of the typical case, after <paramref name="Warmup"/> of each.</param>
    public sealed record Options(int TypicalEvents, int LongEvents, int TypicalRounds, int LongRounds, int Warmup, int Streams,
        int VerifyRounds)
    {
        public static Options Full => new(30, 1000, 300, 60, 20, 100_000, 3);
        public static Options Quick => new(30, 60, 5, 3, 2, 50, 1);
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static readonly Dictionary<string, Type> Types = ApplicationEvents.Aliases.ToDictionary(kv => kv.Value, kv => kv.Key);

    /// <param name="FetchP50Ms">Marten's <c>FetchStreamAsync</c>: the events read and wrapped with their metadata, not folded.</param>
    /// <param name="AggregateP50Ms">The replay through Marten: <c>FetchStreamAsync</c> and the same fold, as
    /// <c>AggregateStreamAsync</c> did before <see cref="ApplicationReplay"/> (the details are no longer a Marten aggregate).</param>
    /// <param name="FoldP50Ms">The fold alone over events already read, and <paramref name="FoldBytesPerEvent"/> what it allocates.</param>
    private sealed record Replay(string Case, long Events, double RawP50Ms, double RawP99Ms, double ReplayP50Ms, double ReplayP99Ms,
        double Ratio, double FetchP50Ms, double AggregateP50Ms, double AggregateP99Ms, double AggregateRatio, double FoldP50Ms,
        long FoldBytesPerEvent);

    public static async Task<int> RunAsync(Options options, string workflowsPath, string? connectionString, TextWriter output,
        CancellationToken cancellation = default)
    {
        await using var bench = await BenchStore.StartAsync(workflowsPath, connectionString, cancellation: cancellation);
        output.WriteLine($"PostgreSQL: {bench.Description}; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var commands = bench.Commands;

        var cases = new[]
        {
            ("typical", await CaseOf(commands, options.TypicalEvents, cancellation), options.TypicalRounds),
            ("long", await CaseOf(commands, options.LongEvents, cancellation), options.LongRounds),
        };
        var replays = new List<Replay>();
        var replayer = bench.Services.GetRequiredService<ApplicationReplay>();
        foreach (var (name, (id, events), rounds) in cases)
        {
            await RawRead(bench, id, options.Warmup);
            await ReplayOf(replayer, id, options.Warmup);
            await FetchOf(bench.Store, id, options.Warmup);
            await AggregateOf(bench.Store, id, options.Warmup);
            List<double> raw = [], replay = [], fetch = [], aggregate = [], fold = [];
            List<object> read;
            await using (var session = bench.Store.QuerySession())
                read = [.. (await session.Events.FetchStreamAsync(id, token: cancellation)).Select(e => e.Data)];
            var bytes = FoldOf(read, options.Warmup).Bytes;
            for (var i = 0; i < rounds; i++)
            {
                raw.Add(await RawRead(bench, id, 1));
                replay.Add(await ReplayOf(replayer, id, 1));
                fetch.Add(await FetchOf(bench.Store, id, 1));
                aggregate.Add(await AggregateOf(bench.Store, id, 1));
                fold.Add(FoldOf(read, 1).Ms);
            }
            replays.Add(new Replay(name, events, Report.Round(Statistics.Median(raw)), Report.Round(Statistics.Percentile(raw, 0.99)),
                Report.Round(Statistics.Median(replay)), Report.Round(Statistics.Percentile(replay, 0.99)),
                Statistics.Ratio(Statistics.Median(replay), Statistics.Median(raw)), Report.Round(Statistics.Median(fetch)),
                Report.Round(Statistics.Median(aggregate)), Report.Round(Statistics.Percentile(aggregate, 0.99)),
                Statistics.Ratio(Statistics.Median(aggregate), Statistics.Median(raw)), Report.Round(Statistics.Median(fold)),
                bytes / Math.Max(1, read.Count)));
        }
        output.WriteLine();
        output.WriteLine("| replay of one case | events | raw read + deserialise p50 ms | p99 ms | replay p50 ms | p99 ms | ratio (p50) |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in replays)
            output.WriteLine($"| {r.Case} | {r.Events:N0} | {r.RawP50Ms:N2} | {r.RawP99Ms:N2} | {r.ReplayP50Ms:N2} | {r.ReplayP99Ms:N2} " +
                             $"| {r.Ratio:N2} |");
        output.WriteLine();
        output.WriteLine("Where the time goes, in the same rounds: Marten's reading of the events with their metadata, its replay " +
                         "(the path before), and the fold alone over events already read.");
        output.WriteLine("| replay of one case | events | FetchStreamAsync p50 ms | FetchStreamAsync + fold p50 ms | p99 ms | ratio (p50) " +
                         "| fold alone p50 ms | fold bytes per event |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in replays)
            output.WriteLine($"| {r.Case} | {r.Events:N0} | {r.FetchP50Ms:N2} | {r.AggregateP50Ms:N2} | {r.AggregateP99Ms:N2} " +
                             $"| {r.AggregateRatio:N2} | {r.FoldP50Ms:N3} | {r.FoldBytesPerEvent:N0} |");

        output.WriteLine(
            $"Copying a two-event case into {options.Streams:N0} streams (each linked as the application links its appends) ...");
        await CopyCase(bench, options.Streams, cancellation);

        var chain = bench.Services.GetRequiredService<AuditChain>();
        var rawTimes = new List<double>();
        var verifyTimes = new List<double>();
        long total = 0;
        int streams = 0, broken = 0;
        for (var round = 0; round < options.VerifyRounds; round++)
        {
            rawTimes.Add(await RawStore(bench, cancellation));
            var watch = Stopwatch.StartNew();
            broken = 0;
            (streams, total) = await chain.VerifyAllAsync(_ => { broken++; return Task.CompletedTask; }, cancellation);
            verifyTimes.Add(watch.Elapsed.TotalMilliseconds);
        }
        var rawMs = Statistics.Median(rawTimes);
        var verifyMs = Statistics.Median(verifyTimes);
        output.WriteLine();
        output.WriteLine("| whole-store verification | streams | events | raw read + deserialise + hash (median ms) " +
                         "| verification (median ms) | ratio |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        output.WriteLine($"| {options.VerifyRounds} rounds | {streams:N0} | {total:N0} | {rawMs:N0} | {verifyMs:N0} " +
                         $"| {Statistics.Ratio(verifyMs, rawMs):N2} |");
        output.WriteLine(broken == 0 ? "Every stream verified intact." : $"{broken} broken stream(s)!");

        Report.Print(output, new
        {
            benchmark = "oversight",
            store = bench.Description,
            machine = Report.Machine,
            options,
            replay = replays,
            verification = new
            {
                streams,
                events = total,
                broken,
                rawMedianMs = Report.Round(rawMs),
                verifyMedianMs = Report.Round(verifyMs),
                ratio = Statistics.Ratio(verifyMs, rawMs),
            },
        });
        return broken == 0 ? 0 : 1;
    }

    /// <summary>A real case of about the given length: the completeness check, then returns and corrections of the registration.</summary>
    private static async Task<(Guid Id, long Events)> CaseOf(ApplicationCommands commands, int events, CancellationToken cancellation)
    {
        var id = Guid.CreateVersion7();
        await commands.SubmitAsync(Samples.Application(id), Samples.Clerk, Samples.Context, cancellation);
        var count = (await commands.HandleAsync(id, null, Samples.CompletenessCheckPassed, Samples.Context, cancellation)).Version;
        while (count + 5 <= events)
        {
            await commands.HandleAsync(id, null, new DecideStep("register", StepOutcome.Return, "missing page", null, Samples.Supervisor,
                "document:owner-id"), Samples.Context, cancellation);
            count = (await commands.HandleAsync(id, null, new SubmitCorrection(new Dictionary<string, JsonElement>(), [], "page added",
                Samples.Clerk), Samples.Context, cancellation)).Version;
        }
        return (id, count);
    }

    /// <summary>Copies the two events of a new case into many streams with one statement, then links each copy.</summary>
    private static async Task CopyCase(BenchStore bench, int streams, CancellationToken cancellation)
    {
        var template = Guid.CreateVersion7();
        await bench.Commands.SubmitAsync(Samples.Application(template), Samples.Clerk, Samples.Context, cancellation);
        var schema = WorkflowStore.Schema;
        await bench.ExecuteAsync(
            $"""
             create temporary table bench_streams as select gen_random_uuid() as id from generate_series(1, @n);
             insert into {schema}.mt_streams (id, type, version, tenant_id)
             select b.id, s.type, s.version, s.tenant_id from bench_streams b
             cross join (select * from {schema}.mt_streams where id = @template) s;
             insert into {schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers,
                                             user_name, correlation_id, causation_id)
             select nextval('{schema}.mt_events_sequence'), gen_random_uuid(), b.id, t.version, t.data, t.type, now(), t.tenant_id,
                    t.mt_dotnet_type, t.headers, t.user_name, t.correlation_id, t.causation_id
             from bench_streams b
             cross join (select * from {schema}.mt_events where stream_id = @template) t
             order by b.id, t.version;
             drop table bench_streams;
             """, ("n", streams), ("template", template));
        await LinkCopiesAsync(bench.Database, bench.Services.GetRequiredService<ChainKey>(), cancellation);
        foreach (var table in new[] { "mt_events", AuditChain.Table })
            await bench.ExecuteAsync($"vacuum analyze {schema}.{table}");
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

    /// <summary>The replay behind <c>?atVersion=</c>, the oversight case view and <c>workflow replay</c>.</summary>
    private static async Task<double> ReplayOf(ApplicationReplay replay, Guid id, int times)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < times; i++)
            _ = await replay.AsOfAsync(id) ?? throw new InvalidOperationException("nothing replayed");
        return times == 0 ? 0 : watch.Elapsed.TotalMilliseconds / times;
    }

    /// <summary>The fold of <see cref="ApplicationDetailsProjection"/> alone: time per fold and bytes allocated over all of them.</summary>
    private static (double Ms, long Bytes) FoldOf(List<object> events, int times)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < times; i++)
            _ = events.Aggregate((ApplicationDetails?)null, ApplicationDetailsProjection.Fold)
                ?? throw new InvalidOperationException("nothing folded");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return times == 0 ? (0, 0) : (watch.Elapsed.TotalMilliseconds / times, allocated / times);
    }

    private static async Task<double> AggregateOf(IDocumentStore store, Guid id, int times)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < times; i++)
        {
            await using var session = store.QuerySession();
            _ = (await session.Events.FetchStreamAsync(id)).Aggregate((ApplicationDetails?)null,
                    (details, e) => ApplicationDetailsProjection.Fold(details, e.Data))
                ?? throw new InvalidOperationException("nothing replayed");
        }
        return times == 0 ? 0 : watch.Elapsed.TotalMilliseconds / times;
    }

    private static async Task<double> FetchOf(IDocumentStore store, Guid id, int times)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < times; i++)
        {
            await using var session = store.QuerySession();
            if ((await session.Events.FetchStreamAsync(id)).Count == 0) throw new InvalidOperationException("nothing read");
        }
        return times == 0 ? 0 : watch.Elapsed.TotalMilliseconds / times;
    }

    private static async Task<double> RawRead(BenchStore bench, Guid id, int times)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < times; i++)
        {
            await using var command = bench.Database.CreateCommand(
                $"select type, data from {WorkflowStore.Schema}.mt_events where stream_id = @id order by version");
            command.Parameters.AddWithValue("id", id);
            var read = new List<object?>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                read.Add(JsonSerializer.Deserialize(reader.GetString(1), Types[reader.GetString(0)], Json));
        }
        return times == 0 ? 0 : watch.Elapsed.TotalMilliseconds / times;
    }

    private static async Task<double> RawStore(BenchStore bench, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        await using var command = bench.Database.CreateCommand(
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
