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

    /// <summary>Claims one batch and fires it (<see cref="FireClaimedAsync"/>); returns how many rows were claimed.</summary>
    public async Task<int> SweepOnceAsync(int batchSize = 500, int parallelism = 4, TimeSpan? lease = null,
        CancellationToken cancellation = default, int perTransaction = 25)
    {
        var claimed = await ClaimAsync(batchSize, lease ?? TimeSpan.FromSeconds(60), cancellation);
        await FireClaimedAsync(claimed, parallelism, perTransaction, cancellation);
        return claimed.Count;
    }

    /// <summary>
    /// Fires claimed rows, <paramref name="parallelism"/> transactions at a time, each firing the deadlines of up to
    /// <paramref name="perTransaction"/> applications in the given order (one commit for all of them, each stream with its
    /// own optimistic check). A second due row of the same application is fired alone afterwards, so that it sees what the
    /// first one recorded. Other nodes meanwhile claim the rows past these (SKIP LOCKED).
    /// </summary>
    public async Task FireClaimedAsync(IReadOnlyList<Claimed> claimed, int parallelism, int perTransaction,
        CancellationToken cancellation = default)
    {
        var firsts = claimed.DistinctBy(row => row.ApplicationId).ToList();
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellation };
        await Parallel.ForEachAsync(firsts.Chunk(Math.Max(1, perTransaction)), options,
            async (rows, ct) => await FireTogetherAsync(rows, ct));
        await Parallel.ForEachAsync(claimed.Except(firsts), options, async (row, ct) => await FireAsync(row, ct));
    }

    private static ReachDeadline CommandFor(Claimed row) => new(row.Scope, DeadlineScopes.System, row.FireAt);

    private static CommandContext ContextFor(Claimed row) =>
        new($"deadline:{row.ApplicationId}/{row.Scope}/{row.FireAt:O}", Channel: "system");

    /// <summary>
    /// Fires several applications' deadlines in one transaction. When another decision on one of them commits first, nothing
    /// of the batch is written: the others are sent again together and that one alone, with the retries of a single deadline.
    /// Any other failure sends each alone, so that one bad row never holds up the rest.
    /// </summary>
    private async Task FireTogetherAsync(IReadOnlyList<Claimed> rows, CancellationToken cancellation)
    {
        var pending = rows.ToList();
        while (pending.Count > 1)
        {
            try
            {
                var results = await commands.HandleManyAsync(
                    [.. pending.Select(row => (row.ApplicationId, (ApplicationCommand)CommandFor(row), ContextFor(row)))], cancellation);
                for (var i = 0; i < pending.Count; i++)
                    if (results[i] is not { } result) await NoApplicationAsync(pending[i], cancellation);
                    else if (result.Events.Count == 0) await NothingDueAsync(pending[i], cancellation);
                return;
            }
            catch (ConcurrencyException e) when (pending.FirstOrDefault(row => Equals(e.Id, row.ApplicationId)) is { } conflicted)
            {
                pending.Remove(conflicted);
                await FireAsync(conflicted, cancellation);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "A batch of {Count} due deadlines failed together; firing each alone", pending.Count);
                break;
            }
        }
        foreach (var row in pending) await FireAsync(row, cancellation);
    }

    private async Task NothingDueAsync(Claimed row, CancellationToken cancellation)
    {
        log.LogDebug("Deadline {Scope} of {ApplicationId} claimed but nothing was due by its state", row.Scope, row.ApplicationId);
        await RetireAsync(row, cancellation);
    }

    /// <summary>
    /// The projection owns its rows and removes them with the events that close them; with no stream to close them, the
    /// sweeper only stops claiming the row, as for any timer that can fire nothing.
    /// </summary>
    private async Task NoApplicationAsync(Claimed row, CancellationToken cancellation)
    {
        log.LogWarning("Deadline {Scope} of {ApplicationId} belongs to no application; no longer claimed", row.Scope, row.ApplicationId);
        await RetireAsync(row, cancellation);
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
                var result = await commands.HandleAsync(row.ApplicationId, null, CommandFor(row), ContextFor(row), cancellation);
                if (result.Events.Count == 0) await NothingDueAsync(row, cancellation);
                return;
            }
            catch (ConcurrencyException) when (attempt < 3)
            {
                // A decision on the same application committed first: read it again; the state decides what is still due.
            }
            catch (ApplicationNotFound)
            {
                await NoApplicationAsync(row, cancellation);
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
