using System.Collections.Concurrent;
using System.Diagnostics;
using Workflow.Store;

namespace Workflow.Benchmarks;

/// <summary>
/// More than one node: one, two and three API processes on one PostgreSQL behind a reverse proxy, each driven for a fixed
/// time by clients that submit (with an Idempotency-Key) and approve, beside raw INSERT+COMMIT at the same concurrency.
/// In the last run one node is killed half-way: the clients retry every command not acknowledged, with the same key, and
/// the store is then checked: every acknowledged command is there exactly once, no application twice, no deadline fired twice.
/// </summary>
public static class ClusterBenchmark
{
    public sealed record Options(IReadOnlyList<int> Nodes, int Clients, double Seconds, bool Kill = true, string Environment = "Production")
    {
        public static Options Full => new([1, 2, 3], 16, 30);
        public static Options Quick => new([1, 2], 2, 3);
    }

    public sealed record Row(int Nodes, bool NodeKilled, double CommandsPerSecond, double EventsPerSecond, double RatioToRaw,
        double P50Ms, double P99Ms, int Retries, int Unacknowledged);

    public sealed record Check(int Submitted, int Applications, int DuplicatedApplications, int Approved, int ApprovedTwice,
        int DeadlinesFiredTwice, int Lost);

    private const int Attempts = 30;

    public static async Task<int> RunAsync(Options options, string workflowsPath, string? connectionString, string apiPath,
        TextWriter output, CancellationToken cancellation = default)
    {
        await using var bench = await BenchStore.StartAsync(workflowsPath, connectionString, cancellation: cancellation);
        await bench.CreateRawTableAsync();
        output.WriteLine($"PostgreSQL: {bench.Description}; {Environment.ProcessorCount} cores, .NET {Environment.Version}; " +
                         $"API nodes as processes behind a YARP reverse proxy on the same machine, {options.Clients} clients, " +
                         $"{options.Seconds:N0} s per run");

        var rows = new List<Row>();
        var checks = new List<Check>();
        foreach (var nodes in options.Nodes)
        {
            var kill = options.Kill && nodes > 1 && nodes == options.Nodes.Max();
            var raw = await Load.Time(Math.Max(200, options.Clients * 50), options.Clients, _ => bench.RawCommitAsync(cancellation));
            var (row, check) = await RunNodesAsync(bench, nodes, kill, options, workflowsPath, apiPath, raw.PerSecond, cancellation);
            rows.Add(row);
            checks.Add(check);
        }
        await bench.DropRawTableAsync();

        output.WriteLine();
        output.WriteLine("| nodes | a node killed | commands/s | events/s | ratio to raw | p50 ms | p99 ms | retries | unacknowledged |");
        output.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            output.WriteLine($"| {r.Nodes} | {(r.NodeKilled ? "yes" : "no")} | {r.CommandsPerSecond:N0} | {r.EventsPerSecond:N0} | " +
                             $"{r.RatioToRaw:P0} | {r.P50Ms:F1} | {r.P99Ms:F1} | {r.Retries:N0} | {r.Unacknowledged:N0} |");
        output.WriteLine();
        output.WriteLine("| nodes | submissions acknowledged | in the store | stored twice | approvals | approved twice " +
                         "| deadlines fired twice | lost |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (r, c) in rows.Zip(checks))
            output.WriteLine($"| {r.Nodes} | {c.Submitted:N0} | {c.Applications:N0} | {c.DuplicatedApplications} | {c.Approved:N0} | " +
                             $"{c.ApprovedTwice} | {c.DeadlinesFiredTwice} | {c.Lost} |");
        var sound = checks.All(c => c.Lost == 0 && c.DuplicatedApplications == 0 && c.ApprovedTwice == 0 && c.DeadlinesFiredTwice == 0)
                    && rows.All(r => r.Unacknowledged == 0);
        output.WriteLine(sound ? "Nothing lost, nothing twice." : "Something was lost or recorded twice!");

        Report.Print(output,
            new { benchmark = "cluster", store = bench.Description, machine = Report.Machine, options, rows, checks, sound });
        return sound ? 0 : 1;
    }

    private static async Task<(Row, Check)> RunNodesAsync(BenchStore bench, int nodes, bool kill, Options options,
        string workflowsPath, string apiPath, double rawPerSecond, CancellationToken cancellation)
    {
        var apis = new List<ApiProcess>();
        try
        {
            for (var i = 0; i < nodes; i++)
                apis.Add(await ApiProcess.StartAsync(apiPath, bench.ConnectionString, workflowsPath, options.Environment));
            await using var proxy = await ReverseProxy.StartAsync([.. apis.Select(a => a.Address)]);
            using var client = new ApiClient(proxy.Address);
            // Warm-up through the proxy, so that every node has compiled its hot paths.
            for (var i = 0; i < nodes * 20; i++)
                await client.ApproveAsync((await client.SubmitAsync(cancellation: cancellation)).Id, cancellation);

            var events = await Count(bench, "mt_events");
            var submitted = new ConcurrentDictionary<Guid, bool>();
            var latencies = new ConcurrentBag<double>();
            int retries = 0, unacknowledged = 0, commands = 0;
            var watch = Stopwatch.StartNew();
            var stop = TimeSpan.FromSeconds(options.Seconds);
            var killer = kill ? Task.Run(async () =>
            {
                await Task.Delay(stop / 2, cancellation);
                apis[0].Kill();
            }, cancellation) : Task.CompletedTask;

            // Sends one command until it is acknowledged; false when it never was.
            async Task<bool> Acknowledged(Func<int, Task> send)
            {
                var started = Stopwatch.GetTimestamp();
                for (var attempt = 1; attempt <= Attempts; attempt++)
                {
                    try
                    {
                        await send(attempt);
                        latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        Interlocked.Increment(ref commands);
                        return true;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UnexpectedAnswer)
                    {
                        Interlocked.Increment(ref retries);
                        await Task.Delay(50 * Math.Min(attempt, 10), cancellation);
                    }
                }
                Interlocked.Increment(ref unacknowledged);
                return false;
            }

            await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(_ => Task.Run(async () =>
            {
                while (watch.Elapsed < stop)
                {
                    var key = Guid.NewGuid().ToString();
                    var id = Guid.Empty;
                    if (!await Acknowledged(async _ => id = (await client.SubmitAsync(key, cancellation)).Id)) continue;
                    submitted[id] = false;
                    // A retried approval whose first attempt committed is refused as a step no longer open: the store decides.
                    if (await Acknowledged(async attempt =>
                        {
                            try { await client.ApproveAsync(id, cancellation); }
                            catch (UnexpectedAnswer e) when (attempt > 1 && e.Status == 409) { }
                        }))
                        submitted[id] = true;
                }
            }, cancellation)));
            var seconds = watch.Elapsed.TotalSeconds;
            await killer;
            var appended = await Count(bench, "mt_events") - events;
            var perSecond = commands / seconds;
            var all = latencies.ToArray();
            var row = new Row(nodes, kill, Report.Round(perSecond, 0), Report.Round(appended / seconds, 0),
                Statistics.Ratio(perSecond, rawPerSecond), Report.Round(Statistics.Percentile(all, 0.5), 1),
                Report.Round(Statistics.Percentile(all, 0.99), 1), retries, unacknowledged);
            return (row, await CheckAsync(bench, submitted, cancellation));
        }
        finally
        {
            foreach (var api in apis) await api.DisposeAsync();
        }
    }

    /// <summary>What the store holds for the acknowledged commands: each once, none lost, no deadline fired twice.</summary>
    private static async Task<Check> CheckAsync(BenchStore bench, IReadOnlyDictionary<Guid, bool> submitted, CancellationToken cancellation)
    {
        var s = WorkflowStore.Schema;
        var ids = submitted.Keys.ToArray();
        await using var command = bench.Database.CreateCommand(
            $"""
             select count(distinct st.id),
                    (select count(*) from (select e.stream_id from {s}.mt_events e where e.stream_id = any(@ids)
                       and e.type = 'application_submitted' group by e.stream_id having count(*) > 1) twice),
                    (select count(*) from (select e.stream_id from {s}.mt_events e where e.stream_id = any(@ids)
                       and e.type = 'step_approved' and e.data ->> 'stepId' = 'intake' group by e.stream_id) once),
                    (select count(*) from (select e.stream_id from {s}.mt_events e where e.stream_id = any(@ids)
                       and e.type = 'step_approved' and e.data ->> 'stepId' = 'intake' group by e.stream_id having count(*) > 1) twice),
                    (select count(*) from (select stream_id from {s}.mt_events
                       where type in ('deadline_warning_reached', 'deadline_breached', 'case_deadline_missed')
                       group by stream_id, type, data ->> 'stepId', data ->> 'dueAt' having count(*) > 1) fired)
             from {s}.mt_streams st where st.id = any(@ids)
             """);
        command.Parameters.AddWithValue("ids", ids);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        await reader.ReadAsync(cancellation);
        var applications = (int)reader.GetInt64(0);
        var approved = (int)reader.GetInt64(2);
        var acknowledgedApprovals = submitted.Count(kv => kv.Value);
        var lost = ids.Length - applications + Math.Max(0, acknowledgedApprovals - approved);
        return new Check(ids.Length, applications, (int)reader.GetInt64(1), approved, (int)reader.GetInt64(3), (int)reader.GetInt64(4),
            lost);
    }

    private static async Task<long> Count(BenchStore bench, string table)
    {
        await using var command = bench.Database.CreateCommand($"select count(*) from {WorkflowStore.Schema}.{table}");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
