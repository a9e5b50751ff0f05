using System.Collections.Immutable;

namespace Workflow.Core.Definitions;

/// <summary>
/// A way through a procedure from the completeness check to an end state, and the working days its steps' own deadlines
/// add up to on the legal clock (the completeness check runs before the clock and counts none).
/// </summary>
public sealed record FlowPath(ImmutableArray<string> Steps, int WorkingDays)
{
    public override string ToString() => $"{string.Join(" -> ", Steps)} ({WorkingDays} working days)";
}

/// <summary>
/// The language's rule on deadlines: the legal clock starts when the first step (the completeness check) approves, so on
/// every path the deadlines of the steps after it must add up to no more than the legal deadline. A path follows
/// approve and reject outcomes; a return goes to the citizen and back to the same step, which the clock does not charge
/// to the agencies. The loader's validation, the simulation's listing of paths, the Elsa import and the decider's new
/// expected date after a missed deadline all read it here.
/// </summary>
public static class Paths
{
    /// <summary>Where a step leads on approve (every branch) and on reject.</summary>
    public static IEnumerable<string> Next(StepDefinition step) =>
        step.Reject is { } reject ? step.Approve.Append(reject).Distinct() : step.Approve;

    /// <summary>The most paths a listing shows: a procedure of n splits in a row has 2^n paths.</summary>
    public const int MaxListed = 100;

    /// <summary>
    /// The paths from the completeness check to an end state, in the order the file names the outcomes, at most
    /// <paramref name="limit"/> of them (the walk stops there). A path that comes back to a step already on it stops there
    /// (validation refuses such a loop).
    /// </summary>
    public static IReadOnlyList<FlowPath> All(WorkflowDefinition definition, int limit)
    {
        var paths = new List<FlowPath>();
        var trail = new List<string>();
        var onTrail = new HashSet<string>(StringComparer.Ordinal);
        void Walk(string id, int days)
        {
            if (paths.Count >= limit) return;
            if (WorkflowDefinition.IsEnd(id) || definition.FindStep(id) is not { } step || onTrail.Contains(id))
            {
                paths.Add(new FlowPath([.. trail, id], days));
                return;
            }
            trail.Add(id);
            onTrail.Add(id);
            foreach (var next in Next(step)) Walk(next, days + OnTheClock(definition, step));
            trail.RemoveAt(trail.Count - 1);
            onTrail.Remove(id);
        }
        Walk(definition.Start.Id, 0);
        return paths;
    }

    /// <summary>
    /// The path whose steps' deadlines add up to the most working days on the legal clock: the one the legal deadline must
    /// cover. Each step's longest way to an end is worked out once, so a flow of many splits and joins costs its size,
    /// not the number of its paths.
    /// </summary>
    public static FlowPath Longest(WorkflowDefinition definition)
    {
        var walk = new LongestWalk(definition, Next);
        var total = walk.From(definition.Start.Id);
        var steps = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (string? id = definition.Start.Id; id is not null && seen.Add(id); id = walk.NextOn(id))
            steps.Add(id);
        return new FlowPath([.. steps], total);
    }

    /// <summary>
    /// The working days the steps after <paramref name="stepId"/> add up to on the longest way to approval, following approve
    /// outcomes only: the decider's basis for the new expected date it promises when a legal deadline is missed. A rejection
    /// ends a case, so the date the citizen is promised is the one of the way that still leads to a decision in their favour.
    /// </summary>
    public static int LongestAfter(WorkflowDefinition definition, string stepId)
    {
        var walk = new LongestWalk(definition, step => step.Approve);
        return (definition.FindStep(stepId)?.Approve ?? []).Select(walk.From).DefaultIfEmpty(0).Max();
    }

    /// <summary>
    /// Each step's longest way to an end, worked out once, so a flow of many splits and joins costs its size, not the number
    /// of its paths. A step already on the way counts nothing (validation refuses such a loop).
    /// </summary>
    private sealed class LongestWalk(WorkflowDefinition definition, Func<StepDefinition, IEnumerable<string>> next)
    {
        private readonly Dictionary<string, (int Days, string? Next)> _best = [];
        private readonly HashSet<string> _onPath = [];

        public string? NextOn(string id) => _best.GetValueOrDefault(id).Next;

        public int From(string id)
        {
            if (definition.FindStep(id) is not { } step || !_onPath.Add(id)) return 0;
            if (!_best.TryGetValue(id, out var known))
            {
                known = (0, null);
                foreach (var following in next(step))
                    if (From(following) is var days && (known.Next is null || days > known.Days)) known = (days, following);
                _best[id] = known = (known.Days + OnTheClock(definition, step), known.Next);
            }
            _onPath.Remove(id);
            return known.Days;
        }
    }

    private static int OnTheClock(WorkflowDefinition definition, StepDefinition step) => step == definition.Start ? 0 : step.DeadlineDays;
}
