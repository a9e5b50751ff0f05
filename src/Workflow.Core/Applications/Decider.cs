using Workflow.Core.Access;
using Workflow.Core.Calendars;
using Workflow.Core.Definitions;

namespace Workflow.Core.Applications;

/// <summary>
/// The workflow logic: turns a command into events, given the application's state, the definition pinned to it and
/// the time. Pure: no clock, no I/O, no new ids; everything arrives as arguments.
/// </summary>
public static partial class Decider
{
    public static Application? Initial => null;

    public static bool IsTerminal(Application? state) => state?.IsFinished ?? false;

    /// <param name="calendar">The working-day calendar of the application's office, as in force now.</param>
    public static IReadOnlyList<object> Decide(ApplicationCommand command, Application? state, WorkflowDefinition definition,
        WorkingCalendar calendar, DateTimeOffset now)
    {
        var decision = new Decision(definition, calendar, now, state);
        switch (command)
        {
            case SubmitApplication submit:
                decision.Submit(submit);
                break;
            case DecideStep decide:
                decision.Decide(decide);
                break;
            case SubmitCorrection correction:
                decision.Correct(correction);
                break;
            case WithdrawApplication withdraw:
                decision.Withdraw(withdraw);
                break;
            case ReachDeadline deadline:
                decision.FireDue(deadline);
                break;
            case AcknowledgeEscalation acknowledge:
                decision.Acknowledge(acknowledge);
                break;
            case RecalculateDeadlines recalculate:
                decision.Recalculate(recalculate);
                break;
            case MigrateApplication migrate:
                decision.Migrate(migrate);
                break;
            case DeskCommand desk:
                decision.Desk(desk);
                break;
            case Citizens.RateService rate:
                return Citizens.Feedback.Decide(rate, state, now);
            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "unknown command");
        }
        return decision.Events;
    }

    /// <summary>
    /// One decision in progress. Events are applied to a working copy of the state as they are emitted, so the routing
    /// that follows (skips, joins, the end) sees exactly what a replay of those events will see.
    /// </summary>
    private sealed partial class Decision(WorkflowDefinition definition, WorkingCalendar calendar, DateTimeOffset now, Application? state)
    {
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
                c.Centre, c.Channel, c.Applicant, c.Data, c.Documents, c.By, now, c.AccessCode));
            Open(definition.Start, reopened: false, definition.Start.DeadlineDays);
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
            EnsureMayDecide(current, c.By);

            switch (c.Outcome)
            {
                case StepOutcome.Approve when step.FourEyes:
                    ApproveWithFourEyes(step, current, c.Reason, c.Comment, c.By);
                    break;
                case StepOutcome.Approve:
                    Approve(step, c.Reason, c.Comment, c.By);
                    break;
                case StepOutcome.Reject when step.Reject is { } target:
                    var endsHere = target == WorkflowDefinition.Rejected;
                    Emit(new StepRejected(step.Id, step.Agency, c.Reason, c.Comment, endsHere ? [] : [target], c.By, now));
                    if (endsHere) Emit(new ApplicationRejected(step.Id, c.Reason, now));
                    else Advance();
                    break;
                case StepOutcome.Return when step.CanReturn:
                    if (State.ReturnsInAll >= MaxReturnsPerCase)
                        throw new RuleViolation("returns-exhausted",
                            $"application {State.TrackingNumber} has been returned {MaxReturnsPerCase} times, the most a case may; " +
                            "the step is decided now (approved, or rejected where the procedure allows), or the applicant withdraws");
                    // Only returns after the completeness check count toward the cap (see Application.Returns).
                    var beyondCap = State.Complete && State.Returns >= definition.MaxReturns;
                    if (beyondCap && (!AccessPolicy.MayReturnBeyondCap(c.By) || c.ReasonCode is null
                                      || !definition.IsListedRequirement(c.ReasonCode)))
                        throw new RuleViolation("return-cap",
                            $"{definition.Id} allows {definition.MaxReturns} return(s); " +
                            "a further return needs a supervisor and a reason code " +
                            "naming a listed document or data field (for example document:building-plans)");
                    var firstOutstanding = State.Status != ApplicationStatus.AwaitingCorrection;
                    Emit(new StepReturned(step.Id, step.Agency, c.Reason, c.ReasonCode, c.Comment, beyondCap, c.By, now));
                    if (firstOutstanding) StopClock();
                    break;
                default:
                    throw new RuleViolation("outcome-not-allowed",
                        $"step '{step.Id}' of {definition.Id} does not allow the outcome '{c.Outcome.ToString().ToLowerInvariant()}'");
            }
        }

        /// <summary>The approval takes effect: the step closes, the case moves on; the completeness check starts the legal clock.</summary>
        private void Approve(StepDefinition step, string reason, string? comment, Actor by)
        {
            Emit(new StepApproved(step.Id, step.Agency, reason, comment, step.Approve, by, now));
            if (step == definition.Start && !State.Complete)
                Emit(new ApplicationDeclaredComplete(now, calendar.AddWorkingDays(now, definition.DeadlineDays),
                    definition.DeadlineDays, calendar.Version, by));
            Advance();
        }

        /// <summary>
        /// The file goes to the citizen: the legal clock stops with the working days still left (a return after closing time
        /// counts as made at closing time), and the correction window opens.
        /// </summary>
        private void StopClock()
        {
            var counted = calendar.StopCountsAt(now);
            var clock = State.Clock is { Running: true } running ? running : null;
            Emit(new CaseClockStopped(now,
                clock is null ? null : Math.Max(0, calendar.WorkingDaysBetween(counted, clock.DueAt)),
                calendar.EndOfCalendarDays(now, definition.CorrectionDays),
                clock is null ? null : Lateness.IsLate(counted, clock.DueAt)));
        }

        public void Correct(SubmitCorrection c)
        {
            EnsureRunning();
            var returned = definition.Steps.Where(s => State.Steps.GetValueOrDefault(s.Id)?.Status == StepStatus.Returned).ToList();
            if (returned.Count == 0)
                throw new RuleViolation("nothing-to-correct", "no step is waiting for a correction");
            // The window's end is inclusive; after it the application has lapsed, whether or not the sweeper has recorded it yet.
            if (State.CorrectionDueAt is { } windowEnd && Lateness.IsLate(now, windowEnd))
                throw new RuleViolation("correction-window-closed",
                    $"the correction window closed at {windowEnd:yyyy-MM-dd HH:mm zzz}; application {State.TrackingNumber} has lapsed");
            var errors = ApplicationData.Check(definition, c.Data, c.Documents, correction: true);
            if (errors.Count > 0) throw new InvalidApplicationData(errors);
            Emit(new CorrectionSubmitted(c.Data, c.Documents, c.Comment, c.By, now));
            var pause = definition.OnReturn == ReturnPolicy.Pause;
            if (State.Clock is { Running: false } clock)
            {
                var days = pause ? clock.RemainingAtStop ?? definition.DeadlineDays : definition.DeadlineDays;
                Emit(new CaseClockResumed(now, calendar.AddWorkingDays(now, days), days, pause ? "pause" : "restart", calendar.Version));
            }
            foreach (var step in returned)
            {
                var was = State.Steps[step.Id];
                var days = pause
                    ? Math.Max(1, calendar.WorkingDaysBetween(calendar.StopCountsAt(was.ReturnedAt ?? now), was.DueAt))
                    : step.DeadlineDays;
                Open(step, reopened: true, days);
            }
        }

        /// <summary>The planner decides what moves; a plan with any problem changes nothing.</summary>
        public void Migrate(MigrateApplication c)
        {
            var plan = Migration.Plan(State, definition, c.Target, c.Mapping);
            if (!plan.CanApply) throw new RuleViolation("migration-refused", string.Join("; ", plan.Problems));
            if (string.IsNullOrWhiteSpace(c.Reason)) throw new RuleViolation("reason-required", "a migration needs a reason");
            Emit(new ApplicationMigrated(State.WorkflowVersion, State.DefinitionHash, c.Target.Version, c.Target.Hash,
                new Dictionary<string, string>(c.Mapping), plan.Moved, c.Reason, c.By, now));
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

        private void Open(StepDefinition step, bool reopened, int days)
        {
            var due = calendar.AddWorkingDays(now, days);
            Emit(new StepOpened(step.Id, step.Title, step.Agency, step.Role, now, due, days, calendar.Version, reopened,
                new DeadlineTimer(DeadlineScopes.Warning, 0, WarningAt(now, due))));
        }

        /// <summary>The moment the given share of a step's office time has been used (75% by default).</summary>
        private DateTimeOffset WarningAt(DateTimeOffset opened, DateTimeOffset due)
        {
            var total = calendar.WorkingTimeBetween(opened, due);
            return total <= TimeSpan.Zero ? due : calendar.AddWorkingTime(opened, total * definition.Escalation.WarningPercent / 100);
        }

        /// <summary>
        /// Fires what has come due for one scope. A deadline's end is inclusive (a decision at the due instant is on time), so
        /// a breach, a missed legal deadline or a lapse fires only once its instant has passed; a warning or an escalation
        /// fires at its instant. Each event is recorded at, and computed from, the instant it came due, however late the
        /// sweeper gets to it.
        /// </summary>
        public void FireDue(ReachDeadline c)
        {
            if (_state is null || State.IsFinished) return;
            if (c.ScheduledFor is { } scheduled && scheduled >= now) return;
            switch (c.Scope)
            {
                case DeadlineScopes.Case:
                    if (State.Clock is { Running: true, Missed: false } clock && Lateness.IsLate(now, clock.DueAt))
                    {
                        if (definition.DeemedApproval) Emit(new ApplicationDeemedApproved(clock.DueAt, clock.DueAt));
                        else Emit(new CaseDeadlineMissed(clock.DueAt, calendar.AddWorkingDays(clock.DueAt, RemainingDays(clock.DueAt)),
                            definition.Escalation.CaseOverdueNotify, clock.DueAt));
                    }
                    break;
                case DeadlineScopes.Correction:
                    if (State.Status == ApplicationStatus.AwaitingCorrection && State.CorrectionDueAt is { } due
                        && Lateness.IsLate(now, due))
                        Emit(new ApplicationLapsed(due, due));
                    break;
                default:
                    FireStepTimer(c.Scope);
                    break;
            }
        }

        /// <summary>
        /// Fires, in order and once each, everything of a step's chain that has come due: after a stop, all that was missed.
        /// </summary>
        private void FireStepTimer(string stepId)
        {
            if (State.Steps.GetValueOrDefault(stepId) is not { Status: StepStatus.Open } step) return;
            var chain = definition.Escalation;
            if (!step.Warned && !step.Breached && step.NextTimer is { Kind: DeadlineScopes.Warning } warning && warning.At <= now)
                Emit(new DeadlineWarningReached(step.StepId, step.Agency, step.DueAt, chain.WarningNotify, warning.At,
                    new DeadlineTimer(DeadlineScopes.Breach, 0, step.DueAt)));
            step = State.Steps[stepId];
            if (!step.Breached && Lateness.IsLate(now, step.DueAt))
                Emit(new DeadlineBreached(step.StepId, step.Agency, step.DueAt, chain.BreachNotify, step.DueAt,
                    NextEscalation(step.DueAt, 0)));
            step = State.Steps[stepId];
            while (step.Breached && step.EscalationLevel < chain.Levels.Count)
            {
                var (level, days, notify) = chain.Levels[step.EscalationLevel];
                var reached = calendar.AddWorkingDays(step.DueAt, days);
                if (reached > now) break;
                Emit(new StepEscalated(step.StepId, step.Agency, level, days, notify, reached, NextEscalation(step.DueAt, level)));
                step = State.Steps[stepId];
            }
        }

        private DeadlineTimer? NextEscalation(DateTimeOffset due, int afterLevel) =>
            definition.Escalation.Levels.Skip(afterLevel)
                .Select(l => new DeadlineTimer(DeadlineScopes.Escalation, l.Level, calendar.AddWorkingDays(due, l.Days)))
                .FirstOrDefault();

        /// <summary>
        /// Working days from <paramref name="at"/> (the moment of the apology) until the last remaining step can be decided:
        /// each open step counts the working days it has left (one when it is already overdue), then every step after it on
        /// the longest way to approval its whole deadline (<see cref="Paths.LongestAfter"/>). This is the basis of the
        /// apology's new expected date.
        /// </summary>
        private int RemainingDays(DateTimeOffset at) =>
            State.LiveSteps.Select(s => Math.Max(1, calendar.WorkingDaysBetween(at, s.DueAt)) + Paths.LongestAfter(definition, s.StepId))
                .DefaultIfEmpty(1).Max();

        public void Acknowledge(AcknowledgeEscalation c)
        {
            EnsureRunning();
            var step = State.Steps.GetValueOrDefault(c.StepId)
                ?? throw new RuleViolation("step-unknown", $"step '{c.StepId}' has not been opened");
            if (c.Level < 0 || (c.Level == 0 ? !step.Breached : step.EscalationLevel < c.Level))
                throw new RuleViolation("not-escalated", $"step '{c.StepId}' has not been escalated to level {c.Level}");
            if (step.Acknowledged?.Contains(c.Level) == true) return;
            Emit(new EscalationAcknowledged(c.StepId, c.Level, c.Comment, c.By, now));
        }

        public void Recalculate(RecalculateDeadlines c)
        {
            if (_state is null || State.IsFinished) return;
            var open = definition.Steps.Select(d => State.Steps.GetValueOrDefault(d.Id)).OfType<StepState>()
                .Where(s => s.Status == StepStatus.Open);
            foreach (var step in open)
            {
                var due = calendar.AddWorkingDays(step.OpenedAt, step.WorkingDays);
                var next = !step.Warned ? new DeadlineTimer(DeadlineScopes.Warning, 0, WarningAt(step.OpenedAt, due))
                    : !step.Breached ? new DeadlineTimer(DeadlineScopes.Breach, 0, due)
                    : NextEscalation(due, step.EscalationLevel);
                // A breached step keeps its deadline, but a holiday after it moves the next escalation: that is recorded too,
                // or the sweeper would find nothing due at the old instant and stop looking.
                if (due == step.DueAt && (!step.Breached || next == step.NextTimer)) continue;
                Emit(new DeadlineRecalculated(step.StepId, step.DueAt, due, calendar.Version, c.Reason, now, next));
            }
            if (State.Clock is { Running: true, Missed: false } clock)
            {
                var due = calendar.AddWorkingDays(clock.StartedAt, clock.WorkingDays);
                if (due != clock.DueAt)
                    Emit(new DeadlineRecalculated(DeadlineScopes.Case, clock.DueAt, due, calendar.Version, c.Reason, now,
                        new DeadlineTimer(DeadlineScopes.CaseDue, 0, due)));
            }
        }

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
                Open(step, reopened: false, step.DeadlineDays);
        }
    }
}
