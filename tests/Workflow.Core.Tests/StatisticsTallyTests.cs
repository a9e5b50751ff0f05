using System.Collections.Immutable;
using Workflow.Core.Applications;
using Workflow.Core.Statistics;
using static Workflow.Core.Tests.Procedures;

namespace Workflow.Core.Tests;

/// <summary>
/// Random histories around local midnights (returns, rejections, deemed approvals, escalations with and without an
/// acknowledgement, ratings, several centres, procedures, agencies and steps, running cases late and not yet due) and
/// random queries of every period kind, filter and breakdown: the rows and the index summed from running totals must
/// equal those computed from the facts, field by field. Each history is made from a seed, named when it fails.
/// </summary>
public class when_figures_are_summed_from_running_totals
{
    private static readonly CentreCalendars Calendars = new(Catalog.Calendars);
    private static readonly DateOnly First = new(2024, 1, 20);
    private static readonly string[] Centres = ["VTE", "LPB", "SVK"];
    private static readonly string[] Workflows = ["p1", "p2"];
    private static readonly string[] Agencies = ["a", "b"];
    private static readonly string[] Steps = ["check", "review", "sign"];

    private static IReadOnlyList<Tally> Totals(IEnumerable<CaseFacts> facts) =>
        Tallies.Sum(Tallies.WithMonths(facts.SelectMany(f => Tallies.Of(f, Calendars))));

    [Fact]
    public void every_table_and_index_equals_the_one_computed_from_the_facts()
    {
        var compared = new List<IndicatorRow>();
        for (var seed = 1; seed <= 60; seed++)
        {
            var random = new Random(seed);
            var facts = Enumerable.Range(0, random.Next(1, 40)).Select(_ => Case(random)).ToList();
            var totals = Totals(facts);
            for (var q = 0; q < 25; q++)
            {
                var query = Query(random);
                Agree(Differences(facts, totals, query, $"seed {seed}, {Describe(query)}"));
                compared.AddRange(Indicators.Compute(facts, query, Catalog.Calendars));
            }
        }
        // Not vacuous: the histories reach every kind of figure, in case rows and in step rows.
        foreach (var steps in new[] { false, true })
        {
            var rows = compared.Where(r => (r.Agency is not null || r.Step is not null) == steps).ToList();
            Assert.Contains(rows, r => r.PendingOverdue > 0 && r.PendingNotDue > 0);
            Assert.Contains(rows, r => r.ReturnedMoreThanOnce is > 0 and < 1 && r.P90Days != r.MedianDays);
            Assert.Contains(rows, r => r.Acknowledged > 0 && r.Acknowledged < r.Escalations);
            Assert.Contains(rows, r => r.ResponseRate is > 0 and < 1);
            Assert.Contains(rows, r => r.Received == 0 && r.Completed == 0);
        }
    }

    [Fact]
    public void the_known_history_folded_from_its_events_gives_the_same_figures_from_totals()
    {
        var facts = when_statistics_are_computed_for_a_known_history.History.Values.Select(e => CaseFacts.Fold(e)!).ToList();
        var totals = Totals(facts);
        var random = new Random(7);
        for (var q = 0; q < 400; q++)
        {
            var query = Query(random, new DateOnly(2023, 12, 20));
            Agree(Differences(facts, totals, query, Describe(query)));
        }
        // Not vacuous: the history has rows of both kinds with every figure the known test checks.
        Assert.Contains(TallyTable.Compute(totals, new StatisticsQuery(PeriodKind.Month, new DateOnly(2024, 1, 1), new DateOnly(2024, 2, 29))),
            r => r.Completed > 0 && r.Escalations > 0 && r.Rated > 0 && r.MedianDays is not null);
    }

    [Fact]
    public void a_case_added_then_taken_away_leaves_the_totals_as_they_were()
    {
        for (var seed = 100; seed < 160; seed++)
        {
            var random = new Random(seed);
            var facts = Enumerable.Range(0, random.Next(0, 20)).Select(_ => Case(random)).ToList();
            var before = Totals(facts);
            var added = Case(random);
            var with = Tallies.Sum(before.Concat(Tallies.Change(null, added, Calendars)));
            Assert.Equal(Sorted(Totals([.. facts, added])), Sorted(with));
            Assert.Equal(Sorted(before), Sorted(Tallies.Sum(with.Concat(Tallies.Change(added, null, Calendars)))));
        }
    }

    [Fact]
    public void a_case_whose_facts_change_moves_the_totals_to_those_of_its_new_facts()
    {
        for (var seed = 200; seed < 260; seed++)
        {
            var random = new Random(seed);
            var others = Enumerable.Range(0, random.Next(0, 20)).Select(_ => Case(random)).ToList();
            var old = Case(random);
            var changed = Case(random) with { Id = old.Id, Centre = old.Centre, WorkflowId = old.WorkflowId };
            var moved = Tallies.Sum(Totals([.. others, old]).Concat(Tallies.Change(old, changed, Calendars)));
            Assert.Equal(Sorted(Totals([.. others, changed])), Sorted(moved));
        }
    }

    [Fact]
    public void tallies_of_one_bucket_sum_whatever_text_instances_name_it_and_a_difference_in_any_field_keeps_them_apart()
    {
        var day = new DateOnly(2024, 3, 5);
        var bucket = new Tally(TallyView.AgencySteps, TallyGrain.Day, day, "VTE", "p1", "a", "check", "received", 1);
        // Texts built at run time are other instances than the literals: the sums must not depend on which one names a bucket.
        static string Copy(string s) => new([.. s]);
        var sameBucket = bucket with { Centre = Copy("VTE"), Procedure = Copy("p1"), Agency = Copy("a"), Step = Copy("check"),
            Counter = Copy("received"), Value = 2 };
        Tally[] others =
        [
            bucket with { View = TallyView.Steps }, bucket with { Grain = TallyGrain.Month }, bucket with { Day = day.AddDays(1) },
            bucket with { Centre = "LPB" }, bucket with { Procedure = "p2" }, bucket with { Agency = "b" },
            bucket with { Step = "sign" }, bucket with { Counter = "approved" },
            // Same characters moved from one field to the next: a different bucket.
            bucket with { Agency = "ac", Step = "heck" },
        ];
        var sums = new TallySums();
        sums.AddRange([bucket, sameBucket, .. others, bucket with { Value = -3 }]);

        Assert.Equal(others.Length + 1, sums.Count);
        var summed = sums.ToList();
        Assert.DoesNotContain(summed, t => t == bucket with { Value = 0 });
        Assert.Equal(Sorted(others), Sorted(summed));
    }

    [Fact]
    public void the_median_from_a_histogram_is_the_percentile_of_the_values()
    {
        var random = new Random(3);
        for (var i = 0; i < 500; i++)
        {
            var values = Enumerable.Range(0, random.Next(1, 30)).Select(_ => random.Next(-2, 25)).ToList();
            var histogram = new SortedDictionary<int, long>(values.GroupBy(v => v).ToDictionary(g => g.Key, g => (long)g.Count()));
            foreach (var fraction in new[] { 0.5, 0.9, 0.25 })
                Assert.Equal(Indicators.Percentile([.. values.Select(v => (double)v)], fraction), TallyTable.Percentile(histogram, fraction));
        }
    }

    private static List<string> Differences(List<CaseFacts> facts, IReadOnlyList<Tally> totals, StatisticsQuery query, string what)
    {
        var lines = Indicators.Differences(Indicators.Compute(facts, query, Catalog.Calendars), TallyTable.Compute(totals, query), "facts",
            "totals").Select(l => $"{what}: {l}").ToList();
        var expected = QualityIndex.Of(query.Touching(facts), new Period(PeriodKind.Custom, query.From, query.To), Catalog.Calendars);
        var actual = TallyTable.Index(totals, query);
        if (!expected.SequenceEqual(actual))
            lines.Add($"{what}: index {string.Join("; ", expected)} against {string.Join("; ", actual)}");
        return lines;
    }

    private static void Agree(List<string> differences) =>
        Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences.Take(20)));

    private static List<string> Sorted(IEnumerable<Tally> tallies) => [.. tallies.Select(t => t.ToString()).Order(StringComparer.Ordinal)];

    private static string Describe(StatisticsQuery q) =>
        $"{q.Kind} {q.From}..{q.To} centre={q.Centre} agency={q.Agency} procedure={q.WorkflowId} step={q.Step} by={string.Join(',', q.By ?? [])}";

    private static StatisticsQuery Query(Random random, DateOnly? around = null)
    {
        var kind = (PeriodKind)random.Next(0, 5);
        var from = (around ?? First).AddDays(random.Next(-10, 80));
        var to = from.AddDays(kind switch { PeriodKind.Day => random.Next(0, 20), _ => random.Next(0, 120) });
        string? Maybe(string[] values) => random.Next(5) == 0 ? values[random.Next(values.Length)] : null;
        IReadOnlyList<string>? by = random.Next(4) == 0 ? null : [.. Dimensions.All.Where(_ => random.Next(2) == 0)];
        return new StatisticsQuery(kind, from, to, Maybe([.. Centres, "nowhere"]), Maybe(Agencies), Maybe(Workflows), Maybe(Steps),
            by is { Count: 0 } ? null : by);
    }

    /// <summary>An instant on, just before or just after a local midnight, or at some hour of the day.</summary>
    private static DateTimeOffset Instant(Random random, DateOnly day)
    {
        var midnight = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(7));
        return random.Next(5) switch
        {
            0 => midnight,
            1 => midnight.AddTicks(-1),
            2 => midnight.AddSeconds(1),
            _ => midnight.AddMinutes(random.Next(0, 24 * 60)),
        };
    }

    /// <summary>An instant no earlier than <paramref name="after"/>: the same moment, later that day, or some days later.</summary>
    private static DateTimeOffset Later(Random random, DateTimeOffset after, int days = 12)
    {
        var later = Instant(random, Period.LocalDay(after).AddDays(random.Next(0, days)));
        return later < after ? after : later;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static CaseFacts Case(Random random)
    {
        var received = Instant(random, First.AddDays(random.Next(0, 60))).ToUniversalTime();
        var fate = random.Next(6);   // 0, 1 running; 2 approved; 3 rejected; 4 deemed approved; 5 withdrawn or lapsed
        DateTimeOffset? ended = fate < 2 ? null : Later(random, received, 40).ToUniversalTime();
        // Every instant of the case between its receipt and its end, as its events give them.
        DateTimeOffset Within() => ended is not { } end ? Later(random, received)
            : random.Next(3) > 0 ? received + (end - received) * random.NextDouble() : Min(Later(random, received), end);
        DateTimeOffset? complete = random.Next(4) > 0 ? Within() : null;
        var due = complete is { } c ? Instant(random, Period.LocalDay(c).AddDays(random.Next(-2, 15))) : (DateTimeOffset?)null;
        var missed = due is { } d && random.Next(3) == 0 ? d : (DateTimeOffset?)null;
        string? outcome = fate switch
        {
            2 => Outcomes.Approved, 3 => Outcomes.Rejected, 4 => Outcomes.DeemedApproved,
            5 => random.Next(2) == 0 ? Outcomes.Withdrawn : Outcomes.Lapsed, _ => null,
        };
        var decided = fate is >= 2 and <= 4;
        string? verdict = !decided || due is null ? null
            : fate == 4 ? CaseTimeliness.Late
            : new[] { CaseTimeliness.OnTime, CaseTimeliness.Late, CaseTimeliness.LateWithApology }[random.Next(3)];
        var timeliness = new CaseTimeliness(due, ended is null && due is not null && random.Next(3) > 0, missed is not null, false, verdict);

        var visits = new List<StepVisit>();
        for (var i = random.Next(0, 5); i > 0; i--)
        {
            var opened = Within();
            var closed = ended is null && random.Next(3) == 0 ? (DateTimeOffset?)null : Later(random, opened, 8);
            if (ended is { } end && (closed is null || closed > end)) closed = end;
            var visitOutcome = closed is null ? null
                : new[] { Outcomes.Approved, Outcomes.Rejected, Outcomes.Returned, Outcomes.Returned, Outcomes.Cancelled }[random.Next(5)];
            visits.Add(new StepVisit(Steps[random.Next(Steps.Length)], Agencies[random.Next(Agencies.Length)], opened,
                Instant(random, Period.LocalDay(opened).AddDays(random.Next(-1, 6))), closed, visitOutcome));
        }
        var escalations = visits.Where(_ => random.Next(3) == 0).Select(v =>
        {
            var at = v.OpenedAt + ((v.ClosedAt ?? ended ?? v.OpenedAt.AddDays(5)) - v.OpenedAt) * random.NextDouble();
            return new EscalationFact(v.StepId, v.Agency, random.Next(1, 4), at, random.Next(2) == 0 ? Later(random, at, 20) : null);
        }).ToImmutableArray();
        int? rating = random.Next(3) == 0 ? random.Next(1, 6) : null;
        return new CaseFacts(Guid.NewGuid(), Workflows[random.Next(Workflows.Length)], Centres[random.Next(Centres.Length)],
            new[] { "counter", "web", "api" }[random.Next(3)], random.Next(2) == 0, received, timeliness, complete, missed,
            decided ? ended : null, ended, outcome, visits.Count(v => v.Outcome == Outcomes.Returned) + random.Next(0, 2), rating,
            rating is null ? null : ended)
        {
            Steps = [.. visits],
            Escalations = escalations,
        };
    }
}
