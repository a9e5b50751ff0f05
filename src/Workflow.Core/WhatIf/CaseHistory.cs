using System.Collections.Immutable;
using System.Text.Json;
using Workflow.Core.Applications;
using Workflow.Core.Statistics;

namespace Workflow.Core.WhatIf;

/// <summary>One decision an agency took on a step: when the step (or its reopening) opened, when it was decided, how.</summary>
/// <param name="ReasonCode">The listed requirement a return past the cap cited, kept so the return can be made again.</param>
public sealed record HistoricalDecision(string StepId, string Agency, StepOutcome Outcome, DateTimeOffset OpenedAt, DateTimeOffset At,
    string? ReasonCode);

/// <summary>The citizen's correction after a return: when the file went back (the last return it answers) and when it came back.</summary>
/// <param name="Answers">The steps whose returns it answers.</param>
public sealed record HistoricalCorrection(ImmutableArray<string> Answers, DateTimeOffset ReturnedAt, DateTimeOffset At,
    IReadOnlyDictionary<string, JsonElement> Data, IReadOnlyList<string> Documents);

/// <summary>
/// What the replay needs of one recorded case, taken from its events alone (never from a definition file): the submission
/// as received, each agency decision and each correction in order, the instants at which calendar changes moved its
/// deadlines, and the figures of what actually happened.
/// </summary>
public sealed record CaseHistory(
    Guid Id,
    string TrackingNumber,
    string WorkflowId,
    int WorkflowVersion,
    string Centre,
    string Channel,
    IReadOnlyDictionary<string, JsonElement> Data,
    IReadOnlyList<string> Documents,
    DateTimeOffset SubmittedAt,
    ImmutableArray<HistoricalDecision> Decisions,
    ImmutableArray<HistoricalCorrection> Corrections,
    ImmutableArray<DateTimeOffset> Recalculations,
    CaseFigures Actual)
{
    /// <summary>The history of one application from its events in stream order; null when they hold no submission.</summary>
    public static CaseHistory? From(Guid id, IReadOnlyList<object> events, Calendars.CalendarCatalog calendars)
    {
        if (events.OfType<ApplicationSubmitted>().FirstOrDefault() is not { } submitted) return null;
        var opened = new Dictionary<string, DateTimeOffset>();
        var decisions = ImmutableArray.CreateBuilder<HistoricalDecision>();
        var corrections = ImmutableArray.CreateBuilder<HistoricalCorrection>();
        var recalculations = ImmutableArray.CreateBuilder<DateTimeOffset>();
        var returned = new List<string>();
        DateTimeOffset? lastReturn = null;
        foreach (var e in events)
            switch (e)
            {
                case StepOpened o:
                    opened[o.StepId] = o.OpenedAt;
                    break;
                case StepApproved a:
                    decisions.Add(new(a.StepId, a.Agency, StepOutcome.Approve, opened.GetValueOrDefault(a.StepId, a.At), a.At, null));
                    break;
                case StepRejected r:
                    decisions.Add(new(r.StepId, r.Agency, StepOutcome.Reject, opened.GetValueOrDefault(r.StepId, r.At), r.At, null));
                    break;
                case StepReturned r:
                    decisions.Add(new(r.StepId, r.Agency, StepOutcome.Return, opened.GetValueOrDefault(r.StepId, r.At), r.At,
                        r.ReasonCode));
                    returned.Add(r.StepId);
                    lastReturn = r.At;
                    break;
                case CorrectionSubmitted c:
                    corrections.Add(new([.. returned], lastReturn ?? c.At, c.At, c.Data, c.Documents));
                    returned.Clear();
                    break;
                case DeadlineRecalculated d:
                    if (recalculations.Count == 0 || recalculations[^1] != d.At) recalculations.Add(d.At);
                    break;
                case ApplicationMigrated m:
                    // Steps renamed by a migration keep the instant they opened under their new name.
                    foreach (var moved in m.Moved.Where(x => x.From != x.To))
                        if (opened.Remove(moved.From, out var at)) opened[moved.To] = at;
                    break;
            }
        return new CaseHistory(id, submitted.TrackingNumber, submitted.WorkflowId, submitted.WorkflowVersion, submitted.Centre,
            submitted.Channel, submitted.Data, submitted.Documents, submitted.At, decisions.ToImmutable(), corrections.ToImmutable(),
            recalculations.ToImmutable(), CaseFigures.Of(events, calendars));
    }
}

/// <summary>How long one step decision took and whether it was late, for the per-agency table.</summary>
public sealed record StepFigures(string StepId, string Agency, int WorkingDays, bool Late);

/// <summary>
/// The figures of one case, read from its events by the statistics' own fold (<see cref="CaseFacts"/>) and counted as the
/// statistics count them, so that what happened and what the replay gives are measured by the same rules: the timeliness
/// verdict (<see cref="CaseTimeliness"/>, rule 6 of Core/README.md); the working days from the completeness check to the
/// decision on the centre's calendar in force at the completeness check; each agency decision (approve, reject, return)
/// with its working days on the calendar in force when the step opened, and whether it came after the step's due time.
/// </summary>
/// <param name="Status">approved, deemed-approved, rejected, withdrawn, lapsed, or running.</param>
/// <param name="Verdict">on-time, late or late-with-apology; null for a case without timeliness.</param>
public sealed record CaseFigures(string Status, string? Verdict, DateTimeOffset? CompleteAt, DateTimeOffset? DecidedAt, int? WorkingDays,
    int Returns, ImmutableArray<StepFigures> Steps)
{
    public bool OnTime => Verdict == CaseTimeliness.OnTime;

    public static CaseFigures Of(IEnumerable<object> events, Calendars.CalendarCatalog calendars)
    {
        var facts = CaseFacts.Fold(events) ?? throw new ArgumentException("the events hold no submission", nameof(events));
        int? days = facts is { CompleteAt: { } from, DecidedAt: { } to }
            ? CentreCalendars.For(calendars, facts.Centre, from).WorkingDaysBetween(from, to)
            : null;
        return new CaseFigures(facts.Outcome ?? "running", facts.Verdict, facts.CompleteAt, facts.DecidedAt, days, facts.Returns,
        [
            .. facts.Steps.Where(v => Outcomes.IsDecision(v.Outcome)).Select(v => new StepFigures(v.StepId, v.Agency,
                CentreCalendars.For(calendars, facts.Centre, v.OpenedAt).WorkingDaysBetween(v.OpenedAt, v.ClosedAt!.Value),
                Lateness.IsLate(v.ClosedAt!.Value, v.DueAt))),
        ]);
    }
}
