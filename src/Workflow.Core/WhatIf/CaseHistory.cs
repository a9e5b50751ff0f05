using System.Collections.Immutable;
using System.Text.Json;
using Workflow.Core.Applications;

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
/// The figures of one case, read from its events by the same rules for what happened and for what the replay gives:
/// the timeliness verdict (<see cref="CaseTimeliness"/>, rule 6 of Core/README.md), the working days from the completeness
/// check to the decision, and each agency decision with its working days and lateness.
/// </summary>
/// <param name="Status">approved, rejected, withdrawn, lapsed or running.</param>
/// <param name="Verdict">on-time, late or late-with-apology; null for a case without timeliness.</param>
/// <param name="WorkingDays">Working days from the completeness check to the decision, on the centre's calendar.</param>
public sealed record CaseFigures(string Status, string? Verdict, DateTimeOffset? CompleteAt, DateTimeOffset? DecidedAt, int? WorkingDays,
    int Returns, ImmutableArray<StepFigures> Steps)
{
    public bool OnTime => Verdict == CaseTimeliness.OnTime;

    public static CaseFigures Of(IEnumerable<object> events, Calendars.CalendarCatalog calendars)
    {
        var timeliness = CaseTimeliness.NotStarted;
        var centre = "";
        var status = "running";
        DateTimeOffset? complete = null, decided = null;
        var open = new Dictionary<string, (DateTimeOffset Opened, DateTimeOffset Due)>();
        var steps = ImmutableArray.CreateBuilder<StepFigures>();
        var returns = 0;
        void Decided(string stepId, string agency, DateTimeOffset at)
        {
            if (!open.Remove(stepId, out var step)) return;
            var calendar = calendars.ForCentre(centre, at);
            steps.Add(new StepFigures(stepId, agency, Math.Max(0, calendar.WorkingDaysBetween(step.Opened, at)),
                Lateness.IsLate(at, step.Due)));
        }
        foreach (var e in events)
        {
            timeliness = timeliness.Evolve(e);
            switch (e)
            {
                case ApplicationSubmitted s: centre = s.Centre; break;
                case StepOpened o: open[o.StepId] = (o.OpenedAt, o.DueAt); break;
                case DeadlineRecalculated r when open.TryGetValue(r.Scope, out var step): open[r.Scope] = step with { Due = r.DueAt }; break;
                case StepApproved a: Decided(a.StepId, a.Agency, a.At); break;
                case StepRejected r: Decided(r.StepId, r.Agency, r.At); break;
                case StepReturned r:
                    Decided(r.StepId, r.Agency, r.At);
                    returns++;
                    break;
                case ApplicationDeclaredComplete c: complete ??= c.At; break;
                case ApplicationMigrated m:
                    foreach (var moved in m.Moved.Where(x => x.From != x.To))
                        if (open.Remove(moved.From, out var was)) open[moved.To] = was with { Due = moved.DueAt };
                    break;
                case ApplicationApproved a: (status, decided) = ("approved", a.At); break;
                case ApplicationDeemedApproved a: (status, decided) = ("approved", a.At); break;
                case ApplicationRejected r: (status, decided) = ("rejected", r.At); break;
                case ApplicationWithdrawn w: (status, decided) = ("withdrawn", null); break;
                case ApplicationLapsed l: (status, decided) = ("lapsed", null); break;
            }
        }
        int? days = complete is { } from && decided is { } to && timeliness.Verdict is not null
            ? Math.Max(0, calendars.ForCentre(centre, to).WorkingDaysBetween(from, to))
            : null;
        return new CaseFigures(status, timeliness.Verdict, complete, decided, days, returns, steps.ToImmutable());
    }
}
