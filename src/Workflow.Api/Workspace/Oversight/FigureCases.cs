using Workflow.Core.Applications;
using Workflow.Core.Statistics;

namespace Workflow.Api.Workspace.Oversight;

/// <summary>
/// The cases behind a step figure of the indicators (the last level of the dashboard's drill-down): for a query that names
/// one agency and step, the cases whose visits of that step make up the figure, by the same rules as the step rows of
/// <see cref="Indicators"/>: <c>decided</c> in the period, <c>late</c> among them (decided after the due time), and
/// <c>overdue</c> (open at the period's end, past the due time).
/// </summary>
public static class FigureCases
{
    public const string Decided = "decided";
    public const string Late = "late";
    public const string Overdue = "overdue";

    public static readonly string[] All = [Decided, Late, Overdue];

    /// <returns>Each case with how many of its visits count in the figure, the most first.</returns>
    public static IReadOnlyList<(Guid Id, int Visits)> Of(IEnumerable<CaseFacts> facts, StatisticsQuery query, string figure)
    {
        var period = new Period(PeriodKind.Custom, query.From, query.To);
        bool Counts(StepVisit v)
        {
            var decided = Outcomes.IsDecision(v.Outcome) && period.Contains(v.ClosedAt);
            return figure switch
            {
                Decided => decided,
                Late => decided && Lateness.IsLate(v.ClosedAt!.Value, v.DueAt),
                Overdue => v.OpenedAt < period.End && (v.ClosedAt is null || v.ClosedAt >= period.End)
                           && Lateness.IsLate(period.End, v.DueAt),
                _ => false,
            };
        }
        return [.. facts.Where(query.Touches)
            .Select(c => (c.Id, Visits: c.Steps.Count(v => v.Agency == query.Agency && v.StepId == query.Step && Counts(v))))
            .Where(x => x.Visits > 0).OrderByDescending(x => x.Visits).ThenBy(x => x.Id)];
    }
}
