using System.Globalization;
using System.Xml.Linq;
using Workflow.Core.Definitions;

namespace Workflow.Design;

/// <summary>
/// A procedure as BPMN 2.0 XML for standard modelling tools: one lane per agency and one for the citizen, a user task
/// per step, a labelled gateway for each step's outcomes (approve, reject, return for correction), the return path
/// through the citizen's correction and back, splits and joins, each step's deadline as a non-interrupting timer that
/// leads to the escalation, and a layout in which no two shapes or labels overlap.
/// </summary>
/// <remarks>
/// Deadlines are working days of the centre's calendar. An ISO 8601 duration such as P10D means ten calendar days to
/// every BPMN engine, so the deadline timers carry "10 working days" under a language of our own instead: an engine
/// that does not know it refuses the expression rather than counting the wrong days. Only the citizen's correction
/// window, which is in calendar days, is an ISO duration.
/// </remarks>
public static partial class Bpmn
{
    /// <summary>The expression language of a deadline timer: a number of working days of the centre's calendar.</summary>
    public const string WorkingDaysLanguage = "urn:workflow:working-days";

    private static readonly XNamespace B = "http://www.omg.org/spec/BPMN/20100524/MODEL";
    private static readonly XNamespace Di = "http://www.omg.org/spec/BPMN/20100524/DI";
    private static readonly XNamespace Dc = "http://www.omg.org/spec/DD/20100524/DC";
    private static readonly XNamespace DiD = "http://www.omg.org/spec/DD/20100524/DI";
    private static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    public static string Export(WorkflowDefinition definition, WorkflowCatalog catalog) =>
        Export(definition, catalog, Layout.Of(definition));

    /// <summary>The BPMN of a procedure with the diagram of a layout made for it (<see cref="Layout.Of"/>).</summary>
    public static string Export(WorkflowDefinition definition, WorkflowCatalog catalog, ProcedureLayout layout)
    {
        string LaneName(LayoutLane lane) => lane.Agency is null ? "Citizen" : catalog.FindAgency(lane.Agency)?.Name ?? lane.Agency;
        // Agency codes are free text in agencies.yaml, and an XML id may hold only name characters: anything else
        // becomes '_', and a code that comes out like an earlier one gets a number.
        var laneIds = new List<string>();
        foreach (var lane in layout.Lanes)
        {
            var code = lane.Agency ?? WorkflowDefinition.Citizen;
            var id = "Lane_" + NotName().Replace(code, "_");
            for (var n = 2; laneIds.Contains(id); n++) id = $"Lane_{NotName().Replace(code, "_")}_{n}";
            laneIds.Add(id);
        }

        var processId = $"Process_{NotName().Replace(definition.Id, "_")}";
        var process = new XElement(B + "process", new XAttribute("id", processId), new XAttribute("isExecutable", "false"),
            new XElement(B + "documentation",
                $"{definition.Title}, version {definition.Version}; legal deadline {Days(definition.DeadlineDays)} " +
                "counted from the completeness check" + (definition.LegalBasis is null ? "" : $" ({definition.LegalBasis})") +
                ". Deadline timers are in working days of the centre's calendar, not calendar days."),
            new XElement(B + "laneSet", new XAttribute("id", "LaneSet_1"),
                layout.Lanes.Select((lane, i) => new XElement(B + "lane", new XAttribute("id", laneIds[i]),
                    new XAttribute("name", LaneName(lane)),
                    layout.Nodes.Where(n => n.Lane == i).Select(n => new XElement(B + "flowNodeRef", n.Id))))));
        foreach (var node in layout.Nodes)
        {
            var element = new XElement(B + Element(node), new XAttribute("id", node.Id));
            if (node.Name is not null) element.Add(new XAttribute("name", node.Name));
            if (node.IsGateway)
                element.Add(new XAttribute("gatewayDirection", node.Kind is NodeKind.Merge or NodeKind.Join ? "Converging" : "Diverging"));
            if (node.AttachedTo is not null)
                element.Add(new XAttribute("attachedToRef", node.AttachedTo),
                    new XAttribute("cancelActivity", node.Kind == NodeKind.LapseTimer ? "true" : "false"));
            if (Documentation(definition, node) is { } documentation) element.Add(new XElement(B + "documentation", documentation));
            element.Add(layout.Edges.Where(f => f.Target == node.Id).Select(f => new XElement(B + "incoming", f.Id)));
            element.Add(layout.Edges.Where(f => f.Source == node.Id).Select(f => new XElement(B + "outgoing", f.Id)));
            if (node.Kind is NodeKind.DeadlineTimer or NodeKind.LapseTimer)
            {
                var deadline = node.Kind == NodeKind.DeadlineTimer;
                var duration = new XElement(B + "timeDuration", new XAttribute(Xsi + "type", "bpmn:tFormalExpression"),
                    deadline ? node.Name : $"P{definition.CorrectionDays}D");
                if (deadline) duration.Add(new XAttribute("language", WorkingDaysLanguage));
                element.Add(new XElement(B + "timerEventDefinition", new XAttribute("id", $"TimerDefinition_{node.Id}"), duration));
            }
            process.Add(element);
        }
        foreach (var flow in layout.Edges)
        {
            var element = new XElement(B + "sequenceFlow", new XAttribute("id", flow.Id), new XAttribute("sourceRef", flow.Source),
                new XAttribute("targetRef", flow.Target));
            if (flow.Name is not null) element.Add(new XAttribute("name", flow.Name));
            if (flow.Condition is not null)
                element.Add(new XElement(B + "conditionExpression", new XAttribute(Xsi + "type", "bpmn:tFormalExpression"),
                    flow.Condition));
            process.Add(element);
        }

        var plane = new XElement(Di + "BPMNPlane", new XAttribute("id", "Plane_1"), new XAttribute("bpmnElement", "Collaboration_1"),
            Shape("Participant_1", layout.Participant, horizontal: true));
        for (var i = 0; i < layout.Lanes.Length; i++) plane.Add(Shape(laneIds[i], layout.Lanes[i].Box, horizontal: true));
        foreach (var node in layout.Nodes) plane.Add(Shape(node.Id, node.Box, label: node.Label));
        foreach (var flow in layout.Edges)
        {
            var edge = new XElement(Di + "BPMNEdge", new XAttribute("id", $"{flow.Id}_di"), new XAttribute("bpmnElement", flow.Id),
                flow.Points.Select(p =>
                    new XElement(DiD + "waypoint", new XAttribute("x", Number(p.X)), new XAttribute("y", Number(p.Y)))));
            if (flow.Label is { } label) edge.Add(Label(label));
            plane.Add(edge);
        }

        var document = new XDocument(new XDeclaration("1.0", "UTF-8", null),
            new XElement(B + "definitions",
                new XAttribute(XNamespace.Xmlns + "bpmn", B), new XAttribute(XNamespace.Xmlns + "bpmndi", Di),
                new XAttribute(XNamespace.Xmlns + "dc", Dc),
                new XAttribute(XNamespace.Xmlns + "di", DiD), new XAttribute(XNamespace.Xmlns + "xsi", Xsi),
                new XAttribute("id", $"Definitions_{NotName().Replace(definition.Id, "_")}"),
                 new XAttribute("targetNamespace", "urn:workflow:procedures"),
                new XAttribute("exporter", "workflow"), new XAttribute("exporterVersion", "2"),
                new XElement(B + "collaboration", new XAttribute("id", "Collaboration_1"),
                    new XElement(B + "participant", new XAttribute("id", "Participant_1"), new XAttribute("name", definition.Title),
                        new XAttribute("processRef", processId))),
                process,
                new XElement(Di + "BPMNDiagram", new XAttribute("id", "Diagram_1"), plane)));
        return document.Declaration + Environment.NewLine + document.Root;
    }

    private static string Element(LayoutNode node) => node.Kind switch
    {
        NodeKind.Start => "startEvent",
        NodeKind.Step => "userTask",
        NodeKind.Correction => "manualTask",
        NodeKind.DeadlineTimer or NodeKind.LapseTimer => "boundaryEvent",
        NodeKind.Merge or NodeKind.Decision => "exclusiveGateway",
        NodeKind.Join or NodeKind.Split => node.Gateway switch
        {
            GatewayType.Parallel => "parallelGateway",
            GatewayType.Inclusive => "inclusiveGateway",
            _ => "exclusiveGateway",
        },
        _ => "endEvent",
    };

    private static string? Documentation(WorkflowDefinition definition, LayoutNode node)
    {
        if (node.Step is null || definition.FindStep(node.Step) is not { } step) return null;
        return node.Kind switch
        {
            NodeKind.Step => $"Agency: {step.Agency}. Deadline: {Days(step.DeadlineDays)} of the centre's calendar." +
                             (step.When is null ? "" : $" Only when {step.When}; skipped otherwise.") +
                             (step.CanReturn ? " May be returned to the citizen for correction." : ""),
            NodeKind.Correction => $"The citizen corrects the file returned by '{step.Title}' and resubmits it at the counter; " +
                                   $"the case lapses after {definition.CorrectionDays} calendar days.",
            _ => null,
        };
    }

    private static string Days(int days) => $"{days} working day{(days == 1 ? "" : "s")}";

    private static XElement Shape(string element, Box b, bool horizontal = false, Box? label = null)
    {
        var shape = new XElement(Di + "BPMNShape", new XAttribute("id", $"{element}_di"), new XAttribute("bpmnElement", element));
        if (horizontal) shape.Add(new XAttribute("isHorizontal", "true"));
        shape.Add(Bounds(b));
        if (label is not null) shape.Add(Label(label));
        return shape;
    }

    private static XElement Label(Box b) => new(Di + "BPMNLabel", Bounds(b));

    private static XElement Bounds(Box b) =>
        new(Dc + "Bounds", new XAttribute("x", Number(b.X)), new XAttribute("y", Number(b.Y)), new XAttribute("width", Number(b.W)),
            new XAttribute("height", Number(b.H)));

    private static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    [System.Text.RegularExpressions.GeneratedRegex("[^A-Za-z0-9_.-]")]
    private static partial System.Text.RegularExpressions.Regex NotName();
}
