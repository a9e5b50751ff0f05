using Workflow.Core.Calendars;
using Workflow.Core.Definitions;

namespace Workflow.Core.Applications;

/// <summary>
/// The workflow logic: turns a command into events, given the application's state, the definition pinned to it and
/// the time. Pure: no clock, no I/O, no new ids; everything arrives as arguments.
/// </summary>
public static class Decider
{
    public static Application? Initial => null;

    public static bool IsTerminal(Application? state) => state?.IsFinished ?? false;

    public static IReadOnlyList<object> Decide(ApplicationCommand command, Application? state, WorkflowDefinition definition, DateTimeOffset now)
    {
        var run = new Run(definition, now, state);
        switch (command)
        {
            case SubmitApplication submit:
                run.Submit(submit);
                break;
            case DecideStep decide:
                run.Decide(decide);
                break;
            case SubmitCorrection correction:
                run.Correct(correction);
                break;
            case WithdrawApplication withdraw:
                run.Withdraw(withdraw);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "unknown command");
        }
        return run.Events;
    }

    /// <summary>
    /// One decision in progress. Events are applied to a working copy of the state as they are emitted, so the routing
    /// that follows (skips, joins, the end) sees exactly what a replay of those events will see.
    /// </summary>
    private sealed class Run(WorkflowDefinition definition, DateTimeOffset now, Application? state)
    {
        private readonly WeekdayCalendar _calendar = WeekdayCalendar.Lao;
        private Application? _state = state;

        public List<object> Events { get; } = [];

        private Application State => _state ?? throw new RuleViolation("not-submitted", "the application has not been submitted");

        private void Emit(object e)
        {
            Events.Add(e);
            _state = Application.Evolve(_state, e);
        }

        public void Submit(SubmitApplication c)
        {
            if (_state is not null)
                throw new RuleViolation("already-submitted", $"application {c.ApplicationId} already exists");
            var errors = ApplicationData.Check(definition, c.Data, c.Documents);
            if (errors.Count > 0) throw new InvalidApplicationData(errors);
            Emit(new ApplicationSubmitted(c.ApplicationId, c.TrackingNumber, definition.Id, definition.Version, definition.Hash,
                c.Centre, c.Channel, c.Applicant, c.Data, c.Documents, c.By, now));
            Open(definition.Start, reopened: false);
        }

        public void Decide(DecideStep c)
        {
            EnsureRunning();
            var step = definition.FindStep(c.StepId)
                ?? throw new RuleViolation("step-unknown", $"'{c.StepId}' is not a step of {definition.Id} version {definition.Version}");
            var current = State.Steps.GetValueOrDefault(c.StepId);
            if (current is not { Status: StepStatus.Open })
                throw new RuleViolation("step-not-open", current switch
                {
                    null => $"step '{c.StepId}' has not been opened",
                    { Status: StepStatus.Returned } => $"step '{c.StepId}' is waiting for the citizen's correction",
                    _ => $"step '{c.StepId}' is already closed ({current.Status.ToString().ToLowerInvariant()})",
                });
            if (string.IsNullOrWhiteSpace(c.Reason))
                throw new RuleViolation("reason-required", "every decision needs a reason");

            switch (c.Outcome)
            {
                case StepOutcome.Approve:
                    Emit(new StepApproved(step.Id, step.Agency, c.Reason, c.Comment, step.Approve, c.By, now));
                    if (step == definition.Start && !State.Complete)
                        Emit(new ApplicationDeclaredComplete(now, _calendar.AddWorkingDays(now, definition.DeadlineDays),
                            definition.DeadlineDays, _calendar.Id, c.By));
                    Advance();
                    break;
                case StepOutcome.Reject when step.Reject is { } target:
                    var endsHere = target == WorkflowDefinition.Rejected;
                    Emit(new StepRejected(step.Id, step.Agency, c.Reason, c.Comment, endsHere ? [] : [target], c.By, now));
                    if (endsHere) Emit(new ApplicationRejected(step.Id, c.Reason, now));
                    else Advance();
                    break;
                case StepOutcome.Return when step.CanReturn:
                    Emit(new StepReturned(step.Id, step.Agency, c.Reason, c.Comment, c.By, now));
                    break;
                default:
                    throw new RuleViolation("outcome-not-allowed",
                        $"step '{step.Id}' of {definition.Id} does not allow the outcome '{c.Outcome.ToString().ToLowerInvariant()}'");
            }
        }

        public void Correct(SubmitCorrection c)
        {
            EnsureRunning();
            var returned = definition.Steps.Where(s => State.Steps.GetValueOrDefault(s.Id)?.Status == StepStatus.Returned).ToList();
            if (returned.Count == 0)
                throw new RuleViolation("nothing-to-correct", "no step is waiting for a correction");
            var errors = ApplicationData.Check(definition, c.Data, c.Documents, correction: true);
            if (errors.Count > 0) throw new InvalidApplicationData(errors);
            Emit(new CorrectionSubmitted(c.Data, c.Documents, c.Comment, c.By, now));
            foreach (var step in returned) Open(step, reopened: true);
        }

        public void Withdraw(WithdrawApplication c)
        {
            EnsureRunning();
            if (string.IsNullOrWhiteSpace(c.Reason))
                throw new RuleViolation("reason-required", "a withdrawal needs a reason");
            Emit(new ApplicationWithdrawn(c.Reason, c.By, now));
        }

        private void EnsureRunning()
        {
            if (State.IsFinished)
                throw new RuleViolation("application-finished",
                    $"application {State.TrackingNumber} is {State.Status.ToString().ToLowerInvariant()} and accepts no further commands");
        }

        private void Open(StepDefinition step, bool reopened) =>
            Emit(new StepOpened(step.Id, step.Title, step.Agency, step.Role, now, _calendar.AddWorkingDays(now, step.DeadlineDays),
                step.DeadlineDays, _calendar.Id, reopened));

        /// <summary>
        /// Moves every branch as far as it can go: activates each step whose join is satisfied, skips steps whose
        /// condition does not hold, and ends the application when a branch reached 'approved' and none is still running.
        /// A join waiting for "all" counts the branches that actually arrived and waits while any running branch can still
        /// reach it, so a branch that is returned for correction is neither lost nor counted twice.
        /// </summary>
        private void Advance()
        {
            while (!State.IsFinished)
            {
                var ready = definition.Steps.FirstOrDefault(s =>
                    !State.Steps.ContainsKey(s.Id) && State.Arrivals.TryGetValue(s.Id, out var arrived) && JoinReady(s, arrived.Count));
                if (ready is null) break;
                Activate(ready);
            }
            if (!State.IsFinished && State.Arrivals.ContainsKey(WorkflowDefinition.Approved) && !State.LiveSteps.Any() && !Pending())
                Emit(new ApplicationApproved(now));
        }

        /// <summary>Whether a running branch, or a step that has been reached but not yet activated, can still lead here.</summary>
        private bool MoreMayArrive(string stepId) =>
            State.LiveSteps.Any(s => definition.Reachable(s.StepId).Contains(stepId)) ||
            definition.Steps.Any(s => s.Id != stepId && IsPending(s.Id) && definition.Reachable(s.Id).Contains(stepId));

        private bool IsPending(string stepId) => !State.Steps.ContainsKey(stepId) && State.Arrivals.ContainsKey(stepId);

        private bool Pending() => definition.Steps.Any(s => IsPending(s.Id));

        private bool JoinReady(StepDefinition step, int arrived) => step.After.Mode switch
        {
            JoinMode.Any => arrived >= 1,
            JoinMode.Count => arrived >= step.After.Count || !MoreMayArrive(step.Id),
            _ => !MoreMayArrive(step.Id),
        };

        private void Activate(StepDefinition step)
        {
            if (step.After.Mode != JoinMode.All)
                foreach (var late in State.LiveSteps.Where(s => definition.Reachable(s.StepId).Contains(step.Id)).ToList())
                    Emit(new StepCancelled(late.StepId, late.Agency,
                        $"'{step.Id}' went ahead after {step.After} of its branches; this branch is no longer needed", now));

            if (step.When is { } when && !Condition.Holds(when, definition, State.Data))
                Emit(new StepSkipped(step.Id, step.Agency, when, step.Approve, now));
            else
                Open(step, reopened: false);
        }
    }
}
