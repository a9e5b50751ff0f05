using System.Text.Json;
using Workflow.Core.Applications;
using Workflow.Core.Citizens;
using Workflow.Core.Statistics;
using static Workflow.Core.Tests.Procedures;

namespace Workflow.Core.Tests;

/// <summary>
/// A small known history at the Vientiane centre in January and February 2024 (no holiday after 1 January), every figure
/// worked out by hand below:
/// <list type="bullet">
/// <item>A (p1, counter, tracked): complete 3 Jan, step at agency a approved 4 Jan, approved 8 Jan (3 working days), on
/// time, rated 5.</item>
/// <item>B (p1, web): complete 4 Jan, returned twice (5 and 11 Jan), escalated to level 1 on 17 Jan and acknowledged,
/// apology on 17 Jan, approved 22 Jan (12 working days): late with apology, rated 2.</item>
/// <item>C (p1, counter, tracked): complete 25 Jan, step overdue since 29 Jan, deemed approved 2 Feb (6 working days).</item>
/// <item>D (p2, counter): returned at the counter 30 Jan before completeness, lapsed 1 March.</item>
/// <item>E (p1, counter): complete 15 Jan, rejected on time 16 Jan (1 working day), not rated.</item>
/// </list>
/// </summary>
public class when_statistics_are_computed_for_a_known_history
{
    private static readonly Actor Officer = new("officer-a", "Officer", "a", "officer");
    private static readonly Guid A = Guid.NewGuid(), B = Guid.NewGuid(), C = Guid.NewGuid(), D = Guid.NewGuid(), E = Guid.NewGuid();

    private static DateTimeOffset At(int month, int day, int hour, int minute = 0) => Lao(2024, month, day, hour, minute);

    private static ApplicationSubmitted Submitted(Guid id, string workflow, string channel, bool tracked, DateTimeOffset at) =>
        new(id, "VTE-1", workflow, 1, "hash", "VTE", channel, new Applicant("Somchai Phommasane", "ID-1", "020 5555 1234"),
            new Dictionary<string, JsonElement>(), [], Officer, at, tracked ? "salted-hash" : null);

    private static StepOpened Opened(string step, string agency, DateTimeOffset at, DateTimeOffset due) =>
        new(step, step, agency, null, at, due, 2, "lao-national@1", false, null);

    private static ApplicationDeclaredComplete Complete(DateTimeOffset at, DateTimeOffset due) => new(at, due, 5, "lao-national@1", Officer);

    public static readonly Dictionary<Guid, object[]> History = new()
    {
        [A] =
        [
            Submitted(A, "p1", "counter", true, At(1, 2, 9)), Complete(At(1, 3, 9), At(1, 10, 16)),
            Opened("review", "a", At(1, 3, 9), At(1, 5, 16)),
            new StepApproved("review", "a", "ok", null, ["approved"], Officer, At(1, 4, 10)), new ApplicationApproved(At(1, 8, 10)),
            new ServiceRated(5, null, Feedback.Citizen("VTE-1"), At(1, 9, 9)),
        ],
        [B] =
        [
            Submitted(B, "p1", "web", false, At(1, 4, 9)), Complete(At(1, 4, 10), At(1, 11, 16)),
            Opened("review", "a", At(1, 4, 10), At(1, 8, 16)),
            new StepReturned("review", "a", "missing plan", null, null, false, Officer, At(1, 5, 11)),
            new CaseClockStopped(At(1, 5, 11), 4, At(2, 4, 23, 59), false),
            new CorrectionSubmitted(new Dictionary<string, JsonElement>(), [], null, Officer, At(1, 10, 9)),
            new CaseClockResumed(At(1, 10, 9), At(1, 15, 16), 4, "pause", "lao-national@1"),
            Opened("review", "a", At(1, 10, 9), At(1, 12, 16)),
            new StepReturned("review", "a", "missing stamp", null, null, false, Officer, At(1, 11, 9)),
            new CaseClockStopped(At(1, 11, 9), 3, At(2, 10, 23, 59), false),
            new CorrectionSubmitted(new Dictionary<string, JsonElement>(), [], null, Officer, At(1, 12, 9)),
            new CaseClockResumed(At(1, 12, 9), At(1, 17, 16), 3, "pause", "lao-national@1"),
            Opened("review", "a", At(1, 12, 9), At(1, 16, 16)),
            new DeadlineBreached("review", "a", At(1, 16, 16), [], At(1, 16, 16), null),
            new StepEscalated("review", "a", 1, 1, [], At(1, 17, 16), null),
            new CaseDeadlineMissed(At(1, 17, 16), At(1, 24, 16), [], At(1, 17, 16)),
            new EscalationAcknowledged("review", 1, null, Officer, At(1, 18, 9)),
            new StepApproved("review", "a", "ok", null, ["approved"], Officer, At(1, 22, 10)), new ApplicationApproved(At(1, 22, 10)),
            new ServiceRated(2, "slow", Feedback.Citizen("VTE-2"), At(1, 23, 9)),
        ],
        [C] =
        [
            Submitted(C, "p1", "counter", true, At(1, 25, 9)), Complete(At(1, 25, 10), At(2, 1, 16)),
            Opened("review", "a", At(1, 25, 10), At(1, 29, 16)),
            new ApplicationDeemedApproved(At(2, 1, 16), At(2, 2, 8)),
        ],
        [D] =
        [
            Submitted(D, "p2", "counter", false, At(1, 30, 9)), Opened("intake", "odsc", At(1, 30, 9), At(1, 31, 16)),
            new StepReturned("intake", "odsc", "incomplete", null, null, false, Officer, At(1, 30, 11)),
            new CaseClockStopped(At(1, 30, 11), null, At(2, 29, 23, 59)),
            new ApplicationLapsed(At(2, 29, 23, 59), At(3, 1, 9)),
        ],
        [E] =
        [
            Submitted(E, "p1", "counter", false, At(1, 15, 9)), Complete(At(1, 15, 9, 30), At(1, 22, 16)),
            Opened("review", "a", At(1, 15, 9, 30), At(1, 17, 16)),
            new StepRejected("review", "a", "not eligible", null, ["rejected"], Officer, At(1, 16, 10)),
            new ApplicationRejected("review", "not eligible", At(1, 16, 10)),
        ],
    };

    private static readonly IReadOnlyList<CaseFacts> Facts = [.. History.Values.Select(events => CaseFacts.Fold(events)!)];

    private static IReadOnlyList<IndicatorRow> Compute(StatisticsQuery query) => Indicators.Compute(Facts, query, Catalog.Calendars);

    private static Dictionary<string, string> Figures(IndicatorRow row) => row.Fields().ToDictionary(f => f.Key, f => f.Value);

    [Fact]
    public void every_case_figure_of_january_and_february_is_the_hand_computed_one()
    {
        var rows = Compute(new StatisticsQuery(PeriodKind.Month, new DateOnly(2024, 1, 1), new DateOnly(2024, 2, 29)));
        rows.Select(r => r.Key).ShouldBe(["2024-01|VTE||p1|", "2024-01|VTE||p2|", "2024-02|VTE||p1|", "2024-02|VTE||p2|"]);

        var january = Figures(rows[0]);
        january["received"].ShouldBe("4");
        january["completed"].ShouldBe("3");
        january["on_time"].ShouldBe("2");
        january["late"].ShouldBe("0");
        january["late_with_apology"].ShouldBe("1");
        january["deemed_approved"].ShouldBe("0");
        january["pending_not_due"].ShouldBe("1", "C is due on 1 February at 16:00, after the end of January");
        january["pending_overdue"].ShouldBe("0");
        january["on_time_rate"].ShouldBe("0.6667");
        january["median_working_days"].ShouldBe("3", "1, 3 and 12 working days");
        january["p90_working_days"].ShouldBe("10.2", "3 + (12 - 3) x 0.8");
        january["returns"].ShouldBe("2");
        january["returns_per_case"].ShouldBe("0.6667");
        january["returned_more_than_once"].ShouldBe("0.3333");
        january["escalations"].ShouldBe("1");
        january["escalations_by_level"].ShouldBe("1:1");
        january["acknowledged"].ShouldBe("1");
        january["rated"].ShouldBe("2");
        january["rating_mean"].ShouldBe("3.5");
        january["ratings_1_to_5"].ShouldBe("0 1 0 0 1");
        january["response_rate"].ShouldBe("0.6667");

        var counter = Figures(rows[1]);
        (counter["received"], counter["completed"], counter["pending_not_due"], counter["returns"]).ShouldBe(("1", "0", "1", "0"));

        var february = Figures(rows[2]);
        (february["received"], february["completed"], february["late"], february["deemed_approved"]).ShouldBe(("0", "1", "1", "1"));
        (february["median_working_days"], february["p90_working_days"], february["pending_not_due"]).ShouldBe(("6", "6", "0"));
        (february["rated"], february["rating_mean"], february["response_rate"]).ShouldBe(("0", "", "0"));

        Figures(rows[3])["pending_not_due"].ShouldBe("1", "D lapses on 1 March, so it is still pending at the end of February");
    }

    [Fact]
    public void step_figures_count_the_work_of_each_agency()
    {
        var rows = Compute(new StatisticsQuery(PeriodKind.Month, new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 31),
            By: [Dimensions.Agency]));
        rows.Select(r => r.Key).ShouldBe(["2024-01||a||", "2024-01||odsc||"]);
        var a = Figures(rows[0]);
        (a["received"], a["completed"], a["on_time"], a["late"]).ShouldBe(("6", "5", "4", "1"));
        (a["pending_not_due"], a["pending_overdue"]).ShouldBe(("0", "1"), "C's step was due on 29 January");
        (a["median_working_days"], a["p90_working_days"]).ShouldBe(("1", "4"), "1, 1, 1, 1 and 6 working days");
        (a["returns"], a["returns_per_case"], a["returned_more_than_once"]).ShouldBe(("2", "0.6667", "0.3333"));
        (a["escalations"], a["acknowledged"], a["rated"], a["rating_mean"]).ShouldBe(("1", "1", "2", "3.5"));
        var odsc = Figures(rows[1]);
        (odsc["completed"], odsc["on_time"], odsc["returns"], odsc["median_working_days"], odsc["response_rate"])
            .ShouldBe(("1", "1", "1", "0", ""));
    }

    [Fact]
    public void a_month_is_the_sum_of_its_days_for_every_count()
    {
        var month = Compute(new StatisticsQuery(PeriodKind.Custom, new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 31),
            By: [Dimensions.Centre]));
        var days = Compute(new StatisticsQuery(PeriodKind.Day, new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 31),
            By: [Dimensions.Centre]));
        month.Single().Received.ShouldBe(days.Sum(d => d.Received));
        month.Single().Completed.ShouldBe(days.Sum(d => d.Completed));
        month.Single().OnTime.ShouldBe(days.Sum(d => d.OnTime));
        month.Single().Escalations.ShouldBe(days.Sum(d => d.Escalations));
        days.Last().PendingNotDue.ShouldBe(month.Single().PendingNotDue, "pending is counted at the end of the last day");
    }

    [Fact]
    public void the_quality_index_scores_the_groups_the_events_measure_and_scales_them_to_100()
    {
        var index = QualityIndex.Of(Facts, new Period(PeriodKind.Custom, new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 31)),
            Catalog.Calendars);
        var centre = index.Single(i => i is { Scope: QualityIndex.CentreScope, Id: "VTE" });
        // Tracked 2 of 5 received, online 1 of 5, on time 2 of 3, mean rating 3.5 of 1..5.
        (centre.Transparency, centre.OnlineService, centre.Progress, centre.Satisfaction).ShouldBe((8, 4, 13.334, 12.5));
        centre.DigitisedRecords.ShouldBeNull();
        centre.MeasuredGroups.ShouldBe(4);
        centre.Score.ShouldBe(47.2925, "37.834 points of the 80 that four groups can give");
        centre.Grade.ShouldBe(QualityIndex.Weak);
        var a = index.Single(i => i is { Scope: QualityIndex.AgencyScope, Id: "a" });
        (a.Progress, a.Satisfaction, a.Score, a.Grade).ShouldBe((16, 12.5, 71.25, QualityIndex.Fair));
        var odsc = index.Single(i => i is { Scope: QualityIndex.AgencyScope, Id: "odsc" });
        (odsc.MeasuredGroups, odsc.Score, odsc.Grade).ShouldBe((1, 100, QualityIndex.Excellent));
    }

    [Fact]
    public void the_facts_of_a_case_hold_no_personal_data()
    {
        var text = JsonSerializer.Serialize(Facts);
        text.ShouldNotContain("Somchai");
        text.ShouldNotContain("ID-1");
        text.ShouldNotContain("5555");
        text.ShouldNotContain("slow");
    }

    [Theory]
    [InlineData(PeriodKind.Quarter, "2024-02-10", "2024-08-01", "2024-Q1 2024-02-10 2024-03-31|2024-Q2 2024-04-01 2024-06-30|2024-Q3 2024-07-01 2024-08-01")]
    [InlineData(PeriodKind.Year, "2023-12-31", "2024-01-01", "2023 2023-12-31 2023-12-31|2024 2024-01-01 2024-01-01")]
    [InlineData(PeriodKind.Custom, "2024-01-01", "2024-03-31", "2024-01-01..2024-03-31 2024-01-01 2024-03-31")]
    public void periods_cover_the_range_and_are_clipped_to_it(PeriodKind kind, string from, string to, string expected) =>
        string.Join('|', Period.Cover(kind, DateOnly.Parse(from), DateOnly.Parse(to)).Select(p => $"{p.Label} {p.From:yyyy-MM-dd} {p.To:yyyy-MM-dd}"))
            .ShouldBe(expected);

    [Fact]
    public void a_bad_request_names_each_wrong_field()
    {
        var errors = new Dictionary<string, string[]>();
        StatisticsRequest.Parse("2024-13-01", null, "week", null, null, null, null, "centre,colour", errors).ShouldBeNull();
        errors.Keys.Order().ShouldBe(["by", "from", "period", "to"]);
        errors.Clear();
        StatisticsRequest.Parse("2024-01-01", "2030-01-01", "day", null, null, null, null, null, errors).ShouldBeNull();
        errors["period"][0].ShouldContain("at most");
    }

    [Fact]
    public void the_median_and_percentile_interpolate_between_ranks_as_postgresql_does()
    {
        Indicators.Percentile([2, 3, 5, 9], 0.5).ShouldBe(4);
        Indicators.Percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9).ShouldBe(9.1);
        Indicators.Percentile([], 0.5).ShouldBeNull();
    }
}
