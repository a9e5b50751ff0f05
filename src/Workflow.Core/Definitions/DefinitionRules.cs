using FluentValidation;

namespace Workflow.Core.Definitions;

/// <summary>
/// The semantic rules a parsed definition must meet before any application may follow it. Each failure carries the
/// <see cref="SourceSpan"/> of the offending key as its custom state, so the loader can report file and line.
/// </summary>
public sealed class DefinitionRules : AbstractValidator<WorkflowDefinition>
{
    public DefinitionRules(IReadOnlySet<string> agencies)
    {
        RuleForEach(d => d.Steps)
            .Must(s => agencies.Contains(s.Agency))
            .WithMessage((_, s) => $"step '{s.Id}' names unknown agency '{s.Agency}'")
            .WithState((_, s) => Hint(s.At("agency"), "add it to agencies.yaml or correct the code"));

        RuleForEach(d => d.Steps)
            .Must((d, s) => s.Approve.All(t => IsTarget(d, t)))
            .WithMessage((d, s) => $"step '{s.Id}' approves into unknown step {Quote(s.Approve.Where(t => !IsTarget(d, t)))}")
            .WithState((d, s) => Hint(s.At("approve"),
                $"targets are step ids, '{WorkflowDefinition.Approved}' or '{WorkflowDefinition.Rejected}'"));

        RuleForEach(d => d.Steps)
            .Must(s => !s.Approve.IsEmpty)
            .WithMessage((_, s) => $"step '{s.Id}' approves into nothing")
            .WithState((_, s) => Hint(s.At("approve"), "name the next step or 'approved'"));

        RuleForEach(d => d.Steps)
            .Must((d, s) => s.Reject is null || IsTarget(d, s.Reject))
            .WithMessage((_, s) => $"step '{s.Id}' rejects into unknown step '{s.Reject}'")
            .WithState((_, s) => Hint(s.At("reject"), $"usually reject: {WorkflowDefinition.Rejected}"));

        RuleForEach(d => d.Steps)
            .Must((d, s) => s == d.Start || d.Reachable(d.Start.Id).Contains(s.Id))
            .WithMessage((d, s) => $"step '{s.Id}' is unreachable: no path from '{d.Start.Id}' leads to it")
            .WithState((_, s) => Hint(s.Source, "name it in another step's approve or reject"));

        RuleForEach(d => d.Steps)
            .Must((d, s) => !d.Reachable(s.Id).Contains(s.Id))
            .WithMessage((_, s) => $"step '{s.Id}' leads back to itself, so a path never ends")
            .WithState((_, s) => Hint(s.At("approve"), "steps form a forward flow; corrections go to 'citizen' with return"));

        RuleForEach(d => d.Steps)
            .Must((d, s) => d.Reachable(s.Id).Any(WorkflowDefinition.IsEnd))
            .WithMessage((_, s) => $"no path from step '{s.Id}' ends in '{WorkflowDefinition.Approved}' or '{WorkflowDefinition.Rejected}'")
            .WithState((_, s) => Hint(s.Source, null));

        RuleFor(d => d.Start)
            .Must(s => s.When is null)
            .WithMessage(d => $"the first step '{d.Start.Id}' is the completeness check and cannot have a condition")
            .WithState(d => Hint(d.Start.At("when"), null));

        RuleForEach(d => d.Steps)
            .Must((d, s) => s.After.Mode != JoinMode.Count || s.After.Count <= d.Predecessors(s.Id).Count())
            .WithMessage((d, s) => $"step '{s.Id}' waits for {s.After.Count} branches but only {d.Predecessors(s.Id).Count()} lead to it")
            .WithState((_, s) => Hint(s.At("after"), null));

        RuleForEach(d => d.Steps)
            .Must((d, s) => s.When is null || ConditionProblem(d, s.When) is null)
            .WithMessage((d, s) => $"condition of step '{s.Id}': {ConditionProblem(d, s.When!)}")
            .WithState((_, s) => Hint(s.At("when"), "compare data fields, e.g. floor_area > 400 and not has_employees"));

        RuleForEach(d => d.Documents)
            .Must((d, doc) => doc.When is null || ConditionProblem(d, doc.When) is null)
            .WithMessage((d, doc) => $"condition of document '{doc.Name}': {ConditionProblem(d, doc.When!)}")
            .WithState((_, doc) => Hint(doc.Source, null));

        RuleFor(d => d)
            .Must(d => Paths.Longest(d).WorkingDays <= d.DeadlineDays)
            .WithMessage(d => $"step deadlines after '{d.Start.Id}' add up to {Paths.Longest(d).WorkingDays} working days on the path " +
                              $"{string.Join(" -> ", Paths.Longest(d).Steps)}, more than the legal deadline of {d.DeadlineDays}")
            .WithState(d => Hint(d.At("deadline"), "the legal deadline counts from the completeness check"));
    }

    /// <summary>Validates and returns the problems with their positions.</summary>
    public IEnumerable<DefinitionProblem> Check(WorkflowDefinition definition) =>
        Validate(definition).Errors.Select(e => e.CustomState is DefinitionProblem p
            ? p with { Message = e.ErrorMessage }
            : new DefinitionProblem(definition.Source, e.ErrorMessage));

    private static DefinitionProblem Hint(SourceSpan at, string? hint) => new(at, "", hint);

    private static bool IsTarget(WorkflowDefinition d, string target) => WorkflowDefinition.IsEnd(target) || d.FindStep(target) is not null;

    private static string Quote(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

    private static string? ConditionProblem(WorkflowDefinition d, string text)
    {
        if (Condition.ParseError(text) is { } error) return $"'{text}' does not parse: {error}";
        var unknown = Condition.FieldsUsed(text).Where(f => d.FindField(f) is null).ToList();
        return unknown.Count == 0 ? null : $"'{text}' names unknown field {Quote(unknown)}";
    }
}
