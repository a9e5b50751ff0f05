using System.Globalization;
using System.Net;
using System.Text;
using System.Xml.Linq;
using Workflow.Api.Tracking;
using Workflow.Core.Definitions;
using Workflow.Design;
using Workflow.Store.Applications;

namespace Workflow.Api.Workspace.Case;

/// <summary>
/// The procedure map of one case as SVG, drawn on the server from the same layout as the BPMN export: the shapes and
/// waypoints of the export's diagram section, so the map and the file designers open in BPMN tools never disagree.
/// Each step is drawn done, open (with its due date and holder) or not reached, with its words in the reader's language.
/// </summary>
public static class ProcedureMap
{
    private static readonly XNamespace Di = "http://www.omg.org/spec/BPMN/20100524/DI";
    private static readonly XNamespace Dc = "http://www.omg.org/spec/DD/20100524/DC";
    private static readonly XNamespace DiD = "http://www.omg.org/spec/DD/20100524/DI";
    private static readonly XNamespace B = "http://www.omg.org/spec/BPMN/20100524/MODEL";

    public static string Svg(WorkflowDefinition definition, WorkflowCatalog catalog, ApplicationDetails details, CitizenWords words,
        string language, Func<string, string> text)
    {
        var bpmn = XDocument.Parse(Bpmn.Export(definition, catalog));
        var kinds = bpmn.Descendants().Where(e => e.Name.Namespace == B && e.Attribute("id") is not null)
            .ToDictionary(e => (string)e.Attribute("id")!, e => e.Name.LocalName);
        // A lane is named after its agency as the catalogue names it (the citizen's lane after no agency).
        var lanes = bpmn.Descendants(B + "lane").ToDictionary(e => (string)e.Attribute("id")!,
            e => catalog.Agencies.FirstOrDefault(a => a.Name == (string?)e.Attribute("name"))?.Code
                 ?? definition.Steps.Select(s => s.Agency).FirstOrDefault(a => a == (string?)e.Attribute("name")));
        var svg = new StringBuilder();
        var shapes = bpmn.Descendants(Di + "BPMNShape").Select(s => (Id: (string)s.Attribute("bpmnElement")!,
            Box: Bounds(s.Element(Dc + "Bounds")!))).ToList();
        var width = shapes.Max(s => s.Box.X + s.Box.W) + 20;
        var height = shapes.Max(s => s.Box.Y + s.Box.H) + 20;
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" class=\"map\" ")
            .Append(CultureInfo.InvariantCulture, $"width=\"{N(width)}\" height=\"{N(height)}\" ")
            .Append(CultureInfo.InvariantCulture, $"viewBox=\"0 0 {N(width)} {N(height)}\" aria-labelledby=\"map-title\">")
            .Append($"<title id=\"map-title\">{E(text("Map.Title"))}</title>")
            .Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" ")
            .Append("orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#4a5560\"/></marker></defs>");

        foreach (var (id, box) in shapes.Where(s => kinds.GetValueOrDefault(s.Id) is "lane" or "participant"))
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{N(box.X)}\" y=\"{N(box.Y)}\" width=\"{N(box.W)}\" height=\"{N(box.H)}\" class=\"lane\"/>");
            if (kinds[id] == "lane")
            {
                var agency = lanes.GetValueOrDefault(id);
                var name = agency is null ? text("Map.Citizen") : words.Agency(language, agency);
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(box.X + 16)}\" y=\"{N(box.Y + box.H / 2)}\" class=\"lane-name\" ")
                    .Append(CultureInfo.InvariantCulture, $"transform=\"rotate(-90 {N(box.X + 16)} {N(box.Y + box.H / 2)})\">")
                    .Append(E(Short(name, (int)(box.H / 7)))).Append("</text>");
            }
        }
        foreach (var edge in bpmn.Descendants(Di + "BPMNEdge"))
        {
            var points = string.Join(' ', edge.Elements(DiD + "waypoint")
                .Select(p => $"{N((double)p.Attribute("x")!)},{N((double)p.Attribute("y")!)}"));
            svg.Append($"<polyline points=\"{points}\" class=\"flow\" marker-end=\"url(#arrow)\"/>");
        }
        foreach (var (id, box) in shapes)
        {
            switch (kinds.GetValueOrDefault(id))
            {
                case "userTask" when id.StartsWith("Task_", StringComparison.Ordinal):
                    Step(svg, box, definition, details, id["Task_".Length..], words, language, text);
                    break;
                case "manualTask":
                    Rect(svg, box, "citizen", text("Map.Correct"), null);
                    break;
                case "exclusiveGateway" or "parallelGateway" or "inclusiveGateway":
                    svg.Append(CultureInfo.InvariantCulture,
                        $"<path d=\"M{N(box.X + box.W / 2)},{N(box.Y)} L{N(box.X + box.W)},{N(box.Y + box.H / 2)} " +
                        $"L{N(box.X + box.W / 2)},{N(box.Y + box.H)} L{N(box.X)},{N(box.Y + box.H / 2)} z\" class=\"gateway\"/>");
                    break;
                case "startEvent" or "endEvent" or "boundaryEvent":
                    svg.Append(CultureInfo.InvariantCulture,
                        $"<circle cx=\"{N(box.X + box.W / 2)}\" cy=\"{N(box.Y + box.H / 2)}\" r=\"{N(box.W / 2)}\" " +
                        $"class=\"{kinds[id]}\"/>");
                    break;
            }
        }
        return svg.Append("</svg>").ToString();
    }

    private static void Step(StringBuilder svg, (double X, double Y, double W, double H) box, WorkflowDefinition definition,
        ApplicationDetails details, string stepId, CitizenWords words, string language, Func<string, string> text)
    {
        var title = words.Step(language, definition.Id, stepId, definition.FindStep(stepId)?.Title);
        var open = details.OpenSteps.FirstOrDefault(s => s.StepId == stepId);
        var done = details.CompletedSteps.LastOrDefault(s => s.StepId == stepId);
        var (state, note) = open is not null
            ? ("open", open.AwaitingCorrection ? text("Map.WithCitizen")
                : string.Format(CultureInfo.InvariantCulture, text("Map.Due"), CitizenWords.Date(language, open.DueAt))
                  + (open.Holder is { } holder ? $", {holder.Name}" : ""))
            : done is not null ? ("done", text($"Outcome.{done.Outcome}")) : ("not-reached", text("Map.NotReached"));
        Rect(svg, box, state, title, note);
    }

    private static void Rect(StringBuilder svg, (double X, double Y, double W, double H) box, string state, string title, string? note)
    {
        svg.Append(CultureInfo.InvariantCulture,
            $"<g class=\"step {state}\"><title>{E(title)}{(note is null ? "" : $": {E(note)}")}</title>" +
            $"<rect x=\"{N(box.X)}\" y=\"{N(box.Y)}\" width=\"{N(box.W)}\" height=\"{N(box.H)}\" rx=\"8\"/>");
        var lines = Wrap(title, 22).Take(3).ToList();
        if (note is not null) lines.Add(Short(note, 26));
        var y = box.Y + box.H / 2 - (lines.Count - 1) * 7.5 + 4;
        for (var i = 0; i < lines.Count; i++)
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(box.X + box.W / 2)}\" y=\"{N(y + i * 15)}\" ")
                .Append(note is not null && i == lines.Count - 1 ? "class=\"note\"" : "").Append('>')
                .Append(E(lines[i])).Append("</text>");
        svg.Append("</g>");
    }

    private static IEnumerable<string> Wrap(string text, int perLine)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + word.Length + 1 > perLine)
            {
                yield return line.ToString();
                line.Clear();
            }
            line.Append(line.Length > 0 ? " " : "").Append(word);
        }
        if (line.Length > 0) yield return line.ToString();
    }

    private static string Short(string text, int max) => text.Length <= max ? text : text[..Math.Max(1, max - 1)] + "…";

    private static (double X, double Y, double W, double H) Bounds(XElement b) =>
        ((double)b.Attribute("x")!, (double)b.Attribute("y")!, (double)b.Attribute("width")!, (double)b.Attribute("height")!);

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
