using System.Collections.Immutable;
using System.Globalization;

namespace Workflow.Core.Statistics;

/// <summary>
/// The buckets a table needs: the days and whole months of its periods, and everything after its last day (changes of
/// pending counts to take off the all-time sums). A whole month inside a period is read from its month bucket, the rest
/// of the period from day buckets, so a year by month reads twelve buckets per group.
/// </summary>
public sealed class TallyPlan
{
    private readonly Dictionary<DateOnly, int> _days = [];
    private readonly Dictionary<DateOnly, int> _months = [];

    public TallyPlan(IReadOnlyList<Period> periods)
    {
        Periods = periods;
        for (var k = 0; k < periods.Count; k++)
        {
            var period = periods[k];
            for (var day = period.From; day <= period.To;)
            {
                var monthEnd = MonthStart(day).AddMonths(1).AddDays(-1);
                if (period.Kind != PeriodKind.Day && day.Day == 1 && monthEnd <= period.To)
                {
                    _months[day] = k;
                    day = monthEnd.AddDays(1);
                }
                else
                {
                    _days[day] = k;
                    day = day.AddDays(1);
                }
            }
        }
        Last = periods[^1].To;
        LastMonth = MonthStart(Last);
    }

    public IReadOnlyList<Period> Periods { get; }

    /// <summary>The last day of the table; day buckets after it up to its month's end, and month buckets after that month.</summary>
    public DateOnly Last { get; }

    public DateOnly LastMonth { get; }

    public IEnumerable<DateOnly> Days => _days.Keys;

    public IEnumerable<DateOnly> Months => _months.Keys;

    /// <summary>The period a bucket counts in, <see cref="After"/> for one after the table, or null for one not needed.</summary>
    public int? PeriodOf(Tally tally) => tally.Grain switch
    {
        TallyGrain.Day when _days.TryGetValue(tally.Day, out var k) => k,
        TallyGrain.Day when tally.Day > Last && MonthStart(tally.Day) == LastMonth => After,
        TallyGrain.Month when _months.TryGetValue(tally.Day, out var k) => k,
        TallyGrain.Month when tally.Day > LastMonth => After,
        TallyGrain.All => AllTime,
        _ => null,
    };

    public const int After = -1;
    public const int AllTime = -2;

    public static DateOnly MonthStart(DateOnly day) => new(day.Year, day.Month, 1);
}

/// <summary>
/// Indicator rows and the service-quality index summed from running totals (<see cref="Tallies"/>), equal to the last
/// digit to <see cref="Indicators.Compute"/> and <see cref="QualityIndex.Of"/> over the facts the totals were made of.
/// </summary>
public static class TallyTable
{
    /// <summary>
    /// The buckets both <see cref="Compute"/> and <see cref="Index"/> need for a query; the views they read, and for each
    /// whether a table groups its rows by centre or by procedure (if none does, the store may add those buckets up first).
    /// </summary>
    public static (TallyPlan Rows, TallyPlan Index, IReadOnlyList<(TallyView View, bool ByCentre, bool ByProcedure)> Views) Plan(
        StatisticsQuery query) =>
        (new TallyPlan(query.Periods), new TallyPlan([Whole(query)]),
            new[] { Shape.Of(query), CentresShape(query), AgenciesShape(query) }.GroupBy(s => s.View)
                .Select(g => (g.Key, g.Any(s => s.ByCentre), g.Any(s => s.ByProcedure))).ToList());

    public static IReadOnlyList<IndicatorRow> Compute(IEnumerable<Tally> tallies, StatisticsQuery query) =>
        Table(tallies, new TallyPlan(query.Periods), Shape.Of(query)).Select(r => r.Row).ToList();

    /// <summary>
    /// The index of every centre and agency over the query's whole range, of the cases in its centre and procedure (as
    /// <see cref="QualityIndex.Of"/> over the facts the query touches).
    /// </summary>
    public static IReadOnlyList<QualityIndex> Index(IEnumerable<Tally> tallies, StatisticsQuery query)
    {
        var list = tallies as IReadOnlyCollection<Tally> ?? tallies.ToList();
        var plan = new TallyPlan([Whole(query)]);
        var whole = plan.Periods[0];
        var centres = Table(list, plan, CentresShape(query));
        var agencies = Table(list, plan, AgenciesShape(query));
        return
        [
            .. centres.Select(r => QualityIndex.ForCentre(whole, r.Row, (int)r.Sums.Received, (int)r.Sums.Tracked, (int)r.Sums.Online)),
            .. agencies.Select(r => QualityIndex.ForAgency(whole, r.Row)),
        ];
    }

    private static Period Whole(StatisticsQuery query) => new(PeriodKind.Custom, query.From, query.To);

    // The index groups the cases of the query's centre and procedure by centre, and their step visits by agency alone.
    private static Shape CentresShape(StatisticsQuery query) =>
        new(TallyView.Cases, true, false, false, false, query.Centre, query.WorkflowId, null, null);

    private static Shape AgenciesShape(StatisticsQuery query) =>
        new(TallyView.Agencies, false, true, false, false, query.Centre, query.WorkflowId, null, null);

    /// <summary>What a table groups by and keeps: a view, the dimensions of its rows, and the filters.</summary>
    private sealed record Shape(TallyView View, bool ByCentre, bool ByAgency, bool ByProcedure, bool ByStep, string? Centre,
        string? Procedure, string? Agency, string? Step)
    {
        /// <summary>As <see cref="Indicators.Compute"/> groups: by the breakdown and every dimension a filter names.</summary>
        public static Shape Of(StatisticsQuery query)
        {
            bool By(string dimension, string? named) => query.Breakdown.Contains(dimension) || named is not null;
            if (!query.OfSteps)
                return new Shape(TallyView.Cases, By(Dimensions.Centre, query.Centre), false, By(Dimensions.Procedure, query.WorkflowId),
                    false, query.Centre, query.WorkflowId, null, null);
            var byAgency = By(Dimensions.Agency, query.Agency);
            var byStep = By(Dimensions.Step, query.Step);
            var view = byAgency && byStep ? TallyView.AgencySteps : byAgency ? TallyView.Agencies : TallyView.Steps;
            return new Shape(view, By(Dimensions.Centre, query.Centre), byAgency, By(Dimensions.Procedure, query.WorkflowId), byStep,
                query.Centre, query.WorkflowId, query.Agency, query.Step);
        }

        public bool Takes(Tally t) => t.View == View && (Centre is null || t.Centre == Centre) && (Procedure is null || t.Procedure == Procedure)
                                      && (Agency is null || t.Agency == Agency) && (Step is null || t.Step == Step);

        public (string? Centre, string? Agency, string? Procedure, string? Step) GroupOf(Tally t) =>
            (ByCentre ? t.Centre : null, ByAgency ? t.Agency : null, ByProcedure ? t.Procedure : null, ByStep ? t.Step : null);
    }

    private static List<(IndicatorRow Row, Sums Sums)> Table(IEnumerable<Tally> tallies, TallyPlan plan, Shape shape)
    {
        var periods = plan.Periods;
        var groups = new Dictionary<(string? Centre, string? Agency, string? Procedure, string? Step), Group>();
        foreach (var t in tallies)
        {
            if (!shape.Takes(t) || plan.PeriodOf(t) is not { } k) continue;
            var key = shape.GroupOf(t);
            if (!groups.TryGetValue(key, out var group)) groups[key] = group = new Group(periods.Count);
            (k switch { TallyPlan.After => group.After, TallyPlan.AllTime => group.AllTime, _ => group.Periods[k] }).Add(t.Counter, t.Value);
        }
        var ordered = groups.OrderBy(g => g.Key.Centre, StringComparer.Ordinal).ThenBy(g => g.Key.Agency, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Procedure, StringComparer.Ordinal).ThenBy(g => g.Key.Step, StringComparer.Ordinal).ToList();
        var cases = shape.View == TallyView.Cases;
        var rows = new List<(IndicatorRow, Sums)>();
        // Counts at each period's end, from the last period back: all time less the changes after the table, then less the
        // changes of each later period. A group has a row in a period when a case with it was alive then: waiting at the
        // period's start, or received during it.
        var ends = ordered.Select(g => Ends(g.Value, periods.Count, cases)).ToList();
        for (var k = 0; k < periods.Count; k++)
            for (var i = 0; i < ordered.Count; i++)
            {
                var (key, group) = (ordered[i].Key, ordered[i].Value);
                var sums = group.Periods[k];
                var (pending, overdue, alive) = ends[i];
                var aliveAtStart = alive[k] - (cases ? sums.Pending : sums.CasesPending);
                if (aliveAtStart + (cases ? sums.Received : sums.CasesReceived) <= 0) continue;
                rows.Add((Row(periods[k], key, sums, pending[k], overdue[k], cases), sums));
            }
        return rows;
    }

    private static (long[] Pending, long[] Overdue, long[] Alive) Ends(Group group, int count, bool cases)
    {
        long[] pending = new long[count], overdue = new long[count], alive = new long[count];
        long p = group.AllTime.Pending - group.After.Pending, o = group.AllTime.Overdue - group.After.Overdue;
        long a = cases ? p : group.AllTime.CasesPending - group.After.CasesPending;
        for (var k = count - 1; k >= 0; k--)
        {
            (pending[k], overdue[k], alive[k]) = (p, o, a);
            var sums = group.Periods[k];
            p -= sums.Pending;
            o -= sums.Overdue;
            a -= cases ? sums.Pending : sums.CasesPending;
        }
        return (pending, overdue, alive);
    }

    private static IndicatorRow Row(Period period, (string? Centre, string? Agency, string? Procedure, string? Step) key, Sums sums,
        long pending, long overdue, bool cases)
    {
        // Case rows count per decided case; step rows per case with a decision in the period, counted once.
        long returnBase = cases ? sums.Completed : sums.Decided.Where(d => d.Key < period.From).Sum(d => d.Value);
        long returnedTwice = cases ? sums.ReturnedTwice
            : sums.DecidedTwice.Where(d => d.Key < period.From).Sum(d => d.Value);
        var ratedBase = cases ? sums.Completed : sums.RatedBase;
        var rated = sums.Ratings.Sum(r => r.Value);
        var ratingSum = sums.Ratings.Sum(r => (long)r.Key * r.Value);
        var levels = sums.Levels.Where(l => l.Value != 0).ToImmutableSortedDictionary(l => l.Key, l => (int)l.Value);
        return new IndicatorRow(period.Label, period.From, period.To, key.Centre, key.Agency, key.Procedure, key.Step,
            Received: (int)sums.Received,
            Completed: (int)sums.Completed,
            OnTime: (int)sums.OnTime,
            Late: (int)sums.Late,
            LateWithApology: (int)sums.LateWithApology,
            DeemedApproved: (int)sums.Deemed,
            PendingNotDue: (int)(pending - overdue), PendingOverdue: (int)overdue,
            MedianDays: Percentile(sums.Days, 0.5), P90Days: Percentile(sums.Days, 0.9),
            Returns: (int)sums.Returns,
            ReturnsPerCase: returnBase == 0 ? null : Indicators.Round((double)(int)sums.Returns / (int)returnBase),
            ReturnedMoreThanOnce: returnBase == 0 ? null : Indicators.Round((double)(int)returnedTwice / (int)returnBase),
            EscalationsByLevel: levels,
            Escalations: levels.Values.Sum(),
            Acknowledged: (int)sums.Acknowledged.Where(a => a.Key <= period.To).Sum(a => a.Value),
            Rated: (int)rated,
            // As Enumerable.Average over the ratings: their sum, divided as doubles by their count.
            RatingMean: rated == 0 ? null : Indicators.Round((double)ratingSum / rated),
            Ratings: [.. Enumerable.Range(Citizens.Feedback.Lowest, Citizens.Feedback.Highest).Select(r => (int)sums.Ratings.GetValueOrDefault(r))],
            ResponseRate: ratedBase == 0 ? null : Indicators.Round((double)(int)rated / (int)ratedBase));
    }

    /// <summary>
    /// <see cref="Indicators.Percentile"/> over a histogram of whole numbers: the same two ranks, so the same double.
    /// </summary>
    public static double? Percentile(SortedDictionary<int, long> histogram, double fraction)
    {
        var count = (int)histogram.Values.Where(n => n > 0).Sum();
        if (count == 0) return null;
        var rank = fraction * (count - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        double At(int index)
        {
            long seen = 0;
            foreach (var (value, n) in histogram)
                if (n > 0 && (seen += n) > index) return value;
            throw new InvalidOperationException("a rank beyond the histogram");
        }
        double lowValue = At(low), highValue = At(high);
        return Indicators.Round(lowValue + (highValue - lowValue) * (rank - low));
    }

    private sealed class Group(int periods)
    {
        public Sums[] Periods { get; } = [.. Enumerable.Range(0, periods).Select(_ => new Sums())];
        public Sums After { get; } = new();
        public Sums AllTime { get; } = new();
    }

    /// <summary>The counters of one group over one period, summed from its buckets.</summary>
    private sealed class Sums
    {
        public long Received, Tracked, Online, Completed, OnTime, Late, LateWithApology, Deemed, Returns, ReturnedTwice, Pending, Overdue,
            CasesPending, CasesReceived, RatedBase;
        public readonly SortedDictionary<int, long> Days = [];
        public readonly Dictionary<int, long> Levels = [];
        public readonly Dictionary<int, long> Ratings = [];
        public readonly Dictionary<DateOnly, long> Acknowledged = [];
        // Keyed by the day of the previous decision; a first decision by the smallest day, before every period.
        public readonly Dictionary<DateOnly, long> Decided = [];
        public readonly Dictionary<DateOnly, long> DecidedTwice = [];

        public void Add(string counter, long value)
        {
            switch (counter)
            {
                case TallyCounters.Received: Received += value; return;
                case TallyCounters.Tracked: Tracked += value; return;
                case TallyCounters.Online: Online += value; return;
                case TallyCounters.Completed: Completed += value; return;
                case TallyCounters.OnTime: OnTime += value; return;
                case TallyCounters.Late: Late += value; return;
                case TallyCounters.LateWithApology: LateWithApology += value; return;
                case TallyCounters.Deemed: Deemed += value; return;
                case TallyCounters.Returns: Returns += value; return;
                case TallyCounters.ReturnedTwice: ReturnedTwice += value; return;
                case TallyCounters.Pending: Pending += value; return;
                case TallyCounters.PendingOverdue: Overdue += value; return;
                case TallyCounters.CasesPending: CasesPending += value; return;
                case TallyCounters.CasesReceived: CasesReceived += value; return;
                case TallyCounters.RatedBase: RatedBase += value; return;
            }
            if (Suffix(counter, TallyCounters.Days) is { } days) Increase(Days, Number(days), value);
            else if (Suffix(counter, TallyCounters.Level) is { } level) Increase(Levels, Number(level), value);
            else if (Suffix(counter, TallyCounters.Rating) is { } rating) Increase(Ratings, Number(rating), value);
            else if (Suffix(counter, TallyCounters.Acknowledged) is { } acknowledged) Increase(Acknowledged, Date(acknowledged), value);
            else if (Suffix(counter, TallyCounters.Decided) is { } decided) Increase(Decided, Date(decided), value);
            else if (Suffix(counter, TallyCounters.DecidedTwice) is { } twice) Increase(DecidedTwice, Date(twice), value);
            else throw new InvalidOperationException($"an unknown statistics counter '{counter}'");
        }

        private static string? Suffix(string counter, string prefix) =>
            counter.StartsWith(prefix, StringComparison.Ordinal) ? counter[prefix.Length..] : null;

        private static int Number(string text) => int.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

        private static DateOnly Date(string text) => text == TallyCounters.Never
            ? DateOnly.MinValue : DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

        private static void Increase<TKey>(IDictionary<TKey, long> counts, TKey key, long value) =>
            counts[key] = counts.TryGetValue(key, out var n) ? n + value : value;
    }
}
