using JasperFx.Events.Daemon;
using Marten;
using Npgsql;

namespace Workflow.Store.Statistics;

/// <summary>A server's statistics daemon holds the projection: a rebuild now would count the same events twice.</summary>
public sealed class StatisticsDaemonRunning(string message) : Exception(message);

/// <summary>
/// Folds every event again into the case facts and the running totals, from nothing: after a calendar version that
/// takes effect on past days (the totals count working days with the calendars the daemon was started with), or for a
/// store whose facts were projected before the totals existed. The rebuild takes the advisory lock the servers' hot/cold
/// daemons negotiate the projection with, and keeps it to the end: while a server's daemon runs the projection the
/// rebuild is refused, and while the rebuild runs no server's daemon starts it (they stay cold, and the first to take the
/// lock afterwards goes on from where the rebuild ended). Commands and every other read go on meanwhile; the statistics
/// count only part of the events until the rebuild ends.
/// </summary>
/// <param name="store">A store with the statistics projection registered (with the calendars the servers use).</param>
public sealed class StatisticsRebuild(IDocumentStore store, NpgsqlDataSource database, StatisticsReader reader)
{
    /// <summary>The lock id a hot/cold daemon of this store takes to run the statistics projection (Marten's own formula).</summary>
    public long LockId
    {
        get
        {
            var options = (StoreOptions)store.Options;
            var shard = options.Projections.AllShards().SingleOrDefault(s => s.Name.Name == CaseFactsProjection.ProjectionName)
                        ?? throw new InvalidOperationException($"the store has no {CaseFactsProjection.ProjectionName} projection registered");
            return ProjectionLockIds.Compute(options.Events.DatabaseSchemaName, shard.Name, options.Projections.DaemonLockId);
        }
    }

    /// <param name="progress">Called now and then with how far the rebuild has read, and the highest sequence of the store.</param>
    /// <returns>How far the rebuilt projection has read: every event up to that sequence is counted.</returns>
    public async Task<ProjectionProgress> RunAsync(Action<ProjectionProgress>? progress, TimeSpan every, CancellationToken cancellation)
    {
        // A session-level lock on a connection of its own, held for the whole rebuild. A process killed half way leaves no
        // lock behind (its connection closes); otherwise it is released by hand, because a pooled connection that goes
        // back to the pool keeps its session, and its locks, until it is next used.
        var lockId = LockId;
        await using var connection = await database.OpenConnectionAsync(cancellation);
        if (!await AdvisoryAsync(connection, "pg_try_advisory_lock", lockId, cancellation))
            throw new StatisticsDaemonRunning(
                "A server's statistics daemon is running on this store: a rebuild now would count the same events twice. " +
                "Stop the servers, or start them with Workflow__Statistics__Daemon=Disabled, and run the rebuild again.");
        try
        {
            return await RebuildAsync(progress, every, cancellation);
        }
        finally
        {
            await AdvisoryAsync(connection, "pg_advisory_unlock", lockId, CancellationToken.None);
        }
    }

    private static async Task<bool> AdvisoryAsync(NpgsqlConnection connection, string function, long lockId, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand($"select {function}($1)", connection);
        command.Parameters.AddWithValue(lockId);
        return await command.ExecuteScalarAsync(cancellation) is true;
    }

    private async Task<ProjectionProgress> RebuildAsync(Action<ProjectionProgress>? progress, TimeSpan every, CancellationToken cancellation)
    {

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var reporting = progress is null ? Task.CompletedTask : ReportAsync(reader, progress, every, stop.Token);
        try
        {
            using var daemon = await store.BuildProjectionDaemonAsync();
            await daemon.RebuildProjectionAsync(CaseFactsProjection.ProjectionName, cancellation);
        }
        finally
        {
            await stop.CancelAsync();
            await reporting;
        }
        return await reader.ProgressAsync(cancellation);
    }

    private static async Task ReportAsync(StatisticsReader reader, Action<ProjectionProgress> progress, TimeSpan every,
        CancellationToken cancellation)
    {
        try
        {
            while (true)
            {
                await Task.Delay(every, cancellation);
                progress(await reader.ProgressAsync(cancellation));
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested) { }
    }
}
