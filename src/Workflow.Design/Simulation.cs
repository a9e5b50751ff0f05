using System.Text.Json;
using Workflow.Core.Applications;
using Workflow.Core.Calendars;
using Workflow.Core.Definitions;

namespace Workflow.Design;

public sealed record SimulatedStep(string StepId, string Agency, DateTimeOffset OpenedAt, DateTimeOffset DueAt, int WorkingDays,
    string? Outcome, DateTimeOffset? DecidedAt);

public sealed record SimulationResult(
    IReadOnlyList<SimulatedStep> Steps,
    IReadOnlyList<string> Skipped,
    string Status,
    DateTimeOffset? CompleteAt,
    DateTimeOffset? LegalDueAt,
    DateTimeOffset? FinishedAt,
    int? WorkingDaysUsed,
    bool WithinLegalDeadline);

/// <summary>
/// Walks a procedure with the real decider and calendar before it is published: every agency takes all the time it
/// is allowed (each step is decided at its due time), a returned file comes back the next working morning, and the
/// result shows each step's due date and the working days used against the legal deadline.
/// </summary>
public static class Simulation
{
    private static readonly Actor Clerk = new("simulation", "Simulation", "odsc", "clerk");

    public static SimulationResult Run(WorkflowDefinition definition, WorkingCalendar calendar,
        IReadOnlyDictionary<string, JsonElement> data, DateTimeOffset start, IReadOnlyDictionary<string, StepOutcome>? outcomes = null)
    {
        var pending = new Dictionary<string, StepOutcome>(outcomes ?? new Dictionary<string, StepOutcome>());
        var documents = definition.Documents.Select(d => d.Name).ToList();
        Application? state = null;
        var steps = new List<SimulatedStep>();
        var skipped = new List<string>();
        DateTimeOffset? complete = null, legalDue = null, finished = null;

        void Apply(IEnumerable<object> events)
        {
            foreach (var e in events)
            {
                state = Application.Evolve(state, e);
                switch (e)
                {
                    case StepOpened o:
                        steps.Add(new SimulatedStep(o.StepId, o.Agency, o.OpenedAt, o.DueAt, o.WorkingDays, null, null));
                        break;
                    case StepSkipped s: skipped.Add(s.StepId); break;
                    case ApplicationDeclaredComplete c: (complete, legalDue) = (c.At, c.DueAt); break;
                    case CaseClockResumed r: legalDue = r.DueAt; break;
                    case ApplicationApproved a: finished = a.At; break;
                    case ApplicationRejected r: finished = r.At; break;
                }
            }
        }

        Apply(Decider.Decide(
            new SubmitApplication(Guid.Empty, "SIMULATION", "SIM", "counter", new Applicant("Simulation"), data, documents, Clerk),
            null, definition, calendar, start));
        for (var guard = 0; guard < 10_000 && !state!.IsFinished; guard++)
        {
            if (state.Status == ApplicationStatus.AwaitingCorrection && !state.Steps.Values.Any(s => s.Status == StepStatus.Open))
            {
                var returnedAt = state.Steps.Values.Where(s => s.Status == StepStatus.Returned).Max(s => s.ReturnedAt!.Value);
                var morning = calendar.Instant(calendar.NextWorkingDay(DateOnly.FromDateTime(calendar.Local(returnedAt))), calendar.Opens);
                var correction = new SubmitCorrection(new Dictionary<string, JsonElement>(), [], "corrected", Clerk);
                Apply(Decider.Decide(correction, state, definition, calendar, morning));
                continue;
            }
            var next = state.Steps.Values.Where(s => s.Status == StepStatus.Open).OrderBy(s => s.DueAt).ThenBy(s => s.StepId)
                .FirstOrDefault();
            if (next is null) break;
            var outcome = pending.Remove(next.StepId, out var chosen) ? chosen : StepOutcome.Approve;
            var step = definition.FindStep(next.StepId)!;
            var by = new Actor("simulation", "Simulation", step.Agency, "supervisor");
            var code = definition.Documents.Select(d => $"document:{d.Name}").FirstOrDefault()
                       ?? definition.Data.Select(f => $"field:{f.Name}").FirstOrDefault();
            Apply(Decider.Decide(new DecideStep(step.Id, outcome, "simulated", null, by, code), state, definition, calendar, next.DueAt));
            var index = steps.FindLastIndex(s => s.StepId == step.Id);
            steps[index] = steps[index] with { Outcome = outcome.ToString().ToLowerInvariant(), DecidedAt = next.DueAt };
        }

        var used = complete is { } from && finished is { } to ? calendar.WorkingDaysBetween(from, to) : (int?)null;
        return new SimulationResult(steps, skipped, state!.Status.ToString().ToLowerInvariant(), complete, legalDue, finished, used,
            finished is null || legalDue is null || finished <= legalDue);
    }

    /// <summary>
    /// The closing line of a simulation: the working days the legal clock ran against the legal deadline. The clock stops
    /// while the citizen holds a returned file and restarts or resumes on resubmission (rule 3 of Core/README.md), so it is read
    /// from the legal deadline the decider last set, never as the days between completeness and finish, which count the
    /// citizen's time too.
    /// </summary>
    public static string Summary(SimulationResult result, WorkflowDefinition definition, WorkingCalendar calendar)
    {
        var text = $"{result.Status}; complete {result.CompleteAt:yyyy-MM-dd HH:mm}, " +
                   $"legal deadline {result.LegalDueAt:yyyy-MM-dd HH:mm}, finished {result.FinishedAt:yyyy-MM-dd HH:mm}";
        if (result.FinishedAt is not { } finished || result.LegalDueAt is not { } due) return text;
        var legal = definition.DeadlineDays;
        if (finished <= due)
        {
            var spare = finished == due ? 0 : calendar.WorkingDaysBetween(finished, due);
            text += $": {legal - spare} of {legal} working days on the legal clock ({spare} to spare)";
        }
        else
            text += $": {legal + calendar.WorkingDaysBetween(due, finished)} of {legal} working days on the legal clock" +
                    "  OVER THE LEGAL DEADLINE";
        if (result.WorkingDaysUsed is { } elapsed && result.Steps.Any(st => st.Outcome == "return"))
            text += $"; {elapsed} working days from the completeness check to the end, the citizen's correction included";
        return text;
    }

    /// <summary>
    /// One path of <see cref="Paths.All"/> as the designer reads it: each step with its own deadline, the total against the
    /// legal deadline. No path goes over it: the loader refuses such a file and names the longest path.
    /// </summary>
    public static string Describe(FlowPath path, WorkflowDefinition definition) =>
        $"{path.WorkingDays,3} of {definition.DeadlineDays} working days ({definition.DeadlineDays - path.WorkingDays} to spare)  " +
        string.Join(" -> ", path.Steps.Select(id => definition.FindStep(id) is { } step
            ? $"{id} ({step.DeadlineDays} wd{(step == definition.Start ? ", before the clock" : "")})"
            : id));
}
