using Workflow.Core.Definitions;

namespace Workflow.Core.Applications;

/// <summary>What moving one running application to another version would do, or why it cannot.</summary>
public sealed record MigrationPlan(IReadOnlyList<MovedStep> Moved, IReadOnlyList<string> Changes, IReadOnlyList<string> Problems)
{
    public bool CanApply => Problems.Count == 0;
}

/// <summary>
/// Moving a running application to another version of its procedure (in-flight migration). Each open step maps to a
/// step of the target version (by the designer's mapping, or to the step of the same id); a step it would map onto
/// that this application already finished is refused, so nothing is ever decided twice.
/// </summary>
public static class Migration
{
    public static MigrationPlan Plan(Application state, WorkflowDefinition from, WorkflowDefinition to,
        IReadOnlyDictionary<string, string> mapping)
    {
        var problems = new List<string>();
        var changes = new List<string>();
        var moved = new List<MovedStep>();
        if (state.IsFinished) problems.Add($"the application is {state.Status.ToString().ToLowerInvariant()}; nothing runs to migrate");
        if (from.Id != to.Id) problems.Add($"{to.Id} is another procedure than {from.Id}");
        if (to.Version == state.WorkflowVersion && to.Hash == state.DefinitionHash)
            problems.Add($"the application already follows version {to.Version}");
        foreach (var unknown in mapping.Keys.Where(k => from.FindStep(k) is null))
            problems.Add($"'{unknown}' is not a step of version {from.Version}");

        foreach (var step in state.LiveSteps.OrderBy(s => s.StepId))
        {
            var target = mapping.GetValueOrDefault(step.StepId, step.StepId);
            if (to.FindStep(target) is not { } next)
            {
                problems.Add($"open step '{step.StepId}' has no counterpart in version {to.Version}; map it to one of its steps");
                continue;
            }
            if (target != step.StepId && state.Steps.TryGetValue(target, out var done) && !done.IsLive)
            {
                problems.Add($"'{step.StepId}' would move onto '{target}', which this application already finished " +
                             $"({done.Status.ToString().ToLowerInvariant()})");
                continue;
            }
            moved.Add(new MovedStep(step.StepId, target, next.Agency, next.Title, step.DueAt, step.NextTimer,
                step.Status == StepStatus.Returned));
            changes.Add(target == step.StepId && next.Agency == step.Agency
                ? $"'{step.StepId}' stays open at {step.Agency}, due {step.DueAt:yyyy-MM-dd HH:mm}"
                : $"'{step.StepId}' at {step.Agency} becomes '{target}' at {next.Agency}, due {step.DueAt:yyyy-MM-dd HH:mm}");
        }
        changes.Add($"version {state.WorkflowVersion} -> {to.Version}; finished steps stay as decided");
        return new MigrationPlan(moved, changes, problems);
    }
}
