using JasperFx;
using Microsoft.Extensions.Logging;
using Npgsql;
using Workflow.Core.Applications;

namespace Workflow.Store.Applications;

/// <summary>
/// Fires due deadlines. Each sweep claims due rows of <see cref="OpenDeadlines"/> with <c>FOR UPDATE SKIP LOCKED</c> and a
/// short lease (so several nodes can sweep at once without taking the same row), then sends <see cref="ReachDeadline"/>
/// through the normal command shell. The decider is idempotent by state and streams are optimistically locked, so a
/// deadline fires exactly once even if a lease runs out while its command is still running. A row is claimed once its
/// instant has passed (a deadline's end is inclusive), and the command names that instant: what it fires is recorded
/// at the instant it came due, not when the sweep got to it.
/// </summary>
public sealed class DeadlineSweeper(NpgsqlDataSource database, ApplicationCommands commands, TimeProvider clock,
    ILogger<DeadlineSweeper> log)
{
    public sealed record Claimed(Guid ApplicationId, string Scope, DateTimeOffset FireAt, DateTimeOffset ClaimedUntil);

    public async Task<IReadOnlyList<Claimed>> ClaimAsync(int batchSize, TimeSpan lease, CancellationToken cancellation = default)
    {
        var now = clock.GetUtcNow().ToUniversalTime();
        await using var command = database.CreateCommand(
            $"""
             with due as (
               select application_id, scope from {WorkflowStore.Schema}.{OpenDeadlines.Table}
               where fire_at < @now and (claimed_until is null or claimed_until < @now)
               order by fire_at
               limit @batch
               for update skip locked)
             update {WorkflowStore.Schema}.{OpenDeadlines.Table} t set claimed_until = @lease
             from due where t.application_id = due.application_id and t.scope = due.scope
             returning t.application_id, t.scope, t.fire_at, t.claimed_until
             """);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("batch", batchSize);
        command.Parameters.AddWithValue("lease", now + lease);
        var claimed = new List<Claimed>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
            claimed.Add(new Claimed(reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetFieldValue<DateTimeOffset>(3)));
        return claimed;
    }

    /// <summary>Claims one batch and fires it; returns how many rows were claimed.</summary>
    public async Task<int> SweepOnceAsync(int batchSize = 500, int parallelism = 4, TimeSpan? lease = null,
        CancellationToken cancellation = default)
    {
        var claimed = await ClaimAsync(batchSize, lease ?? TimeSpan.FromSeconds(60), cancellation);
        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellation },
            async (row, ct) => await FireAsync(row, ct));
        return claimed.Count;
    }

    /// <summary>
    /// A timer whose instant has passed but that fired nothing (the legal deadline of a case already missed, resumed after
    /// a return) can fire nothing later without a new event, and every such event rewrites its row: stop claiming it on
    /// every lease. Only a row still under this claim is touched, so a concurrent change is never undone.
    /// </summary>
    private async Task RetireAsync(Claimed row, CancellationToken cancellation)
    {
        await using var retire = database.CreateCommand(
            $"""
             update {WorkflowStore.Schema}.{OpenDeadlines.Table} set fire_at = null, claimed_until = null
             where application_id = @id and scope = @scope and claimed_until = @claim
             """);
        retire.Parameters.AddWithValue("id", row.ApplicationId);
        retire.Parameters.AddWithValue("scope", row.Scope);
        retire.Parameters.AddWithValue("claim", row.ClaimedUntil.ToUniversalTime());
        await retire.ExecuteNonQueryAsync(cancellation);
    }

    private async Task FireAsync(Claimed row, CancellationToken cancellation)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var command = new ReachDeadline(row.Scope, DeadlineScopes.System, row.FireAt);
                var result = await commands.HandleAsync(row.ApplicationId, null, command,
                    new CommandContext($"deadline:{row.ApplicationId}/{row.Scope}/{row.FireAt:O}", Channel: "system"), cancellation);
                if (result.Events.Count == 0)
                {
                    log.LogDebug("Deadline {Scope} of {ApplicationId} claimed but nothing was due by its state",
                        row.Scope, row.ApplicationId);
                    await RetireAsync(row, cancellation);
                }
                return;
            }
            catch (ConcurrencyException) when (attempt < 3)
            {
                // A decision on the same application committed first: read it again; the state decides what is still due.
            }
            catch (ApplicationNotFound)
            {
                // The projection owns its rows and removes them with the events that close them; with no stream to
                // close them, the sweeper only stops claiming the row, as for any timer that can fire nothing.
                log.LogWarning("Deadline {Scope} of {ApplicationId} belongs to no application; no longer claimed",
                    row.Scope, row.ApplicationId);
                await RetireAsync(row, cancellation);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The lease runs out and another sweep retries it.
                log.LogError(e, "Deadline {Scope} of {ApplicationId} could not be fired", row.Scope, row.ApplicationId);
                return;
            }
        }
    }
}
