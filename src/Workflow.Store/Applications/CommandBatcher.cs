using Microsoft.Extensions.Logging;
using Workflow.Core.Applications;

namespace Workflow.Store.Applications;

/// <summary>
/// Group commit for the API's commands on applications. A command that finds a free runner is sent at once, alone, through
/// <see cref="ApplicationCommands.HandleAsync"/>: nothing waits on purpose. While every runner is busy, commands queue; a
/// runner that comes free takes whatever is waiting (up to <see cref="MaxBatch"/> commands by the same actor through the same
/// channel, each application once) and sends them in one transaction (<see cref="ApplicationCommands.SaveTogetherAsync"/>):
/// one read of all their streams, one commit, each stream still under its own optimistic check. Every caller is answered only
/// after its own command's commit, with what that command alone would have been answered: a refused command gets its
/// refusal while the others are written; a command the batch cannot decide (no such application, a stale If-Match), or the
/// commands of a batch whose save failed (another writer moved one of the streams), are each sent again alone.
/// </summary>
public sealed class CommandBatcher(ApplicationCommands commands, ILogger<CommandBatcher> log, CommandBatcher.Settings settings)
{
    /// <param name="Runners">Batches sent at once. Queueing starts only when all are busy, so this is also what decides
    /// how soon commands are grouped: on two cores, two runners keep PostgreSQL and the API busy without a queue of commits.</param>
    /// <param name="MaxBatch">Commands in one transaction at most, as in the deadline sweeper's batches.</param>
    public sealed record Settings(int Runners = 2, int MaxBatch = 25)
    {
        public static Settings Default { get; } = new();
    }

    private sealed record Waiting(TogetherCommand Command, CancellationToken Cancellation)
    {
        // Continuations run on the thread pool, never inside the runner that answers the whole batch.
        public TaskCompletionSource<CommandResult> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly object _gate = new();
    private readonly LinkedList<Waiting> _waiting = [];
    private int _running;

    public int MaxBatch => settings.MaxBatch;

    /// <summary>As <see cref="ApplicationCommands.HandleAsync"/>, with commands that arrive together committed together.</summary>
    public Task<CommandResult> HandleAsync(Guid id, long? expectedVersion, ApplicationCommand command, CommandContext context,
        CancellationToken cancellation = default)
    {
        var waiting = new Waiting(new TogetherCommand(id, expectedVersion, command, context), cancellation);
        bool start;
        lock (_gate)
        {
            _waiting.AddLast(waiting);
            start = _running < Math.Max(1, settings.Runners);
            if (start) _running++;
        }
        if (start) _ = RunAsync();
        return waiting.Answer.Task;
    }

    /// <summary>Sends what is waiting, batch after batch, until nothing is; then the runner is free again.</summary>
    private async Task RunAsync()
    {
        while (true)
        {
            List<Waiting> batch;
            lock (_gate)
            {
                batch = Take();
                if (batch.Count == 0)
                {
                    _running--;
                    return;
                }
            }
            await SendAsync(batch);
        }
    }

    /// <summary>
    /// The first waiting command and, behind it, those of the same actor and channel on other applications. A second command
    /// on one application waits for the next batch: it must be decided on the first one's events.
    /// </summary>
    private List<Waiting> Take()
    {
        var batch = new List<Waiting>();
        var ids = new HashSet<Guid>();
        for (var node = _waiting.First; node is not null && batch.Count < Math.Max(1, settings.MaxBatch);)
        {
            var next = node.Next;
            var waiting = node.Value;
            if (waiting.Cancellation.IsCancellationRequested)
            {
                // The caller has gone before its command was sent: nothing of it is written.
                _waiting.Remove(node);
                waiting.Answer.TrySetCanceled(waiting.Cancellation);
            }
            else if (batch.Count == 0 || (SameSender(batch[0].Command, waiting.Command) && !ids.Contains(waiting.Command.Id)))
            {
                _waiting.Remove(node);
                batch.Add(waiting);
                ids.Add(waiting.Command.Id);
            }
            node = next;
        }
        return batch;
    }

    private static bool SameSender(TogetherCommand a, TogetherCommand b) =>
        a.Command.By == b.Command.By && a.Context.Channel == b.Context.Channel && a.Context.OnBehalfOf == b.Context.OnBehalfOf;

    private async Task SendAsync(List<Waiting> batch)
    {
        if (batch.Count == 1)
        {
            await AloneAsync(batch[0]);
            return;
        }
        try
        {
            // Once sent, a command is committed or refused for every caller alike: one caller leaving cancels nothing.
            await commands.SaveTogetherAsync([.. batch.Select(w => w.Command)], CancellationToken.None);
        }
        catch (Exception e)
        {
            log.LogInformation("A batch of {Count} commands was not written together ({Reason}); each is sent alone",
                batch.Count, e.GetType().Name);
            await Task.WhenAll(batch.Select(AloneAsync));
            return;
        }
        foreach (var waiting in batch)
        {
            if (waiting.Command.Result is { } result) waiting.Answer.TrySetResult(result);
            else if (waiting.Command.Refusal is { } refusal) waiting.Answer.TrySetException(refusal);
        }
        await Task.WhenAll(batch.Where(w => w.Command.Alone).Select(AloneAsync));
    }

    /// <summary>The single path, with its own answers: not found, a stale version, a concurrent change.</summary>
    private async Task AloneAsync(Waiting waiting)
    {
        var command = waiting.Command;
        try
        {
            waiting.Answer.TrySetResult(await commands.HandleAsync(command.Id, command.ExpectedVersion, command.Command, command.Context,
                CancellationToken.None));
        }
        catch (Exception e)
        {
            waiting.Answer.TrySetException(e);
        }
    }
}
