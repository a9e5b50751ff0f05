using System.Collections.Immutable;
using Workflow.Core.Applications;
using Workflow.Core.Calendars;
using Workflow.Core.Definitions;

namespace Workflow.Core.WhatIf;

/// <summary>One recorded case beside its replay through a draft, or the reason the draft cannot replay it.</summary>
public sealed record CaseReplay(Guid ApplicationId, string TrackingNumber, CaseFigures Actual, CaseFigures? Draft, string? Unmappable);

/// <summary>
/// Replays a recorded case through a draft version of its procedure with the real decider and the centre's calendar, so the
/// draft's deadlines, joins, conditions, clock policy and return cap apply exactly as they would have. The rules (README,
/// What-if from history):
/// <list type="number">
/// <item>A step of the draft takes the recorded decisions of the historical step with the same id; a draft step whose id the
/// history lacks takes those of the one historical step of the same agency that no draft step has by id (a renamed step).</item>
/// <item>A step the draft adds (no recorded decision left for it) takes its whole deadline and is approved: the agency uses
/// all the time the draft allows it.</item>
/// <item>A step the draft removes is skipped with its decisions; a return it made is dropped with the citizen's correction
/// when that correction answered only returns of removed steps. A removed step that rejected the case leaves the outcome
/// unknown: the case cannot be mapped.</item>
/// <item>Time: each agency keeps the working days it took. A decision recorded at instant D on a step opened at O is made
/// at D moved by as many working days as the replayed step opened after (or before) O, at the same time of day, and never
/// before the step opened; a correction keeps the citizen's holding time the same way, counted from the replayed return.
/// The legal deadline, the step deadlines and the correction window are the draft's, on the centre's calendar in force at
/// each moment; a calendar change recorded in the history is applied at the instant it was recorded.</item>
/// <item>A case is unmappable when the draft refuses its recorded data, does not allow a recorded outcome on a step
/// (rejecting, or returning, where the draft cannot), or leaves it waiting with nothing recorded to move it on. It is
/// counted and listed with the reason, never dropped.</item>
/// </list>
/// The draft's legal deadline missed while a case runs is recorded as the sweeper would (an apology, or a deemed approval
/// when the draft grants it), and a correction later than the draft's window lets the case lapse.
/// </summary>
public static class HistoryReplay
{
    public static CaseReplay Replay(CaseHistory history, WorkflowDefinition draft, CalendarCatalog calendars)
    {
        try
        {
            return new(history.Id, history.TrackingNumber, history.Actual, new Run(history, draft, calendars).Go(), null);
        }
        catch (Unmappable unmappable)
        {
            return new(history.Id, history.TrackingNumber, history.Actual, null, unmappable.Message);
        }
    }

    private sealed class Unmappable(string reason) : Exception(reason);

    private sealed class Run(CaseHistory history, WorkflowDefinition draft, CalendarCatalog calendars)
    {
        private static readonly Actor Clerk = new("what-if", "What-if replay", "odsc", "clerk");

        private readonly List<object> _events = [];
        private readonly Dictionary<string, Queue<HistoricalDecision>> _decisions = [];
        private readonly Queue<HistoricalCorrection> _corrections = new();
        private readonly Queue<DateTimeOffset> _recalculations = new(history.Recalculations);
        private Application? _state;
        private DateTimeOffset _lastReturn;

        private Application State => _state!;

        public CaseFigures Go()
        {
            Map();
            Do(new SubmitApplication(history.Id, history.TrackingNumber, history.Centre, history.Channel, new Applicant("what-if"),
                history.Data, history.Documents, Clerk), history.SubmittedAt, "the submission");
            for (var guard = 0; !State.IsFinished; guard++)
            {
                if (guard > 10_000) throw new Unmappable("the replay did not come to an end");
                var (at, act) = Next();
                FireDue(at);
                if (!State.IsFinished) act();
            }
            return CaseFigures.Of(_events, calendars);
        }

        /// <summary>Which historical step each draft step takes its decisions from (rules 1 and 3).</summary>
        private void Map()
        {
            var recorded = history.Decisions.Select(d => (d.StepId, d.Agency)).Distinct().ToList();
            var source = new Dictionary<string, string>();
            foreach (var step in draft.Steps.Where(s => recorded.Any(r => r.StepId == s.Id))) source[step.Id] = step.Id;
            var left = recorded.Where(r => draft.FindStep(r.StepId) is null).ToList();
            foreach (var step in draft.Steps.Where(s => !source.ContainsKey(s.Id)))
            {
                var same = left.Where(r => r.Agency == step.Agency).Select(r => r.StepId).Distinct().ToList();
                if (same.Count != 1 || draft.Steps.Count(s => !source.ContainsKey(s.Id) && s.Agency == step.Agency) != 1) continue;
                source[step.Id] = same[0];
                left.RemoveAll(r => r.StepId == same[0]);
            }
            var removed = left.Select(r => r.StepId).ToHashSet();
            if (history.Decisions.FirstOrDefault(d => removed.Contains(d.StepId) && d.Outcome == StepOutcome.Reject) is { } rejection)
                throw new Unmappable($"step '{rejection.StepId}' ({rejection.Agency}) rejected the case on " +
                                     $"{rejection.At:yyyy-MM-dd} and the draft has no such step");
            foreach (var (to, from) in source)
                _decisions[to] = new Queue<HistoricalDecision>(history.Decisions.Where(d => d.StepId == from));
            foreach (var correction in history.Corrections.Where(c => c.Answers.IsEmpty || !c.Answers.All(removed.Contains)))
                _corrections.Enqueue(correction);
        }

        /// <summary>The next act in replayed time: a recorded calendar change, a step's decision, or the citizen's correction.</summary>
        private (DateTimeOffset At, Action Act) Next()
        {
            var acts = new List<(DateTimeOffset At, int Order, Action Act)>();
            if (_recalculations.TryPeek(out var recalculation))
                acts.Add((recalculation, 0, () => Do(new RecalculateDeadlines("a calendar change, as recorded", DeadlineScopes.System),
                    _recalculations.Dequeue(), "a calendar change")));
            var open = draft.Steps.Select((s, i) => (Step: s, Order: i, State: State.Steps.GetValueOrDefault(s.Id)))
                .Where(x => x.State is { Status: StepStatus.Open }).ToList();
            foreach (var (step, order, state) in open)
            {
                if (_decisions.GetValueOrDefault(step.Id) is { Count: > 0 } queue)
                {
                    var recorded = queue.Peek();
                    var at = Shift(recorded.At, Offset(recorded.OpenedAt, state!.OpenedAt));
                    acts.Add((at < state.OpenedAt ? state.OpenedAt : at, order + 2, () => Decide(step, queue.Dequeue().Outcome,
                        recorded.ReasonCode, at < state.OpenedAt ? state.OpenedAt : at)));
                }
                else
                    acts.Add((state!.DueAt, order + 2, () => Decide(step, StepOutcome.Approve, null, state.DueAt)));
            }
            if (State.Steps.Values.Any(s => s.Status == StepStatus.Returned) && _corrections.TryPeek(out var correction)
                && !open.Any(x => _decisions.GetValueOrDefault(x.Step.Id) is { Count: > 0 } q && q.Peek().Outcome == StepOutcome.Return
                                  && correction.Answers.Contains(q.Peek().StepId)))
            {
                var at = Shift(correction.At, Offset(correction.ReturnedAt, _lastReturn));
                if (at < _lastReturn) at = _lastReturn;
                acts.Add((at, 1, () => Do(new SubmitCorrection(_corrections.Dequeue().Data, correction.Documents, "as recorded", Clerk), at,
                    "the citizen's correction")));
            }
            if (acts.Count == 0)
                throw new Unmappable(State.Status == ApplicationStatus.AwaitingCorrection
                    ? "the draft returns the file to the citizen where no correction was recorded"
                    : "the draft leaves the case waiting with no recorded decision to move it on");
            var next = acts.OrderBy(a => a.At).ThenBy(a => a.Order).First();
            return (next.At, next.Act);
        }

        private void Decide(StepDefinition step, StepOutcome outcome, string? reasonCode, DateTimeOffset at)
        {
            var by = new Actor("what-if", "What-if replay", step.Agency, Access.Roles.Supervisor, history.Centre);
            reasonCode ??= draft.Documents.Select(d => $"document:{d.Name}").Concat(draft.Data.Select(f => $"field:{f.Name}"))
                .FirstOrDefault();
            var what = $"step '{step.Id}'";
            Do(new DecideStep(step.Id, outcome, "as recorded", null, by, reasonCode), at, what);
            // Four eyes in the draft: a second officer confirms at once, so the agency's time is what was recorded.
            if (State.Steps.GetValueOrDefault(step.Id) is { Status: StepStatus.Open, Pending: not null })
                Do(new DecideStep(step.Id, outcome, "as recorded", null, by with { UserId = "what-if-2" }, reasonCode), at, what);
            if (outcome == StepOutcome.Return) _lastReturn = at;
        }

        /// <summary>What the sweeper would have recorded before <paramref name="at"/>: the legal deadline missed, the window closed.</summary>
        private void FireDue(DateTimeOffset at)
        {
            if (State.Clock is { Running: true, Missed: false } clock && Lateness.IsLate(at, clock.DueAt))
                Do(new ReachDeadline(DeadlineScopes.Case, DeadlineScopes.System, clock.DueAt), at, "the legal deadline");
            if (!State.IsFinished && State.Status == ApplicationStatus.AwaitingCorrection && State.CorrectionDueAt is { } window
                && Lateness.IsLate(at, window))
                Do(new ReachDeadline(DeadlineScopes.Correction, DeadlineScopes.System, window), at, "the correction window");
        }

        private void Do(ApplicationCommand command, DateTimeOffset at, string what)
        {
            IReadOnlyList<object> events;
            try
            {
                events = Decider.Decide(command, _state, draft, calendars.ForCentre(history.Centre, at), at);
            }
            catch (RuleViolation rule)
            {
                throw new Unmappable($"{what}: {rule.Message}");
            }
            catch (InvalidApplicationData data)
            {
                throw new Unmappable($"the draft does not accept the recorded data ({data.Message})");
            }
            foreach (var e in events)
            {
                _state = Application.Evolve(_state, e);
                _events.Add(e);
            }
        }

        /// <summary>Working days from one instant to another on the centre's calendar; negative when the second is earlier.</summary>
        private int Offset(DateTimeOffset recorded, DateTimeOffset replayed) =>
            recorded == replayed ? 0 : calendars.ForCentre(history.Centre, replayed).WorkingDaysBetween(recorded, replayed);

        /// <summary>An instant moved by whole working days, keeping its time of day.</summary>
        private DateTimeOffset Shift(DateTimeOffset instant, int days)
        {
            if (days == 0) return instant;
            var calendar = calendars.ForCentre(history.Centre, instant);
            var local = calendar.Local(instant);
            var day = DateOnly.FromDateTime(local);
            for (var i = 0; i < Math.Abs(days); i++) day = days > 0 ? calendar.NextWorkingDay(day) : calendar.PreviousWorkingDay(day);
            return calendar.Instant(day, TimeOnly.FromDateTime(local));
        }
    }
}
