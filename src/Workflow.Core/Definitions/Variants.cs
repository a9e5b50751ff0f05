namespace Workflow.Core.Definitions;

/// <summary>
/// National standards and their local variants (rule 16 of Core/README.md). A variant (<c>extends: &lt;standard&gt;</c>,
/// <c>centres: [LPB]</c>) is a complete procedure of its own, pinned by its own hash like any other, so a running case
/// never depends on the standard's file. What it may change is bounded by the newest version of its standard: it may
/// shorten deadlines, add steps and change agencies, but not lengthen the legal deadline or a step's deadline, nor leave
/// out a step that the standard (or any standard above it) marks <c>required: true</c>.
/// </summary>
public static class Variants
{
    /// <summary>Every problem of every variant among the definitions of one catalogue, each at the line that causes it.</summary>
    public static IEnumerable<DefinitionProblem> Check(IReadOnlyCollection<WorkflowDefinition> definitions)
    {
        var latest = definitions.GroupBy(d => d.Id).ToDictionary(g => g.Key, g => g.MaxBy(d => d.Version)!);
        foreach (var variant in definitions.Where(d => d.Extends is not null))
            foreach (var problem in Check(variant, latest.GetValueOrDefault))
                yield return problem;
        // One centre runs one variant of a standard: two would leave the counter without a rule to pick one.
        var claims = latest.Values.Where(d => d.Extends is not null).OrderBy(d => d.Id, StringComparer.Ordinal)
            .SelectMany(d => d.Centres.Select(c => (Variant: d, Centre: c)))
            .GroupBy(x => (x.Variant.Extends, x.Centre));
        foreach (var clash in claims.Where(g => g.Count() > 1))
            foreach (var (variant, centre) in clash.Skip(1))
                yield return new(variant.At("centres"),
                    $"centre {centre} already runs '{clash.First().Variant.Id}', another variant of '{variant.Extends}'",
                    "a centre runs at most one variant of a standard");
    }

    /// <summary>The problems of one variant against its standard, found with <paramref name="find"/> (newest version by id).</summary>
    public static IEnumerable<DefinitionProblem> Check(WorkflowDefinition variant, Func<string, WorkflowDefinition?> find)
    {
        if (variant.Extends is not { } standardId) yield break;
        var at = variant.At("extends");
        if (standardId == variant.Id)
        {
            yield return new(at, $"'{variant.Id}' extends itself", "extends names the national standard, another procedure");
            yield break;
        }
        if (find(standardId) is not { } standard)
        {
            yield return new(at, $"'{variant.Id}' extends unknown procedure '{standardId}'",
                "name the id of a procedure of the catalogue");
            yield break;
        }
        var chain = Ancestors(standard, find).ToList();
        if (chain.Any(d => d.Id == variant.Id))
        {
            var cycle = chain.TakeWhile(d => d.Id != variant.Id).Select(d => d.Id).Prepend(variant.Id).Append(variant.Id);
            yield return new(at, $"extends forms a cycle: {string.Join(" -> ", cycle)}", "a standard cannot be a variant of its own variant");
            yield break;
        }
        if (variant.DeadlineDays > standard.DeadlineDays)
            yield return new(variant.At("deadline"),
                $"the legal deadline of {variant.DeadlineDays} working days is longer than the {standard.DeadlineDays} of the standard " +
                $"'{standard.Id}'", "a local variant may shorten the legal deadline, never lengthen it");
        var required = chain.SelectMany(d => d.Steps).Where(s => s.Required).Select(s => s.Id).ToHashSet();
        foreach (var id in required.Where(id => variant.FindStep(id) is null).Order(StringComparer.Ordinal))
            yield return new(variant.At("steps"),
                $"step '{id}' is left out, but the standard '{standard.Id}' marks it required",
                "keep the step (its agency and deadline may change)");
        foreach (var step in variant.Steps)
            if (standard.FindStep(step.Id) is { } original && step.DeadlineDays > original.DeadlineDays)
                yield return new(step.At("deadline"),
                    $"step '{step.Id}' takes {step.DeadlineDays} working days, longer than the {original.DeadlineDays} of the standard " +
                    $"'{standard.Id}'", "a local variant may shorten a step's deadline, never lengthen it");
    }

    /// <summary>Whether a new application received at <paramref name="centre"/> may follow this procedure.</summary>
    public static bool AppliesAt(WorkflowDefinition definition, string centre) =>
        definition.Extends is null || definition.Centres.Contains(centre);

    /// <summary>The standard and the standards above it, stopping at an unknown id or at a cycle.</summary>
    private static IEnumerable<WorkflowDefinition> Ancestors(WorkflowDefinition standard, Func<string, WorkflowDefinition?> find)
    {
        var seen = new HashSet<string>();
        for (var d = standard; d is not null && seen.Add(d.Id); d = d.Extends is null ? null : find(d.Extends))
            yield return d;
    }
}
