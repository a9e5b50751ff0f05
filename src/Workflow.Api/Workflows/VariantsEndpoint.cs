using Workflow.Core.Definitions;
using Workflow.Design;
using Workflow.Store.Definitions;

namespace Workflow.Api.Workflows;

/// <param name="Standard">What the standard says (null when the variant adds it).</param>
/// <param name="Variant">What the variant says instead (null when the variant leaves it out).</param>
/// <param name="Text">The difference as <c>workflow diff</c> prints it.</param>
public sealed record VariantDifference(string What, string Subject, string? Standard, string? Variant, string Text);

/// <param name="Extends">The standard it varies: the procedure asked for, or one of its variants for a variant of a variant.</param>
/// <param name="Differences">The semantic difference from <paramref name="Extends"/>, as between two versions.</param>
public sealed record VariantView(string Id, int Version, string Title, string Extends, IReadOnlyList<string> Centres, int DeadlineDays,
    string Hash, IReadOnlyList<VariantDifference> Differences);

/// <param name="VariantCentres">The centres that run a variant; every other centre runs the standard.</param>
public sealed record VariantsView(string Id, int Version, string Title, int DeadlineDays, IReadOnlyList<string> VariantCentres,
    IReadOnlyList<VariantView> Variants);

public static class VariantsEndpoint
{
    /// <summary>Which centres run the national standard and which a local variant, and how each variant differs.</summary>
    public static void MapVariants(this RouteGroupBuilder workflows) =>
        workflows.MapGet("/{id}/variants", async (string id, PinnedDefinitions definitions, TimeProvider clock,
                CancellationToken cancellation) =>
            {
                var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
                if (await definitions.InForceAsync(id, today, cancellation) is not { } standard)
                    return Results.Problem(statusCode: 404, title: "Not found", detail: $"'{id}' is not a procedure in force");
                var variants = await definitions.VariantsAsync(id, today, cancellation);
                var byId = variants.Append(standard).ToDictionary(d => d.Id);
                return Results.Ok(new VariantsView(standard.Id, standard.Version, standard.Title, standard.DeadlineDays,
                    [.. variants.SelectMany(v => v.Centres).Distinct().Order(StringComparer.Ordinal)],
                    [.. variants.Select(v => View(v, byId[v.Extends!]))]));
            })
            .WithSummary("The local variants of a procedure in force today: the centres each applies to and how it differs from " +
                         "its standard; every other centre runs the standard")
            .Produces<VariantsView>();

    private static VariantView View(WorkflowDefinition variant, WorkflowDefinition standard) => new(
        variant.Id, variant.Version, variant.Title, standard.Id, variant.Centres, variant.DeadlineDays, variant.Hash,
        [.. DefinitionDiff.Compare(standard, variant)
            .Where(c => c is not { What: "procedure", Subject: "id" or "version" or "title" })
            .Select(c => new VariantDifference(c.What, c.Subject, c.Before, c.After, c.ToString()))]);
}
