using System.Collections.Immutable;
using System.Globalization;
using Workflow.Core.Applications;
using Workflow.Core.Calendars;

namespace Workflow.Core.Statistics;

/// <summary>The dimensions a table of indicators can be broken down by.</summary>
public static class Dimensions
{
    public const string Centre = "centre";
    public const string Agency = "agency";
    public const string Procedure = "procedure";
    public const string Step = "step";

    public static readonly IReadOnlyList<string> All = [Centre, Agency, Procedure, Step];

    /// <summary>Without a choice, figures go by centre and procedure.</summary>
    public static readonly IReadOnlyList<string> Default = [Centre, Procedure];
}

/// <summary>
/// Which figures to compute: periods of one kind covering <see cref="From"/>..<see cref="To"/> (local days, both
/// included), optionally for one centre, agency, procedure or step, broken down by <see cref="By"/>. Naming an agency
/// or a step, or breaking down by one, gives step figures (the work of agencies) instead of case figures.
/// </summary>
public sealed record StatisticsQuery(PeriodKind Kind, DateOnly From, DateOnly To, string? Centre = null, string? Agency = null,
    string? WorkflowId = null, string? Step = null, IReadOnlyList<string>? By = null)
{
    public IReadOnlyList<string> Breakdown => By ?? Dimensions.Default;

    public bool OfSteps => Agency is not null || Step is not null || Breakdown.Contains(Dimensions.Agency)
                           || Breakdown.Contains(Dimensions.Step);

    public IReadOnlyList<Period> Periods => Period.Cover(Kind, From, To);

    /// <summary>The cases a table for this query can need: in the centre and procedure asked, and alive during the range.</summary>
    public bool Touches(CaseFacts c) => Touches(c, new Period(PeriodKind.Custom, From, To));

    private bool Touches(CaseFacts c, Period range) =>
        (Centre is null || c.Centre == Centre) && (WorkflowId is null || c.WorkflowId == WorkflowId)
        && c.ReceivedAt < range.End && (c.EndedAt is null || c.EndedAt >= range.Start);

    /// <summary>Those of <paramref name="facts"/> a table for this query can need.</summary>
    public IEnumerable<CaseFacts> Touching(IEnumerable<CaseFacts> facts)
    {
        var range = new Period(PeriodKind.Custom, From, To);
        return facts.Where(c => Touches(c, range));
    }
}

/// <summary>
/// The indicators of one period and group, as the README's indicator table defines them. Case rows (no agency, no step)
/// count applications; step rows count the visits of steps at agencies (each time a step was open).
/// </summary>
public sealed record IndicatorRow(
    string Period,
    DateOnly From,
    DateOnly To,
    string? Centre,
    string? Agency,
    string? WorkflowId,
    string? Step,
    int Received,
    int Completed,
    int OnTime,
    int Late,
    int LateWithApology,
    int DeemedApproved,
    int PendingNotDue,
    int PendingOverdue,
    double? MedianDays,
    double? P90Days,
    int Returns,
    double? ReturnsPerCase,
    double? ReturnedMoreThanOnce,
    IReadOnlyDictionary<int, int> EscalationsByLevel,
    int Escalations,
    int Acknowledged,
    int Rated,
    double? RatingMean,
    IReadOnlyList<int> Ratings,
    double? ResponseRate)
{
    /// <summary>The share decided on time among those with a verdict; null when none was decided.</summary>
    public double? OnTimeRate => OnTime + Late + LateWithApology is var n and > 0 ? Indicators.Round((double)OnTime / n) : null;

    /// <summary>Every figure as one flat, ordered list of named text values: the CSV columns, and what a check compares.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields() =>
    [
        Field("period", Period), Field("from", From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        Field("to", To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), Field("centre", Centre), Field("agency", Agency),
        Field("procedure", WorkflowId), Field("step", Step), Field("received", Received), Field("completed", Completed),
        Field("on_time", OnTime), Field("late", Late), Field("late_with_apology", LateWithApology),
        Field("deemed_approved", DeemedApproved), Field("pending_not_due", PendingNotDue), Field("pending_overdue", PendingOverdue),
        Field("on_time_rate", OnTimeRate), Field("median_working_days", MedianDays), Field("p90_working_days", P90Days),
        Field("returns", Returns), Field("returns_per_case", ReturnsPerCase), Field("returned_more_than_once", ReturnedMoreThanOnce),
        Field("escalations", Escalations),
        Field("escalations_by_level", string.Join(' ', EscalationsByLevel.OrderBy(l => l.Key).Select(l => $"{l.Key}:{l.Value}"))),
        Field("acknowledged", Acknowledged), Field("rated", Rated), Field("rating_mean", RatingMean),
        Field("ratings_1_to_5", string.Join(' ', Ratings)), Field("response_rate", ResponseRate),
    ];

    /// <summary>The group a row belongs to, in the order of the CSV: what two tables are matched on.</summary>
    public string Key => $"{Period}|{Centre}|{Agency}|{WorkflowId}|{Step}";

    private static KeyValuePair<string, string> Field(string name, object? value) => KeyValuePair.Create(name, value switch
    {
        null => "",
        double d => d.ToString("0.####", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    });
}

/// <summary>
/// The pure calculator of every indicator from the facts of cases and the working-day calendars. The statistics
/// projection stores the facts as the async daemon folds them; <c>workflow stats --check</c> folds them again from the
/// raw events and compares both tables.
/// </summary>
public static class Indicators
{
    public const int Decimals = 4;

    public static double Round(double value) => Math.Round(value, Decimals, MidpointRounding.AwayFromZero);

    public static IReadOnlyList<IndicatorRow> Compute(IEnumerable<CaseFacts> facts, StatisticsQuery query, CalendarCatalog catalog)
    {
        var calendars = new CentreCalendars(catalog);
        var cases = query.Touching(facts).ToList();
        // Periods are independent of each other: each is summed on its own core, and the rows kept in period order. Within
        // a period the cases are taken in the order given, as before, so every sum and mean is the same to the last digit.
        return query.Periods.AsParallel().AsOrdered().SelectMany(period =>
        {
            var alive = cases.Where(c => c.ReceivedAt < period.End && (c.EndedAt is null || c.EndedAt >= period.Start)).ToList();
            return (query.OfSteps ? StepRows(alive, period, query, calendars) : CaseRows(alive, period, query, calendars)).ToList();
        }).ToList();
    }

    private static IEnumerable<IndicatorRow> CaseRows(List<CaseFacts> cases, Period period, StatisticsQuery query, CentreCalendars calendars)
    {
        string? Pick(string dimension, string value) => query.Breakdown.Contains(dimension) || Named(dimension, query) ? value : null;
        var groups = cases.GroupBy(c => (Centre: Pick(Dimensions.Centre, c.Centre), Procedure: Pick(Dimensions.Procedure, c.WorkflowId)));
        foreach (var group in groups
                     .OrderBy(g => g.Key.Centre, StringComparer.Ordinal).ThenBy(g => g.Key.Procedure, StringComparer.Ordinal))
        {
            var completed = group.Where(c => period.Contains(c.DecidedAt)).ToList();
            var days = completed.Where(c => c.CompleteAt is not null)
                .Select(c => (double)calendars.ForCentre(c.Centre, c.CompleteAt!.Value)
                    .WorkingDaysBetween(c.CompleteAt.Value, c.DecidedAt!.Value))
                .ToList();
            var pending = group.Where(c => c.PendingAt(period.End)).ToList();
            yield return Row(period, group.Key.Centre, null, group.Key.Procedure, null,
                received: group.Count(c => period.Contains(c.ReceivedAt)),
                completed: completed.Count,
                verdicts: completed.Select(c => c.Verdict),
                deemed: completed.Count(c => c.Outcome == Outcomes.DeemedApproved),
                pending: pending.Count, overdue: pending.Count(c => c.OverdueAt(period.End)),
                days: days,
                returns: completed.Sum(c => c.Returns), returnedTwice: completed.Count(c => c.Returns > 1), returnBase: completed.Count,
                escalations: group.SelectMany(c => c.Escalations).Where(e => period.Contains(e.At)),
                rated: completed);
        }
    }

    private static IEnumerable<IndicatorRow> StepRows(List<CaseFacts> cases, Period period, StatisticsQuery query, CentreCalendars calendars)
    {
        string? Pick(string dimension, string value) => query.Breakdown.Contains(dimension) || Named(dimension, query) ? value : null;
        var visits = cases.SelectMany(c => c.Steps.Select(v => (Case: c, Visit: v)))
            .Where(x => (query.Agency is null || x.Visit.Agency == query.Agency) && (query.Step is null || x.Visit.StepId == query.Step))
            .GroupBy(x => (Centre: Pick(Dimensions.Centre, x.Case.Centre), Agency: Pick(Dimensions.Agency, x.Visit.Agency),
                Procedure: Pick(Dimensions.Procedure, x.Case.WorkflowId), Step: Pick(Dimensions.Step, x.Visit.StepId)))
            .OrderBy(g => g.Key.Centre, StringComparer.Ordinal).ThenBy(g => g.Key.Agency, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Procedure, StringComparer.Ordinal).ThenBy(g => g.Key.Step, StringComparer.Ordinal);
        foreach (var group in visits)
        {
            var decided = group.Where(x => Outcomes.IsDecision(x.Visit.Outcome) && period.Contains(x.Visit.ClosedAt)).ToList();
            var pending = group.Where(x => x.Visit.OpenedAt < period.End && (x.Visit.ClosedAt is null || x.Visit.ClosedAt >= period.End))
                .ToList();
            var decidedCases = decided.Select(x => x.Case).Distinct().ToList();
            var returnsByCase = group.Where(x => x.Visit.Outcome == Outcomes.Returned).GroupBy(x => x.Case.Id)
                .ToDictionary(g => g.Key, g => g.Count());
            var steps = group.Select(x => (x.Visit.StepId, x.Visit.Agency)).ToHashSet();
            var inGroup = group.Select(x => x.Case).Distinct().ToList();
            yield return Row(period, group.Key.Centre, group.Key.Agency, group.Key.Procedure, group.Key.Step,
                received: group.Count(x => period.Contains(x.Visit.OpenedAt)),
                completed: decided.Count,
                verdicts: decided.Select(x =>
                    Lateness.IsLate(x.Visit.ClosedAt!.Value, x.Visit.DueAt) ? CaseTimeliness.Late : CaseTimeliness.OnTime),
                deemed: 0,
                pending: pending.Count, overdue: pending.Count(x => Lateness.IsLate(period.End, x.Visit.DueAt)),
                days: decided.Select(x => (double)calendars.ForCentre(x.Case.Centre, x.Visit.OpenedAt)
                    .WorkingDaysBetween(x.Visit.OpenedAt, x.Visit.ClosedAt!.Value)).ToList(),
                returns: decided.Count(x => x.Visit.Outcome == Outcomes.Returned),
                returnedTwice: decidedCases.Count(c => returnsByCase.GetValueOrDefault(c.Id) > 1), returnBase: decidedCases.Count,
                escalations: inGroup.SelectMany(c => c.Escalations)
                    .Where(e => steps.Contains((e.StepId, e.Agency)) && period.Contains(e.At)),
                rated: inGroup.Where(c => period.Contains(c.DecidedAt)).ToList());
        }
    }

    /// <summary>A filter on a dimension shows its value in the rows even when the table is not broken down by it.</summary>
    private static bool Named(string dimension, StatisticsQuery query) => dimension switch
    {
        Dimensions.Agency => query.Agency is not null,
        Dimensions.Step => query.Step is not null,
        Dimensions.Centre => query.Centre is not null,
        _ => query.WorkflowId is not null,
    };

    private static IndicatorRow Row(Period period, string? centre, string? agency, string? procedure, string? step, int received,
        int completed, IEnumerable<string?> verdicts, int deemed, int pending, int overdue, List<double> days, int returns,
        int returnedTwice, int returnBase, IEnumerable<EscalationFact> escalations, List<CaseFacts> rated)
    {
        var verdictList = verdicts.ToList();
        var raised = escalations.ToList();
        var ratings = rated.Where(c => c.Rating is not null).Select(c => c.Rating!.Value).ToList();
        return new IndicatorRow(period.Label, period.From, period.To, centre, agency, procedure, step,
            received, completed,
            OnTime: verdictList.Count(v => v == CaseTimeliness.OnTime),
            Late: verdictList.Count(v => v == CaseTimeliness.Late),
            LateWithApology: verdictList.Count(v => v == CaseTimeliness.LateWithApology),
            DeemedApproved: deemed,
            PendingNotDue: pending - overdue, PendingOverdue: overdue,
            MedianDays: Percentile(days, 0.5), P90Days: Percentile(days, 0.9),
            Returns: returns,
            ReturnsPerCase: returnBase == 0 ? null : Round((double)returns / returnBase),
            ReturnedMoreThanOnce: returnBase == 0 ? null : Round((double)returnedTwice / returnBase),
            EscalationsByLevel: raised.GroupBy(e => e.Level).OrderBy(g => g.Key).ToImmutableSortedDictionary(g => g.Key, g => g.Count()),
            Escalations: raised.Count,
            Acknowledged: raised.Count(e => e.AcknowledgedAt is { } at && at < period.End),
            Rated: ratings.Count,
            RatingMean: ratings.Count == 0 ? null : Round(ratings.Average()),
            Ratings: [.. Enumerable.Range(Citizens.Feedback.Lowest, Citizens.Feedback.Highest).Select(r => ratings.Count(x => x == r))],
            ResponseRate: rated.Count == 0 ? null : Round((double)ratings.Count / rated.Count));
    }

    /// <summary>
    /// Every figure on which two tables disagree, one line each ("2026-03|odsc-vientiane||construction-permit|: on_time 4
    /// against 5"), and every group found in one table only. Empty when they agree.
    /// </summary>
    public static IReadOnlyList<string> Differences(IReadOnlyList<IndicatorRow> expected, IReadOnlyList<IndicatorRow> actual,
        string expectedName = "recomputed", string actualName = "projection")
    {
        var lines = new List<string>();
        var theirs = actual.ToDictionary(r => r.Key);
        foreach (var row in expected)
        {
            if (!theirs.Remove(row.Key, out var other))
            {
                lines.Add($"{row.Key}: only in the {expectedName} figures");
                continue;
            }
            lines.AddRange(row.Fields().Zip(other.Fields()).Where(p => p.First.Value != p.Second.Value)
                .Select(p => $"{row.Key}: {p.First.Key} {p.First.Value} ({expectedName}) against {p.Second.Value} ({actualName})"));
        }
        lines.AddRange(theirs.Keys.Select(key => $"{key}: only in the {actualName} figures"));
        return lines;
    }

    /// <summary>
    /// The continuous percentile (linear interpolation between the two nearest ranks), as PostgreSQL's
    /// <c>percentile_cont</c>: the median of 2, 3, 5, 9 is 4.
    /// </summary>
    public static double? Percentile(IReadOnlyList<double> values, double fraction)
    {
        if (values.Count == 0) return null;
        var sorted = values.Order().ToList();
        var rank = fraction * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return Round(sorted[low] + (sorted[high] - sorted[low]) * (rank - low));
    }
}
