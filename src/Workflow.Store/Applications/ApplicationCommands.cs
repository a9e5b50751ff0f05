using System.Text.Json;
using JasperFx;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Logging;
using Workflow.Core;
using Workflow.Core.Applications;
using Workflow.Core.Calendars;
using Workflow.Core.Definitions;
using Workflow.Store.Audit;
using Workflow.Store.Definitions;
using Workflow.Store.Tracking;

namespace Workflow.Store.Applications;

/// <param name="Channel">Where the command came from: counter, web, api, or system for timers.</param>
/// <param name="OnBehalfOf">Whom the actor acted for, when delegated.</param>
public sealed record CommandContext(string CorrelationId, string? CausationId = null, string Channel = "api", string? OnBehalfOf = null);

/// <param name="AccessCode">The citizen's access code, on a new application's first answer only: it is kept nowhere but as a hash.</param>
public sealed record CommandResult(Guid Id, string TrackingNumber, ApplicationStatus Status, long Version, IReadOnlyList<object> Events,
    string? AccessCode = null);

public sealed record NewApplication(
    Guid Id,
    string WorkflowId,
    string Centre,
    string Channel,
    Applicant Applicant,
    IReadOnlyDictionary<string, JsonElement> Data,
    IReadOnlyList<string> Documents,
    bool MayRepeat = false);

public sealed class ApplicationNotFound(Guid id) : Exception($"application {id} does not exist");

/// <summary>No such procedure in force, or a local variant asked for at a centre it does not apply to.</summary>
public sealed class UnknownWorkflow(string id) : Exception($"'{id}' is not a procedure of this service at this centre");

/// <summary>An idempotency key came back with a submission other than the one it was first used with.</summary>
public sealed class IdempotencyKeyReused(Guid applicationId)
    : Exception($"the idempotency key of application {applicationId} was used with another request");

/// <summary>
/// One command of a batch (<see cref="ApplicationCommands.SaveTogetherAsync"/>) and what became of it: decided (and, once
/// saved, its <see cref="Result"/>), refused on its own (<see cref="Refusal"/>), or left for the single path (<see cref="Alone"/>).
/// </summary>
/// <param name="ExpectedVersion">The caller's If-Match version, or null.</param>
public sealed class TogetherCommand(Guid id, long? expectedVersion, ApplicationCommand command, CommandContext context)
{
    public Guid Id { get; } = id;
    public long? ExpectedVersion { get; } = expectedVersion;
    public ApplicationCommand Command { get; } = command;
    public CommandContext Context { get; } = context;

    internal (Application State, IReadOnlyList<object> Events, long Version)? Decided { get; set; }
    internal bool Missing { get; set; }
    internal bool Stale { get; set; }
    public Exception? Refusal { get; internal set; }
    public CommandResult? Result { get; internal set; }

    /// <summary>Not decided in the batch: the application does not exist or the expected version is stale.</summary>
    public bool Alone => Missing || Stale;
}

/// <summary>A new application of a batch (<see cref="ApplicationCommands.SubmitTogetherAsync"/>) and its result or refusal.</summary>
public sealed class TogetherSubmission(NewApplication request, Actor actor, CommandContext context)
{
    public NewApplication Request { get; } = request;
    public Actor Actor { get; } = actor;
    public CommandContext Context { get; } = context;
    public Exception? Refusal { get; internal set; }
    public CommandResult? Result { get; internal set; }
}

/// <summary>
/// The one command shell: load the stream (at the caller's expected version when given), check who acts, decide,
/// append, save. Optimistic concurrency on the stream means two simultaneous commands never both succeed on the
/// same version: the loser gets a concurrency error and nothing of it is written.
/// </summary>
public sealed class ApplicationCommands(
    IDocumentStore store,
    PinnedDefinitions definitions,
    TrackingNumbers trackingNumbers,
    TimeProvider clock,
    ILogger<ApplicationCommands> log,
    InputLimits limits)
{
    public async Task<CommandResult> SubmitAsync(NewApplication request, Actor actor, CommandContext context,
        CancellationToken cancellation = default)
    {
        var now = clock.GetUtcNow();
        var (definition, calendar, probe) = await CheckSubmissionAsync(request, actor, now, cancellation);

        await using var session = Open(actor, context);
        // A repeated submission (the same id from a retried request's idempotency key) returns the first one.
        if (request.MayRepeat && await FirstAsync(request, cancellation) is { } existing) return existing;

        AuditHeaders.StampRules(session, definition, calendar);
        var number = await trackingNumbers.NextAsync(request.Centre, calendar.Local(now).Year, cancellation);
        var (events, accessCode) = Receive(probe, number, definition, calendar, now);
        session.Events.StartStream<Application>(request.Id, events);
        try
        {
            await session.SaveChangesAsync(cancellation);
        }
        // Retries that arrive together all pass the check above; the store lets one stream start and the others
        // find it. Marten reports the collision with its own exception type, JasperFx with another.
        catch (Exception e) when (request.MayRepeat &&
                                  e is ExistingStreamIdCollisionException or Marten.Exceptions.ExistingStreamIdCollisionException)
        {
            return await FirstAsync(request, cancellation)
                ?? throw new InvalidOperationException($"stream {request.Id} collided but is not there", e);
        }
        return Received(probe, number, events, accessCode);
    }

    /// <summary>
    /// Submissions that arrived together, by one actor through one channel, in one transaction (the API's group commit,
    /// <see cref="CommandBatcher"/>): each is checked and decided as <see cref="SubmitAsync"/> does, one that is refused keeps
    /// its refusal, and the tracking numbers of the others are drawn in one round trip. A repeatable submission (with an
    /// idempotency key) is not sent here: it must look for its first one. When the save fails nothing is written and the
    /// exception is thrown (the numbers drawn stay unused, as after any failed submission).
    /// </summary>
    public async Task SubmitTogetherAsync(IReadOnlyList<TogetherSubmission> batch, CancellationToken cancellation = default)
    {
        if (batch.Count == 0) return;
        var first = batch[0];
        if (batch.Any(b => b.Actor != first.Actor || b.Context.Channel != first.Context.Channel ||
                           b.Context.OnBehalfOf != first.Context.OnBehalfOf))
            throw new ArgumentException("a batch is sent by one actor through one channel", nameof(batch));
        if (batch.Any(b => b.Request.MayRepeat) || batch.DistinctBy(b => b.Request.Id).Count() != batch.Count)
            throw new ArgumentException("a batch holds new applications only, each once", nameof(batch));

        var now = clock.GetUtcNow();
        var ready = new List<(TogetherSubmission Submission, WorkflowDefinition Definition, WorkingCalendar Calendar, SubmitApplication Probe)>();
        foreach (var submission in batch)
        {
            try
            {
                var (definition, calendar, probe) = await CheckSubmissionAsync(submission.Request, submission.Actor, now, cancellation);
                ready.Add((submission, definition, calendar, probe));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                submission.Refusal = e;
            }
        }
        if (ready.Count == 0) return;

        var numbers = new Dictionary<(string Centre, int Year), Queue<string>>();
        foreach (var centreYear in ready.GroupBy(r => (r.Submission.Request.Centre, r.Calendar.Local(now).Year)))
            numbers[centreYear.Key] = new(await trackingNumbers.NextManyAsync(centreYear.Key.Centre, centreYear.Key.Year,
                centreYear.Count(), cancellation));

        await using var session = Open(first.Actor, first.Context);
        var received = new List<(TogetherSubmission Submission, SubmitApplication Probe, string Number, IReadOnlyList<object> Events, string AccessCode)>();
        foreach (var (submission, definition, calendar, probe) in ready)
        {
            var number = numbers[(submission.Request.Centre, calendar.Local(now).Year)].Dequeue();
            var (events, accessCode) = Receive(probe, number, definition, calendar, now);
            // The session's headers are the actor's and the channel's, common to the batch; the rest is each submission's own.
            session.Events.StartStream<Application>(submission.Request.Id, events.Select(data =>
            {
                var e = session.Events.BuildEvent(data);
                e.CorrelationId = submission.Context.CorrelationId;
                e.CausationId = submission.Context.CausationId;
                AuditHeaders.StampRules(e, definition, calendar);
                return (object)e;
            }));
            received.Add((submission, probe, number, events, accessCode));
        }
        await session.SaveChangesAsync(cancellation);
        foreach (var (submission, probe, number, events, accessCode) in received)
            submission.Result = Received(probe, number, events, accessCode);
    }

    /// <summary>What a submission must pass before anything is written: the procedure in force, the actor, the data.</summary>
    private async Task<(WorkflowDefinition Definition, WorkingCalendar Calendar, SubmitApplication Probe)> CheckSubmissionAsync(
        NewApplication request, Actor actor, DateTimeOffset now, CancellationToken cancellation)
    {
        var calendar = definitions.Catalog.Calendars.ForCentre(request.Centre, now);
        // A centre that runs a local variant of the procedure receives the application under the variant (rule 16).
        var definition = await definitions.InForceAsync(request.WorkflowId, DateOnly.FromDateTime(calendar.Local(now)), request.Centre,
                             cancellation)
                         ?? throw new UnknownWorkflow(request.WorkflowId);
        var probe = new SubmitApplication(request.Id, "", request.Centre, request.Channel, request.Applicant, request.Data,
            request.Documents, actor);
        AccessPolicy.EnsureMayReceive(actor, request.Centre);
        var errors = ApplicationData.Check(definition, request.Data, request.Documents);
        if (errors.Count > 0) throw new InvalidApplicationData(errors);
        return (definition, calendar, probe);
    }

    /// <summary>The new application's events under its number, and the citizen's access code (kept only as a hash).</summary>
    private static (IReadOnlyList<object> Events, string AccessCode) Receive(SubmitApplication probe, string number,
        WorkflowDefinition definition, WorkingCalendar calendar, DateTimeOffset now)
    {
        var accessCode = AccessCodes.New();
        var command = probe with { TrackingNumber = number, AccessCode = AccessCodes.Hash(accessCode) };
        return (Decider.Decide(command, null, definition, calendar, now), accessCode);
    }

    private CommandResult Received(SubmitApplication probe, string number, IReadOnlyList<object> events, string accessCode)
    {
        var state = events.Aggregate((Application?)null, Application.Evolve)!;
        LogDecision(state, probe, events);
        return new CommandResult(probe.ApplicationId, number, state.Status, events.Count, events, accessCode);
    }

    /// <summary>
    /// The application a repeated submission already created, or null. The key stands for one request: the same key
    /// with other content is refused rather than answered with an application the caller did not ask for.
    /// </summary>
    private async Task<CommandResult?> FirstAsync(NewApplication request, CancellationToken cancellation)
    {
        await using var query = store.QuerySession();
        if (await query.LoadAsync<ApplicationDetails>(request.Id, cancellation) is not { } first) return null;
        var events = await query.Events.FetchStreamAsync(request.Id, version: 1, token: cancellation);
        if (events.FirstOrDefault()?.Data is not ApplicationSubmitted submitted || !Same(submitted, request))
            throw new IdempotencyKeyReused(request.Id);
        return new CommandResult(first.Id, first.TrackingNumber, first.Status, first.Version, []);
    }

    private static bool Same(ApplicationSubmitted submitted, NewApplication request) =>
        submitted.WorkflowId == request.WorkflowId && submitted.Centre == request.Centre && submitted.Channel == request.Channel &&
        submitted.Applicant == request.Applicant && submitted.Documents.SequenceEqual(request.Documents) &&
        submitted.Data.Count == request.Data.Count &&
        submitted.Data.All(kv => request.Data.TryGetValue(kv.Key, out var value) && JsonElement.DeepEquals(kv.Value, value));

    public async Task<CommandResult> HandleAsync(Guid id, long? expectedVersion, ApplicationCommand command, CommandContext context,
        CancellationToken cancellation = default)
    {
        await using var session = Open(command.By, context);
        IEventStream<Application> stream;
        try
        {
            // The stream and, after its version, the case documents the save folds the new events into: one round trip.
            var read = session.CreateBatchQuery();
            var fetched = expectedVersion is { } version
                ? read.Events.FetchForWriting<Application>(id, version)
                : read.Events.FetchForWriting<Application>(id);
            var details = read.Load<ApplicationDetails>(id);
            var tracking = read.Load<CitizenTracking>(id);
            await read.Execute(cancellation);
            stream = await fetched;
            CaseDocumentsProjection.Remember(session, id, await details, await tracking);
        }
        catch (ConcurrencyException) when (expectedVersion is not null)
        {
            // Whether the caller's version is stale is a detail of the application: only those who may act on it hear it.
            if (await session.Events.FetchLatest<Application>(id, cancellation) is { } latest)
                await EnsureMayActAsync(id, latest, command, cancellation);
            throw;
        }
        var state = stream.Aggregate ?? throw new ApplicationNotFound(id);
        var definition = await EnsureMayActAsync(id, state, command, cancellation);
        AgencyInboxProjection.Remember(session, state);

        var now = clock.GetUtcNow();
        var calendar = definitions.Catalog.Calendars.ForCentre(state.Centre, now);
        // A migration is recorded under the version it moves the application to, the rules in force from then on.
        AuditHeaders.StampRules(session, command is MigrateApplication migrate ? migrate.Target : definition, calendar);
        var events = Decider.Decide(command, state, definition, calendar, now);
        if (events.Count == 0) return new CommandResult(id, state.TrackingNumber, state.Status, (stream.StartingVersion ?? 0), events);
        stream.AppendMany(events);
        await session.SaveChangesAsync(cancellation);

        var after = events.Aggregate((Application?)state, Application.Evolve)!;
        LogDecision(after, command, events);
        return new CommandResult(id, after.TrackingNumber, after.Status, (stream.StartingVersion ?? 0) + events.Count, events);
    }

    /// <summary>
    /// Commands on several applications, by one actor through one channel, in one transaction: how the deadline sweeper fires
    /// a burst with one commit instead of one per application. All the streams are loaded in one round trip; each is checked
    /// and decided exactly as <see cref="HandleAsync"/> does and keeps its own optimistic check; its events carry their own
    /// command's correlation id and rules. The batch commits or fails as a whole: a conflict on any stream writes nothing and
    /// throws the store's concurrency exception naming that stream, so the caller can send the others again and that one alone.
    /// </summary>
    /// <returns>One result per command, in order; null for an application that does not exist (nothing was sent to it).</returns>
    public async Task<IReadOnlyList<CommandResult?>> HandleManyAsync(
        IReadOnlyList<(Guid Id, ApplicationCommand Command, CommandContext Context)> batch, CancellationToken cancellation = default)
    {
        if (batch.Count == 0) return [];
        var together = batch.Select(b => new TogetherCommand(b.Id, null, b.Command, b.Context)).ToList();
        await using var session = await DecideTogetherAsync(together, cancellation);
        // A refusal of any one command refuses the batch, before anything is written.
        if (together.FirstOrDefault(c => c.Refusal is not null)?.Refusal is { } refusal)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(refusal);
        await session.SaveChangesAsync(cancellation);
        return [.. together.Select(c => c.Missing ? null : Logged(c))];
    }

    /// <summary>
    /// Commands that arrived together, by one actor through one channel, in one transaction (the API's group commit,
    /// <see cref="CommandBatcher"/>). Each command is checked and decided as <see cref="HandleAsync"/> does, on its stream as
    /// loaded with the others; one that is refused keeps its refusal and the others are written without it. A command on an
    /// application that does not exist, or whose expected version is not the stream's, is not decided here
    /// (<see cref="TogetherCommand.Alone"/>): <see cref="HandleAsync"/> gives its answer. When the save fails (another writer
    /// moved one of the streams meanwhile) nothing is written and the exception is thrown.
    /// </summary>
    public async Task SaveTogetherAsync(IReadOnlyList<TogetherCommand> batch, CancellationToken cancellation = default)
    {
        if (batch.Count == 0) return;
        await using var session = await DecideTogetherAsync(batch, cancellation);
        if (batch.Any(c => c.Decided is { Events.Count: > 0 })) await session.SaveChangesAsync(cancellation);
        foreach (var command in batch.Where(c => c.Decided is not null)) command.Result = Logged(command);
    }

    /// <summary>Loads every stream of the batch in one round trip, then checks, decides and appends each command as alone.</summary>
    private async Task<IDocumentSession> DecideTogetherAsync(IReadOnlyList<TogetherCommand> batch, CancellationToken cancellation)
    {
        var first = batch[0];
        if (batch.Any(b => b.Command.By != first.Command.By || b.Context.Channel != first.Context.Channel ||
                           b.Context.OnBehalfOf != first.Context.OnBehalfOf))
            throw new ArgumentException("a batch is sent by one actor through one channel", nameof(batch));
        if (batch.DistinctBy(b => b.Id).Count() != batch.Count)
            throw new ArgumentException("a batch names each application once: a second command must see the first one's events",
                nameof(batch));

        var session = Open(first.Command.By, first.Context);
        try
        {
            // Every stream of the batch in one round trip, each handle keeping its own optimistic check on save; then, in one
            // more, their case documents, which the save folds the new events into.
            var ids = batch.Select(b => b.Id).ToArray();
            var streams = await session.Events.FetchManyForWriting<Application>(ids, cancellation);
            var read = session.CreateBatchQuery();
            var details = read.LoadMany<ApplicationDetails>().ById(ids);
            var tracking = read.LoadMany<CitizenTracking>().ById(ids);
            await read.Execute(cancellation);
            var (detailsById, trackingById) = ((await details).ToDictionary(d => d.Id), (await tracking).ToDictionary(t => t.Id));
            foreach (var id in ids)
                CaseDocumentsProjection.Remember(session, id, detailsById.GetValueOrDefault(id), trackingById.GetValueOrDefault(id));
            foreach (var (together, stream) in batch.Zip(streams))
                await DecideOneAsync(session, together, stream, cancellation);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    private async Task DecideOneAsync(IDocumentSession session, TogetherCommand together, IEventStream<Application> stream,
        CancellationToken cancellation)
    {
        var (id, expectedVersion, command, own) = (together.Id, together.ExpectedVersion, together.Command, together.Context);
        var version = stream.StartingVersion ?? 0;
        if (stream.Aggregate is not { } state)
        {
            together.Missing = true;
            return;
        }
        if (expectedVersion is { } expected && expected != version)
        {
            together.Stale = true;
            return;
        }
        WorkflowDefinition definition;
        WorkingCalendar calendar;
        IReadOnlyList<object> events;
        try
        {
            definition = await EnsureMayActAsync(id, state, command, cancellation);
            AgencyInboxProjection.Remember(session, state);
            var now = clock.GetUtcNow();
            calendar = definitions.Catalog.Calendars.ForCentre(state.Centre, now);
            events = Decider.Decide(command, state, definition, calendar, now);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            together.Refusal = e;
            return;
        }
        together.Decided = (state, events, version + events.Count);
        if (events.Count == 0) return;
        // The session's headers are the actor's and the channel's, common to the batch; the rest is each command's own.
        stream.AppendMany(events.Select(data =>
        {
            var e = session.Events.BuildEvent(data);
            e.CorrelationId = own.CorrelationId;
            e.CausationId = own.CausationId;
            AuditHeaders.StampRules(e, command is MigrateApplication migrate ? migrate.Target : definition, calendar);
            return (object)e;
        }));
    }

    /// <summary>The result of a decided command of a batch, its decision logged once written.</summary>
    private CommandResult Logged(TogetherCommand together)
    {
        var (state, events, version) = together.Decided!.Value;
        var after = events.Aggregate((Application?)state, Application.Evolve)!;
        if (events.Count > 0) LogDecision(after, together.Command, events);
        return new CommandResult(together.Id, after.TrackingNumber, after.Status, version, events);
    }

    /// <summary>Asks the access policy, with the definition pinned to the application; returns that definition.</summary>
    private async Task<WorkflowDefinition> EnsureMayActAsync(Guid id, Application state, ApplicationCommand command,
        CancellationToken cancellation)
    {
        var definition = await definitions.PinnedAsync(state.WorkflowId, state.WorkflowVersion, state.DefinitionHash, cancellation);
        try
        {
            AccessPolicy.EnsureMayAct(command.By, command, definition, ApplicationScope.Of(state));
        }
        catch (AccessDenied denied)
        {
            // The caller may be told nothing about the application; the log says who tried what on which one.
            log.LogWarning(
                "Refused {Command} on {TrackingNumber} ({ApplicationId}) step {StepId} by {Actor} ({Role}, {Agency}, {Centre}): {Reason}",
                command.GetType().Name, state.TrackingNumber, id, StepOf(command), command.By.UserId, command.By.Role,
                command.By.Agency, command.By.Centre, denied.Message);
            throw;
        }
        // Whatever channel sent it (a page, the tool), a command meets the limits the API checks its requests against.
        CommandLimits.Ensure(command, limits);
        return definition;
    }

    /// <summary>A session whose events carry the command's audit headers (<see cref="AuditHeaders"/>).</summary>
    private IDocumentSession Open(Actor actor, CommandContext context)
    {
        var session = store.LightweightSession();
        AuditHeaders.Stamp(session, actor, context.Channel, context.CorrelationId, context.CausationId, context.OnBehalfOf);
        return session;
    }

    private static string? StepOf(ApplicationCommand command) => command switch
    {
        DecideStep decide => decide.StepId,
        AcknowledgeEscalation acknowledge => acknowledge.StepId,
        ReachDeadline reach => reach.Scope,
        ClaimStep claim => claim.StepId,
        ReleaseStep release => release.StepId,
        ReassignStep reassign => reassign.StepId,
        ConfirmStepApproval confirm => confirm.StepId,
        _ => null,
    };

    private void LogDecision(Application state, ApplicationCommand command, IReadOnlyList<object> events) =>
        log.LogInformation(
            "{Command} on {TrackingNumber} ({ApplicationId}) step {StepId} by {Actor} ({Role}, {Agency}): {Events}; now {Status}",
            command.GetType().Name, state.TrackingNumber, state.Id, StepOf(command), command.By.UserId, command.By.Role,
            command.By.Agency, events.Select(e => e.GetType().Name), state.Status);
}
