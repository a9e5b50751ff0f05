namespace Workflow.Core.Definitions;

/// <summary>One thing wrong in a definition file: where, what, and how to fix it.</summary>
public sealed record DefinitionProblem(SourceSpan At, string Message, string? Hint = null)
{
    public override string ToString() => Hint is null ? $"{At}: {Message}" : $"{At}: {Message} ({Hint})";
}

/// <summary>Thrown when a definition folder cannot be used; carries every problem found, not just the first.</summary>
public sealed class DefinitionException(IReadOnlyList<DefinitionProblem> problems)
    : Exception($"{problems.Count} problem(s) in workflow definitions:{Environment.NewLine}" +
                string.Join(Environment.NewLine, problems.Select(p => "  " + p)))
{
    public IReadOnlyList<DefinitionProblem> Problems { get; } = problems;
}
