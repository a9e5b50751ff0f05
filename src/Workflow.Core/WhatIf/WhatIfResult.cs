using System.Collections.Immutable;
using Workflow.Core.Applications;
using Workflow.Core.Calendars;
using Workflow.Core.Definitions;

namespace Workflow.Core.WhatIf;

/// <summary>One agency's share of a period: the decisions its steps took, how many were late, and their working days.</summary>
public sealed record AgencyFigures(string Agency, int Decisions, int Late, double? MedianWorkingDays, int TotalWorkingDays);

/// <summary>
/// The figures of a set of cases, as the statistics define them: a case is on time by its legal deadline extended only by
/// the citizen's time (<see cref="CaseTimeliness"/>); the on-time rate is over the cases that have a timeliness; median
/// and 90th percentile of the working days from the completeness check to the decision. The bottleneck is the agency with
/// the most late decisions, and among equals the one whose steps took the most working days in all.
/// </summary>
public sealed record PeriodFigures(int Cases, int WithTimeliness, int OnTime, double? OnTimeRate, double? MedianWorkingDays,
    double? P90WorkingDays, int Approved, int Rejected, int Lapsed, int Returns, ImmutableArray<AgencyFigures> Agencies,
    string? Bottleneck)
{
    public static PeriodFigures Of(IReadOnlyCollection<CaseFigures> cases)
    {
        var timed = cases.Where(c => c.Verdict is not null).ToList();
        var onTime = timed.Count(c => c.OnTime);
        var days = timed.Where(c => c.WorkingDays is not null).Select(c => (double)c.WorkingDays!.Value).ToList();
        var agencies = cases.SelectMany(c => c.Steps).GroupBy(s => s.Agency)
            .Select(g => new AgencyFigures(g.Key, g.Count(), g.Count(s => s.Late), Percentiles.Median(g.Select(s => (double)s.WorkingDays)),
                g.Sum(s => s.WorkingDays)))
            .OrderByDescending(a => a.Late).ThenByDescending(a => a.TotalWorkingDays).ThenBy(a => a.Agency, StringComparer.Ordinal)
            .ToImmutableArray();
        return new PeriodFigures(cases.Count, timed.Count, onTime, timed.Count == 0 ? null : Math.Round((double)onTime / timed.Count, 4),
            Percentiles.Median(days), Percentiles.Of(days, 0.9), cases.Count(c => c.Status == "approved"),
            cases.Count(c => c.Status == "rejected"), cases.Count(c => c.Status == "lapsed"), cases.Sum(c => c.Returns), agencies,
            agencies.FirstOrDefault()?.Agency);
    }
}

public sealed record UnmappableCase(Guid ApplicationId, string TrackingNumber, string Reason);

/// <summary>A case whose timeliness the draft changes: on time that was late, or late that was on time.</summary>
public sealed record ChangedCase(Guid ApplicationId, string TrackingNumber, string? Actual, int? ActualWorkingDays, string? Draft,
    int? DraftWorkingDays);

/// <summary>
/// What-if from history: the cases of a period side by side, as they happened and as the draft would have handled them.
/// <see cref="Actual"/> counts every case of the period, as the statistics do; <see cref="Draft"/> the cases the draft
/// could replay; when some could not, <see cref="ActualOfReplayed"/> gives what happened to the same cases the draft
/// counts, for a like-for-like reading.
/// </summary>
public sealed record WhatIfResult(
    string WorkflowId,
    int DraftVersion,
    string DraftTitle,
    int DraftDeadlineDays,
    DateOnly From,
    DateOnly To,
    PeriodFigures Actual,
    PeriodFigures Draft,
    PeriodFigures? ActualOfReplayed,
    ImmutableArray<UnmappableCase> Unmappable,
    ImmutableArray<ChangedCase> Changed)
{
    /// <summary>Replays every case through the draft (in parallel: the replay is pure) and compares the figures.</summary>
    public static WhatIfResult Of(IEnumerable<CaseHistory> histories, WorkflowDefinition draft, CalendarCatalog calendars,
        string workflowId, DateOnly from, DateOnly to) =>
        Compare(histories.AsParallel().AsOrdered().Select(h => HistoryReplay.Replay(h, draft, calendars)).ToList(), draft, workflowId,
            from, to);

    public static WhatIfResult Compare(IReadOnlyList<CaseReplay> replays, WorkflowDefinition draft, string workflowId, DateOnly from,
        DateOnly to)
    {
        var replayed = replays.Where(r => r.Draft is not null).ToList();
        var unmappable = replays.Where(r => r.Unmappable is not null).Select(r => new UnmappableCase(r.ApplicationId, r.TrackingNumber,
            r.Unmappable!)).ToImmutableArray();
        var changed = replayed.Where(r => r.Actual.OnTime != r.Draft!.OnTime || r.Actual.Verdict != r.Draft.Verdict)
            .Select(r => new ChangedCase(r.ApplicationId, r.TrackingNumber, r.Actual.Verdict, r.Actual.WorkingDays, r.Draft!.Verdict,
                r.Draft.WorkingDays))
            .ToImmutableArray();
        return new WhatIfResult(workflowId, draft.Version, draft.Title, draft.DeadlineDays, from, to,
            PeriodFigures.Of([.. replays.Select(r => r.Actual)]), PeriodFigures.Of([.. replayed.Select(r => r.Draft!)]),
            unmappable.IsEmpty ? null : PeriodFigures.Of([.. replayed.Select(r => r.Actual)]), unmappable, changed);
    }
}

/// <summary>Order statistics of working days: the median (the mean of the middle two of an even count) and nearest-rank percentiles.</summary>
public static class Percentiles
{
    public static double? Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? null
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static double? Of(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
