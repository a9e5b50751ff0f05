using System.Text;
using Workflow.Core.Definitions;

namespace Workflow.Design;

/// <summary>A procedure drawn as a Mermaid flowchart: one subgraph (lane) per agency, outcomes on the arrows.</summary>
/// <remarks>
/// Step ids and agency codes are the designer's words, and some are Mermaid keywords (<c>end</c>, <c>graph</c>,
/// <c>subgraph</c>, <c>style</c>, <c>class</c>, <c>click</c>…) or the names of the fixed nodes. Every step's node id
/// is therefore prefixed <c>s_</c> and every lane's <c>lane_</c>, so no id can ever be read as a keyword or clash with
/// <c>received</c>, <c>approved</c>, <c>rejected</c> or <c>citizen</c>; the text people read stays the step's title.
/// </remarks>
public static partial class Diagram
{
    public static string Mermaid(WorkflowDefinition definition, WorkflowCatalog catalog)
    {
        static string Id(string step) => WorkflowDefinition.IsEnd(step) ? step : "s_" + step.Replace('-', '_');
        // Agency codes are free text in agencies.yaml: anything but letters, digits and '_' becomes '_', and a code that
        // comes out like an earlier one gets a number, so two lanes never merge.
        var lanes = new Dictionary<string, string>();
        string Lane(string agency)
        {
            if (lanes.TryGetValue(agency, out var known)) return known;
            var id = "lane_" + Unsafe().Replace(agency, "_");
            for (var n = 2; lanes.ContainsValue(id); n++) id = $"lane_{Unsafe().Replace(agency, "_")}_{n}";
            return lanes[agency] = id;
        }
        // A line break would end a label or the comment line early; '#' would start an entity such as #quot;.
        static string Quote(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries))
            .Replace("#", "#35;").Replace("\"", "#quot;").Replace("<", "#lt;").Replace(">", "#gt;");
        var text = new StringBuilder();
        text.AppendLine("flowchart TD");
        text.AppendLine($"  %% {Quote(definition.Id)} version {definition.Version}: {Quote(definition.Title)}; " +
                        $"legal deadline {definition.DeadlineDays} working days");
        text.AppendLine("  received([Application received])");
        foreach (var lane in definition.Steps.GroupBy(s => s.Agency))
        {
            text.AppendLine($"  subgraph {Lane(lane.Key)} [\"{Quote(catalog.FindAgency(lane.Key)?.Name ?? lane.Key)}\"]");
            foreach (var step in lane)
            {
                var notes = new List<string> { $"{step.DeadlineDays} working day{(step.DeadlineDays == 1 ? "" : "s")}" };
                if (step.When is not null) notes.Add($"only when {step.When}");
                if (definition.Predecessors(step.Id).Count() > 1) notes.Add($"waits for {step.After}");
                text.AppendLine($"    {Id(step.Id)}[\"{Quote(step.Title)}<br/><small>{Quote(string.Join("; ", notes))}</small>\"]");
            }
            text.AppendLine("  end");
        }
        text.AppendLine("  approved([approved])");
        text.AppendLine("  rejected([rejected])");
        if (definition.Steps.Any(s => s.CanReturn)) text.AppendLine("  citizen[/the citizen corrects/]");
        text.AppendLine($"  received --> {Id(definition.Start.Id)}");
        foreach (var step in definition.Steps)
        {
            foreach (var next in step.Approve) text.AppendLine($"  {Id(step.Id)} -->|approve| {Id(next)}");
            if (step.Reject is { } reject) text.AppendLine($"  {Id(step.Id)} -->|reject| {Id(reject)}");
            if (step.CanReturn) text.AppendLine($"  {Id(step.Id)} -.->|return| citizen -.-> {Id(step.Id)}");
        }
        return text.ToString();
    }

    /// <summary>A procedure drawn as SVG in English, from the same layout as the BPMN export, agencies named as the catalogue names them.</summary>
    public static string Svg(WorkflowDefinition definition, WorkflowCatalog catalog) =>
        DiagramSvg.Render(Layout.Of(definition), new DiagramOptions
        {
            Title = $"{definition.Title}, version {definition.Version}",
            Id = $"diagram-{Unsafe().Replace(definition.Id, "-")}",
            LaneName = agency => catalog.FindAgency(agency)?.Name,
        });

    [System.Text.RegularExpressions.GeneratedRegex("[^A-Za-z0-9_]")]
    private static partial System.Text.RegularExpressions.Regex Unsafe();
}
