using Microsoft.Extensions.Logging;
using Workflow.Core.Applications;

namespace Workflow.Store.Applications;

/// <summary>
/// Group commit for the API's commands: new applications and commands on applications. A command that finds a free runner is
/// sent at once, alone, through <see cref="ApplicationCommands.SubmitAsync"/> or <see cref="ApplicationCommands.HandleAsync"/>:
/// nothing waits on purpose. While every runner is busy, commands queue; a runner that comes free takes whatever is waiting
/// (up to <see cref="Settings.MaxBatch"/> commands of one kind by the same actor through the same channel, each application once) and
/// sends them in one transaction (<see cref="ApplicationCommands.SubmitTogetherAsync"/>,
/// <see cref="ApplicationCommands.SaveTogetherAsync"/>): one read of all their streams or one draw of tracking numbers, one
/// commit, each stream still under its own optimistic check. Every caller is answered only after its own command's commit,
/// with what that command alone would have been answered: a refused command gets its refusal while the others are written;
/// a command the batch cannot decide (no such application, a stale If-Match, a submission with an idempotency key), or the
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

    /// <summary>A caller waiting for its command's answer: a command on an application, or a new application.</summary>
    private sealed record Waiting(TogetherCommand? Command, TogetherSubmission? Submission, CancellationToken Cancellation)
    {
        // Continuations run on the thread pool, never inside the runner that answers the whole batch.
        public TaskCompletionSource<CommandResult> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Guid Id => Command?.Id ?? Submission!.Request.Id;

        /// <summary>A repeatable submission looks for its first one: it is always sent alone.</summary>
        public bool Alone => Submission?.Request.MayRepeat == true;

        public bool SameBatch(Waiting other) =>
            (Command is null) == (other.Command is null) && !Alone && !other.Alone &&
            (Command?.Command.By ?? Submission!.Actor) == (other.Command?.Command.By ?? other.Submission!.Actor) &&
            Context.Channel == other.Context.Channel && Context.OnBehalfOf == other.Context.OnBehalfOf;

        private CommandContext Context => Command?.Context ?? Submission!.Context;
    }

    private readonly object _gate = new();
    private readonly LinkedList<Waiting> _waiting = [];
    private int _running;

    /// <summary>As <see cref="ApplicationCommands.SubmitAsync"/>, with submissions that arrive together committed together.</summary>
    public Task<CommandResult> SubmitAsync(NewApplication request, Actor actor, CommandContext context, CancellationToken cancellation = default) =>
        Enqueue(new Waiting(null, new TogetherSubmission(request, actor, context), cancellation));

    /// <summary>As <see cref="ApplicationCommands.HandleAsync"/>, with commands that arrive together committed together.</summary>
    public Task<CommandResult> HandleAsync(Guid id, long? expectedVersion, ApplicationCommand command, CommandContext context,
        CancellationToken cancellation = default) =>
        Enqueue(new Waiting(new TogetherCommand(id, expectedVersion, command, context), null, cancellation));

    private Task<CommandResult> Enqueue(Waiting waiting)
    {
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
            try
            {
                await SendAsync(batch);
            }
            catch (Exception e)
            {
                // Never leave a caller waiting for an answer that will not come.
                log.LogError(e, "A batch of {Count} commands failed unanswered", batch.Count);
                foreach (var waiting in batch) waiting.Answer.TrySetException(e);
            }
        }
    }

    /// <summary>
    /// The first waiting command and, behind it, those of the same kind, actor and channel on other applications. A second
    /// command on one application waits for the next batch: it must be decided on the first one's events.
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
            else if (batch.Count == 0 || (batch[0].SameBatch(waiting) && !ids.Contains(waiting.Id)))
            {
                _waiting.Remove(node);
                batch.Add(waiting);
                ids.Add(waiting.Id);
            }
            node = next;
        }
        return batch;
    }

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
            if (batch[0].Command is null)
                await commands.SubmitTogetherAsync([.. batch.Select(w => w.Submission!)], CancellationToken.None);
            else
                await commands.SaveTogetherAsync([.. batch.Select(w => w.Command!)], CancellationToken.None);
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
            var (result, refusal) = waiting.Command is { } command
                ? (command.Result, command.Refusal)
                : (waiting.Submission!.Result, waiting.Submission.Refusal);
            if (result is not null) waiting.Answer.TrySetResult(result);
            else if (refusal is not null) waiting.Answer.TrySetException(refusal);
        }
        await Task.WhenAll(batch.Where(w => w.Command?.Alone == true).Select(AloneAsync));
    }

    /// <summary>The single path, with its own answers: not found, a stale version, a concurrent change, a repeated submission.</summary>
    private async Task AloneAsync(Waiting waiting)
    {
        try
        {
            var result = waiting.Command is { } command
                ? await commands.HandleAsync(command.Id, command.ExpectedVersion, command.Command, command.Context, CancellationToken.None)
                : await commands.SubmitAsync(waiting.Submission!.Request, waiting.Submission.Actor, waiting.Submission.Context,
                    CancellationToken.None);
            waiting.Answer.TrySetResult(result);
        }
        catch (Exception e)
        {
            waiting.Answer.TrySetException(e);
        }
    }
}
