using System.Collections.Concurrent;
using System.Globalization;
using Workflow.Core.Applications;
using Workflow.Core.Calendars;

namespace Workflow.Core.Statistics;

/// <summary>
/// Which grouping a tally counts for. Case figures group by centre and procedure; step figures also by agency, step or
/// both, and they count distinct cases (returns per case, the rated cases), which do not add up from one grouping to
/// another: each of the three step groupings has tallies of its own.
/// </summary>
public enum TallyView : short { Cases = 0, AgencySteps = 1, Agencies = 2, Steps = 3 }

/// <summary>A local day, a calendar month (its first day), or all time (pending counts only).</summary>
public enum TallyGrain : short { Day = 0, Month = 1, All = 2 }

/// <summary>
/// One counter of one bucket of the running totals: for a view, a local day (or month), a centre, procedure, agency and
/// step (empty where the view does not group by it). The store keeps their sums; a table of indicators only adds them.
/// </summary>
public readonly record struct Tally(TallyView View, TallyGrain Grain, DateOnly Day, string Centre, string Procedure, string Agency,
    string Step, string Counter, long Value);

/// <summary>
/// Running sums of tallies, one per bucket and counter. A case's change yields a few hundred tallies and the daemon sums
/// every case of a batch, so the bucket is compared field by field with a plain hash of its texts (names of centres,
/// procedures, agencies, steps and counters, none of them typed by a caller) rather than as a tuple of eight.
/// </summary>
public sealed class TallySums
{
    private readonly Dictionary<Tally, long> _sums = new(SameBucket.Instance);

    /// <summary>How many buckets and counters have a sum (zero sums included).</summary>
    public int Count => _sums.Count;

    public void Add(Tally t) =>
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_sums, t, out _) += t.Value;

    public void AddRange(IEnumerable<Tally> tallies)
    {
        foreach (var t in tallies) Add(t);
    }

    /// <summary>One tally per bucket and counter, zero sums left out.</summary>
    public IReadOnlyList<Tally> ToList() => [.. _sums.Where(s => s.Value != 0).Select(s => s.Key with { Value = s.Value })];

    /// <summary>The same bucket and counter: everything but the value.</summary>
    private sealed class SameBucket : IEqualityComparer<Tally>
    {
        public static readonly SameBucket Instance = new();

        public bool Equals(Tally a, Tally b) =>
            a.View == b.View && a.Grain == b.Grain && a.Day == b.Day && string.Equals(a.Counter, b.Counter, StringComparison.Ordinal)
            && string.Equals(a.Step, b.Step, StringComparison.Ordinal) && string.Equals(a.Agency, b.Agency, StringComparison.Ordinal)
            && string.Equals(a.Procedure, b.Procedure, StringComparison.Ordinal) && string.Equals(a.Centre, b.Centre, StringComparison.Ordinal);

        public int GetHashCode(Tally t)
        {
            var hash = (uint)t.Day.DayNumber * 31 + (uint)t.View * 7 + (uint)t.Grain;
            hash = Mix(Mix(Mix(Mix(Mix(hash, t.Centre), t.Procedure), t.Agency), t.Step), t.Counter);
            return (int)hash;
        }

        /// <summary>FNV-1a over the text's characters, continuing from <paramref name="hash"/>.</summary>
        private static uint Mix(uint hash, string text)
        {
            hash ^= 0x811C9DC5;
            foreach (var c in text) hash = (hash ^ c) * 0x01000193;
            return hash;
        }
    }
}

/// <summary>
/// The counters of a bucket. Most are plain counts of what happened on the bucket's day; those named "pending" are
/// changes (+1 when something starts to wait, -1 when it stops) whose sum up to a day is the count at that day's end;
/// the prefixed ones are histograms (<c>days:4</c>) or counts keyed by a second day (<c>acknowledged:2026-03-05</c>).
/// </summary>
public static class TallyCounters
{
    public const string Received = "received";
    public const string Tracked = "tracked";
    public const string Online = "online";
    public const string Completed = "completed";
    public const string OnTime = "on-time";
    public const string Late = "late";
    public const string LateWithApology = "late-with-apology";
    public const string Deemed = "deemed";
    public const string Returns = "returns";
    public const string ReturnedTwice = "returned-twice";
    public const string Pending = "pending";
    public const string PendingOverdue = "pending-overdue";
    /// <summary>Step views: the cases with a visit in the group that are waiting, to tell which groups have a row.</summary>
    public const string CasesPending = "cases-pending";
    public const string CasesReceived = "cases-received";
    /// <summary>Step views: the cases of the group decided that day, whether or not the citizen rated them.</summary>
    public const string RatedBase = "rated-base";
    public const string Days = "days:";
    public const string Level = "escalations:";
    public const string Acknowledged = "acknowledged:";
    public const string Rating = "rating:";
    /// <summary>Step views: a case's decision in the group on that day, keyed by the day of its previous decision there.</summary>
    public const string Decided = "decided-after:";
    public const string DecidedTwice = "decided-twice-after:";
    public const string Never = "none";

    /// <summary>Only these need an all-time sum: the count at a day's end is all time less the changes after it.</summary>
    public static bool IsChange(string counter) => counter is Pending or PendingOverdue or CasesPending;

    public static readonly IReadOnlyList<string> Changes = [Pending, PendingOverdue, CasesPending];

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>
/// The calendar of each centre on each local day, looked up once: finding the version in force (every calendar's versions
/// and overlays) is far dearer than counting the working days of one span. <see cref="Indicators"/> and the running totals
/// share it, so that a count of working days is the same whichever side counts it; a page of an inbox asks it once per
/// centre instead of once per step.
/// </summary>
public sealed class CentreCalendars(CalendarCatalog catalog)
{
    private readonly ConcurrentDictionary<(string, DateOnly), WorkingCalendar> _known = [];

    public WorkingCalendar ForCentre(string centre, DateTimeOffset at) =>
        _known.GetOrAdd((centre, Period.LocalDay(at)), key => catalog.ForCentre(key.Item1, at));
}

/// <summary>
/// What one case adds to the running totals, worked out from its facts alone (and the centre's calendar for working
/// days). When a case's facts change, the store subtracts what the old facts added and adds what the new ones add, so
/// the totals are always the sum over the current facts of every case.
/// </summary>
/// <remarks>
/// Assumed of every case, as its events give it: the instants lie in time order by local day (received on or before
/// every other instant, and ended on or after them), and an escalation names a step and agency the case visited. The
/// calculator counts only the cases alive in a period; the totals count each act on its day, which is the same when every
/// act falls within the case's life. Pending counts do not depend on it.
/// </remarks>
public static class Tallies
{
    private static readonly TallyView[] StepViews = [TallyView.AgencySteps, TallyView.Agencies, TallyView.Steps];

    /// <summary>The day tallies of one case (unsummed: the same bucket may come more than once).</summary>
    public static IReadOnlyList<Tally> Of(CaseFacts c, CentreCalendars calendars)
    {
        var tallies = new List<Tally>();
        CaseTallies(c, calendars, tallies);
        foreach (var view in StepViews) StepTallies(c, view, calendars, tallies);
        return tallies;
    }

    /// <summary>
    /// The summed change to the stored totals when a case's facts go from <paramref name="before"/> to
    /// <paramref name="after"/> (either may be null), with the month and all-time buckets; zero sums left out.
    /// </summary>
    public static IReadOnlyList<Tally> Change(CaseFacts? before, CaseFacts? after, CentreCalendars calendars)
    {
        var sums = new TallySums();
        AddChange(sums, before, after, calendars);
        return sums.ToList();
    }

    /// <summary>Adds the change of <see cref="Change"/> to <paramref name="sums"/>, which may hold other cases' changes.</summary>
    public static void AddChange(TallySums sums, CaseFacts? before, CaseFacts? after, CentreCalendars calendars)
    {
        if (after is not null) sums.AddRange(WithMonths(Of(after, calendars)));
        if (before is not null) sums.AddRange(WithMonths(Of(before, calendars).Select(t => t with { Value = -t.Value })));
    }

    /// <summary>Each day tally, and the same in its month's bucket, and in the all-time bucket for a change of a count.</summary>
    public static IEnumerable<Tally> WithMonths(IEnumerable<Tally> days)
    {
        foreach (var t in days)
        {
            yield return t;
            yield return t with { Grain = TallyGrain.Month, Day = new DateOnly(t.Day.Year, t.Day.Month, 1) };
            if (TallyCounters.IsChange(t.Counter)) yield return t with { Grain = TallyGrain.All, Day = DateOnly.MinValue };
        }
    }

    /// <summary>One tally per bucket and counter, zero sums left out.</summary>
    public static IReadOnlyList<Tally> Sum(IEnumerable<Tally> tallies)
    {
        var sums = new TallySums();
        sums.AddRange(tallies);
        return sums.ToList();
    }

    private static DateOnly Day(DateTimeOffset at) => Period.LocalDay(at);

    private static void CaseTallies(CaseFacts c, CentreCalendars calendars, List<Tally> tallies)
    {
        void Add(DateOnly day, string counter, long value = 1) =>
            tallies.Add(new Tally(TallyView.Cases, TallyGrain.Day, day, c.Centre, c.WorkflowId, "", "", counter, value));

        var received = Day(c.ReceivedAt);
        DateOnly? ended = c.EndedAt is { } e ? Day(e) : null;
        Add(received, TallyCounters.Received);
        if (c.Tracked) Add(received, TallyCounters.Tracked);
        if (c.Channel is not "counter") Add(received, TallyCounters.Online);
        Waiting(received, ended, TallyCounters.Pending, Add);
        // Late from the first moment after the deadline: overdue at a day's end once the deadline's day is reached.
        if ((c.MissedAt ?? (c.Timeliness.Running ? c.Timeliness.DueAt : null)) is { } late)
            Waiting(Max(received, Day(late)), ended, TallyCounters.PendingOverdue, Add);
        if (c.DecidedAt is { } decidedAt)
        {
            var decided = Day(decidedAt);
            Add(decided, TallyCounters.Completed);
            if (Verdict(c.Verdict) is { } verdict) Add(decided, verdict);
            if (c.Outcome == Outcomes.DeemedApproved) Add(decided, TallyCounters.Deemed);
            if (c.CompleteAt is { } complete)
                Add(decided, TallyCounters.Days + calendars.ForCentre(c.Centre, complete).WorkingDaysBetween(complete, decidedAt));
            if (c.Returns != 0) Add(decided, TallyCounters.Returns, c.Returns);
            if (c.Returns > 1) Add(decided, TallyCounters.ReturnedTwice);
            if (c.Rating is { } rating) Add(decided, TallyCounters.Rating + rating);
        }
        foreach (var escalation in c.Escalations) Escalation(escalation, Add);
    }

    private static void StepTallies(CaseFacts c, TallyView view, CentreCalendars calendars, List<Tally> tallies)
    {
        var received = Day(c.ReceivedAt);
        DateOnly? ended = c.EndedAt is { } e ? Day(e) : null;
        foreach (var group in c.Steps.GroupBy(v => Key(view, v.Agency, v.StepId)))
        {
            void Add(DateOnly day, string counter, long value = 1) =>
                tallies.Add(new Tally(view, TallyGrain.Day, day, c.Centre, c.WorkflowId, group.Key.Agency, group.Key.Step, counter, value));

            // The case itself, once per group it has a visit in: which groups are alive in a period, and who was rated.
            Add(received, TallyCounters.CasesReceived);
            Waiting(received, ended, TallyCounters.CasesPending, Add);
            if (c.DecidedAt is { } decidedAt)
            {
                Add(Day(decidedAt), TallyCounters.RatedBase);
                if (c.Rating is { } rating) Add(Day(decidedAt), TallyCounters.Rating + rating);
            }

            foreach (var visit in group)
            {
                var opened = Day(visit.OpenedAt);
                DateOnly? closed = visit.ClosedAt is { } at ? Day(at) : null;
                Add(opened, TallyCounters.Received);
                Waiting(opened, closed, TallyCounters.Pending, Add);
                Waiting(Max(opened, Day(visit.DueAt)), closed, TallyCounters.PendingOverdue, Add);
                if (!Outcomes.IsDecision(visit.Outcome) || visit.ClosedAt is not { } closedAt) continue;
                Add(closed!.Value, TallyCounters.Completed);
                Add(closed.Value, Lateness.IsLate(closedAt, visit.DueAt) ? TallyCounters.Late : TallyCounters.OnTime);
                Add(closed.Value, TallyCounters.Days
                                  + calendars.ForCentre(c.Centre, visit.OpenedAt).WorkingDaysBetween(visit.OpenedAt, closedAt));
                if (visit.Outcome == Outcomes.Returned) Add(closed.Value, TallyCounters.Returns);
            }

            // A case counts once among the cases with a decision in a period: on the first day of the period it had one. Each
            // day with a decision is kept with the day of the one before, so a period counts the days whose previous one
            // falls before it.
            var twice = group.Count(v => v.Outcome == Outcomes.Returned) > 1;
            string previous = TallyCounters.Never;
            foreach (var day in group.Where(v => Outcomes.IsDecision(v.Outcome) && v.ClosedAt is not null)
                         .Select(v => Day(v.ClosedAt!.Value)).Distinct().Order())
            {
                Add(day, TallyCounters.Decided + previous);
                if (twice) Add(day, TallyCounters.DecidedTwice + previous);
                previous = TallyCounters.Day(day);
            }
        }
        var visited = c.Steps.Select(v => (v.StepId, v.Agency)).ToHashSet();
        foreach (var escalation in c.Escalations.Where(x => visited.Contains((x.StepId, x.Agency))))
        {
            var key = Key(view, escalation.Agency, escalation.StepId);
            Escalation(escalation, (day, counter, value) =>
                tallies.Add(new Tally(view, TallyGrain.Day, day, c.Centre, c.WorkflowId, key.Agency, key.Step, counter, value)));
        }
    }

    private static (string Agency, string Step) Key(TallyView view, string agency, string step) => view switch
    {
        TallyView.Agencies => (agency, ""),
        TallyView.Steps => ("", step),
        _ => (agency, step),
    };

    private static void Escalation(EscalationFact escalation, Action<DateOnly, string, long> add)
    {
        var raised = Day(escalation.At);
        add(raised, TallyCounters.Level + escalation.Level.ToString(CultureInfo.InvariantCulture), 1);
        if (escalation.AcknowledgedAt is { } acknowledged)
            add(raised, TallyCounters.Acknowledged + TallyCounters.Day(Day(acknowledged)), 1);
    }

    /// <summary>
    /// Waiting at the end of every day from <paramref name="from"/> up to the day before <paramref name="until"/> (for
    /// ever without one): +1 and -1 at both ends, nothing when it never waits over a day's end.
    /// </summary>
    private static void Waiting(DateOnly from, DateOnly? until, string counter, Action<DateOnly, string, long> add)
    {
        if (until is { } end && end <= from) return;
        add(from, counter, 1);
        if (until is { } stop) add(stop, counter, -1);
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    private static string? Verdict(string? verdict) => verdict switch
    {
        CaseTimeliness.OnTime => TallyCounters.OnTime,
        CaseTimeliness.Late => TallyCounters.Late,
        CaseTimeliness.LateWithApology => TallyCounters.LateWithApology,
        _ => null,
    };
}
