using System.Diagnostics;

namespace Workflow.Benchmarks;

/// <summary>
/// One measured run: operations per second, each operation's latency, what each returned, and how many failed; where measured,
/// the CPU time per operation of the API process and of the database server.
/// </summary>
public sealed record Run(double PerSecond, double[] LatenciesMs, IReadOnlyList<Guid> Ids, int Errors = 0, double? ApiCpuMs = null,
    double? DatabaseCpuMs = null);

/// <summary>Runs a number of operations spread over concurrent callers, as the console runners measure them.</summary>
public static class Load
{
    /// <summary>
    /// Runs <paramref name="n"/> operations over <paramref name="clients"/> concurrent callers; an operation that throws counts as an
    /// error (its latency is kept, its id is empty) when <paramref name="countErrors"/>, else the exception ends the run.
    /// </summary>
    public static async Task<Run> Time(int n, int clients, Func<int, Task<Guid>> operation, bool countErrors = false)
    {
        var latencies = new double[n];
        var ids = new Guid[n];
        var next = -1;
        var errors = 0;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < n; i = Interlocked.Increment(ref next))
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    ids[i] = await operation(i);
                }
                catch (Exception) when (countErrors)
                {
                    Interlocked.Increment(ref errors);
                }
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        })));
        return new Run(n / total.Elapsed.TotalSeconds, latencies, ids, errors);
    }
}
