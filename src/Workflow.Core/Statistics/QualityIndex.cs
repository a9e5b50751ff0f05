namespace Workflow.Core.Statistics;

/// <summary>
/// The service-quality index, on the model of Vietnam's Decision 766/QD-TTg (2022): five groups of 20 points each
/// (transparency; progress and results of settlement; digitised records; online service provision; satisfaction),
/// 100 in all. Only groups our events measure are scored, and the score is scaled to 100 over those groups alone, so a
/// centre and an agency are each ranked on what can be measured of them. The README gives every formula.
/// </summary>
public sealed record QualityIndex(
    string Period,
    string Scope,
    string Id,
    double? Transparency,
    double? Progress,
    double? DigitisedRecords,
    double? OnlineService,
    double? Satisfaction,
    int MeasuredGroups,
    double? Score,
    string? Grade)
{
    public const double GroupPoints = 20;
    public const string CentreScope = "centre";
    public const string AgencyScope = "agency";

    public const string Excellent = "excellent";
    public const string Good = "good";
    public const string Fair = "fair";
    public const string Average = "average";
    public const string Weak = "weak";

    /// <summary>Decision 766's bands: 90 and above excellent, under 50 weak; in between good (80), fair (70), average.</summary>
    public static string GradeOf(double score) => score switch
    {
        >= 90 => Excellent,
        >= 80 => Good,
        >= 70 => Fair,
        >= 50 => Average,
        _ => Weak,
    };

    /// <summary>
    /// The index of every centre (from case figures by centre) and every agency (from step figures by agency) of one
    /// period. Centres: transparency, progress, online service and satisfaction; agencies: progress and satisfaction.
    /// Digitised records are never measured: no event says whether a document was received on paper or as a file.
    /// </summary>
    public static IReadOnlyList<QualityIndex> Of(IEnumerable<CaseFacts> facts, Period period, Calendars.CalendarCatalog calendars)
    {
        var cases = facts.ToList();
        var byCentre = new StatisticsQuery(PeriodKind.Custom, period.From, period.To, By: [Dimensions.Centre]);
        var byAgency = new StatisticsQuery(PeriodKind.Custom, period.From, period.To, By: [Dimensions.Agency]);
        var result = new List<QualityIndex>();
        // The agencies' table does not depend on the centres': both are summed at once, each on its own core.
        IReadOnlyList<IndicatorRow> centres = [], agencies = [];
        Parallel.Invoke(() => centres = Indicators.Compute(cases, byCentre, calendars),
            () => agencies = Indicators.Compute(cases, byAgency, calendars));
        foreach (var row in centres)
        {
            var received = cases.Where(c => c.Centre == row.Centre && period.Contains(c.ReceivedAt)).ToList();
            result.Add(ForCentre(period, row, received.Count, received.Count(c => c.Tracked), received.Count(c => c.Channel is not "counter")));
        }
        result.AddRange(agencies.Select(row => ForAgency(period, row)));
        return result;
    }

    /// <summary>A centre's index from its case row and the applications it received in the period: tracked, and not at the counter.</summary>
    public static QualityIndex ForCentre(Period period, IndicatorRow row, int received, int tracked, int online)
    {
        double? Share(int counted) => received == 0 ? null : Points((double)counted / received);
        return Make(period, CentreScope, row.Centre!, Share(tracked), ProgressPoints(row), Share(online), SatisfactionPoints(row));
    }

    /// <summary>An agency's index from its step row.</summary>
    public static QualityIndex ForAgency(Period period, IndicatorRow row) =>
        Make(period, AgencyScope, row.Agency!, null, ProgressPoints(row), null, SatisfactionPoints(row));

    private static double? ProgressPoints(IndicatorRow row) => row.OnTimeRate is { } rate ? Points(rate) : null;

    private static double? SatisfactionPoints(IndicatorRow row) => row.RatingMean is { } mean
        ? Points((mean - Citizens.Feedback.Lowest) / (Citizens.Feedback.Highest - Citizens.Feedback.Lowest))
        : null;

    private static double Points(double share) => Indicators.Round(share * GroupPoints);

    private static QualityIndex Make(Period period, string scope, string id, double? transparency, double? progress, double? online,
        double? satisfaction)
    {
        double?[] groups = [transparency, progress, online, satisfaction];
        var measured = groups.Count(g => g is not null);
        double? score = measured == 0 ? null : Indicators.Round(groups.Sum(g => g ?? 0) / (GroupPoints * measured) * 100);
        return new QualityIndex(period.Label, scope, id, transparency, progress, null, online, satisfaction, measured, score,
            score is { } s ? GradeOf(s) : null);
    }
}
