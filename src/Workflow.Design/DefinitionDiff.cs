using Workflow.Core.Definitions;

namespace Workflow.Design;

/// <summary>One difference between two versions of a procedure, in the procedure's own terms.</summary>
public sealed record DefinitionChange(string What, string Subject, string? Before, string? After)
{
    public override string ToString() => (Before, After) switch
    {
        (null, _) => $"+ {What} {Subject}: {After}",
        (_, null) => $"- {What} {Subject}: {Before}",
        _ => $"~ {What} {Subject}: {Before} -> {After}",
    };
}

/// <summary>
/// The semantic difference between two versions: steps added or removed, and for each step its agency, deadline,
/// condition, join and outcomes; the legal deadline and clock policy; data fields and documents. Not a text diff:
/// reordering keys or comments changes nothing here.
/// </summary>
public static class DefinitionDiff
{
    public static IReadOnlyList<DefinitionChange> Compare(WorkflowDefinition a, WorkflowDefinition b)
    {
        var changes = new List<DefinitionChange>();
        void Field(string what, string subject, string? before, string? after)
        {
            if (before != after) changes.Add(new(what, subject, before, after));
        }

        Field("procedure", "id", a.Id, b.Id);
        Field("procedure", "version", a.Version.ToString(), b.Version.ToString());
        Field("procedure", "title", a.Title, b.Title);
        Field("procedure", "legal basis", a.LegalBasis, b.LegalBasis);
        Field("procedure", "legal deadline", $"{a.DeadlineDays} working days", $"{b.DeadlineDays} working days");
        Field("procedure", "on return", a.OnReturn.ToString().ToLowerInvariant(), b.OnReturn.ToString().ToLowerInvariant());
        Field("procedure", "returns allowed", a.MaxReturns.ToString(), b.MaxReturns.ToString());
        Field("procedure", "correction deadline", $"{a.CorrectionDays} calendar days", $"{b.CorrectionDays} calendar days");
        Field("procedure", "deemed approval", a.DeemedApproval.ToString(), b.DeemedApproval.ToString());
        Field("procedure", "first step", a.Start.Id, b.Start.Id);

        foreach (var name in a.Data.Select(f => f.Name).Union(b.Data.Select(f => f.Name)))
            Field("data field", name, Describe(a.FindField(name)), Describe(b.FindField(name)));
        foreach (var name in a.Documents.Select(d => d.Name).Union(b.Documents.Select(d => d.Name)))
            Field("document", name, Describe(a.Documents.FirstOrDefault(d => d.Name == name)),
                Describe(b.Documents.FirstOrDefault(d => d.Name == name)));

        foreach (var id in a.Steps.Select(s => s.Id).Union(b.Steps.Select(s => s.Id)))
        {
            var (before, after) = (a.FindStep(id), b.FindStep(id));
            if (before is null || after is null)
            {
                changes.Add(new("step", id, before is null ? null : $"{before.Agency}, {before.DeadlineDays} working days",
                    after is null ? null : $"{after.Agency}, {after.DeadlineDays} working days"));
                continue;
            }
            Field("step", $"{id} agency", before.Agency, after.Agency);
            Field("step", $"{id} role", before.Role, after.Role);
            Field("step", $"{id} title", before.Title, after.Title);
            Field("step", $"{id} deadline", $"{before.DeadlineDays} working days", $"{after.DeadlineDays} working days");
            Field("step", $"{id} condition", before.When, after.When);
            Field("step", $"{id} join", before.After.ToString(), after.After.ToString());
            Field("step", $"{id} approve", string.Join(", ", before.Approve), string.Join(", ", after.Approve));
            Field("step", $"{id} reject", before.Reject, after.Reject);
            Field("step", $"{id} return", before.CanReturn ? "citizen" : null, after.CanReturn ? "citizen" : null);
            Field("step", $"{id} four eyes", before.FourEyes ? "yes" : null, after.FourEyes ? "yes" : null);
        }
        return changes;
    }

    private static string? Describe(DataField? f) => f is null ? null
        : $"{f.Type.ToString().ToLowerInvariant()}{(f.Required ? ", required" : "")}" +
          $"{(f.Of.IsEmpty ? "" : $", of {string.Join("/", f.Of)}")}";

    private static string? Describe(RequiredDocument? d) => d is null ? null : d.When is null ? "always" : $"when {d.When}";
}
