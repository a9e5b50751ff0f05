using System.Globalization;
using System.Xml.Linq;

namespace Workflow.Core.Definitions;

/// <summary>
/// A procedure as BPMN 2.0 XML for standard modelling tools: one lane per agency, a user task per step with its deadline
/// as a non-interrupting timer boundary event, exclusive gateways for outcomes and for choices made by conditions,
/// parallel gateways for splits and joins (inclusive where conditions make branches optional), and diagram layout.
/// </summary>
public static class Bpmn
{
    private static readonly XNamespace B = "http://www.omg.org/spec/BPMN/20100524/MODEL";
    private static readonly XNamespace Di = "http://www.omg.org/spec/BPMN/20100524/DI";
    private static readonly XNamespace Dc = "http://www.omg.org/spec/DD/20100524/DC";
    private static readonly XNamespace DiD = "http://www.omg.org/spec/DD/20100524/DI";
    private static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    private sealed record Node(string Id, string Kind, string? Name, string Lane, string? Gateway = null);

    private sealed record Flow(string Id, string Source, string Target, string? Name, string? Condition);

    public static string Export(WorkflowDefinition definition, WorkflowCatalog catalog)
    {
        var nodes = new List<Node>();
        var flows = new List<Flow>();
        string Task(string step) => $"Task_{step}";
        void Connect(string source, string target, string? name = null, string? condition = null) =>
            flows.Add(new Flow($"Flow_{flows.Count + 1}", source, target, name, condition));

        nodes.Add(new Node("Start", "startEvent", "Application received", definition.Start.Agency));
        foreach (var step in definition.Steps) nodes.Add(new Node(Task(step.Id), "userTask", step.Title, step.Agency));

        // Where the arrows into a step end: the step itself, or a join gateway in front of it.
        var entry = new Dictionary<string, string>();
        foreach (var step in definition.Steps)
        {
            var predecessors = definition.Predecessors(step.Id).ToList();
            if (predecessors.Count <= 1) { entry[step.Id] = Task(step.Id); continue; }
            var optional = predecessors.Any(p => p.When is not null) || step.After.Mode != JoinMode.All;
            nodes.Add(new Node($"Join_{step.Id}", optional ? "inclusiveGateway" : "parallelGateway", null, step.Agency, "converging"));
            Connect($"Join_{step.Id}", Task(step.Id));
            entry[step.Id] = $"Join_{step.Id}";
        }
        string End(string target)
        {
            var id = target == WorkflowDefinition.Approved ? "End_approved" : "End_rejected";
            if (nodes.All(n => n.Id != id))
                nodes.Add(new Node(id, "endEvent", target == WorkflowDefinition.Approved ? "Approved" : "Rejected", definition.Steps.Last().Agency));
            return id;
        }
        string Into(string target) => WorkflowDefinition.IsEnd(target) ? End(target) : entry[target];
        string? When(string target) => definition.FindStep(target)?.When;

        Connect("Start", Task(definition.Start.Id));
        foreach (var step in definition.Steps)
        {
            var from = Task(step.Id);
            if (step.Reject is { } reject)
            {
                nodes.Add(new Node($"Outcome_{step.Id}", "exclusiveGateway", "Decision?", step.Agency, "diverging"));
                Connect(from, $"Outcome_{step.Id}");
                Connect($"Outcome_{step.Id}", Into(reject), "reject", "outcome == 'reject'");
                from = $"Outcome_{step.Id}";
            }
            if (step.Approve.Length == 1)
            {
                Connect(from, Into(step.Approve[0]), step.Reject is null ? null : "approve", When(step.Approve[0]) ?? (step.Reject is null ? null : "outcome == 'approve'"));
                continue;
            }
            var conditional = step.Approve.Count(t => When(t) is not null);
            var kind = conditional == step.Approve.Length ? "exclusiveGateway" : conditional == 0 ? "parallelGateway" : "inclusiveGateway";
            nodes.Add(new Node($"Split_{step.Id}", kind, null, step.Agency, "diverging"));
            Connect(from, $"Split_{step.Id}", step.Reject is null ? null : "approve", step.Reject is null ? null : "outcome == 'approve'");
            foreach (var target in step.Approve)
                Connect($"Split_{step.Id}", Into(target), null, kind == "parallelGateway" ? null : When(target) ?? "true");
        }

        var lanes = definition.Steps.Select(s => s.Agency).Distinct().ToList();
        var depth = Depths(nodes, flows);
        var process = new XElement(B + "process", new XAttribute("id", $"Process_{definition.Id}"), new XAttribute("isExecutable", "false"),
            new XElement(B + "documentation", $"{definition.Title}, version {definition.Version}; legal deadline {definition.DeadlineDays} working days" +
                                               (definition.LegalBasis is null ? "" : $" ({definition.LegalBasis})")),
            new XElement(B + "laneSet", new XAttribute("id", "LaneSet_1"),
                lanes.Select(lane => new XElement(B + "lane", new XAttribute("id", $"Lane_{lane}"),
                    new XAttribute("name", catalog.FindAgency(lane)?.Name ?? lane),
                    nodes.Where(n => n.Lane == lane).Select(n => new XElement(B + "flowNodeRef", n.Id)),
                    definition.Steps.Where(s => s.Agency == lane).Select(s => new XElement(B + "flowNodeRef", $"Deadline_{s.Id}"))))));
        foreach (var node in nodes)
        {
            var element = new XElement(B + node.Kind, new XAttribute("id", node.Id));
            if (node.Name is not null) element.Add(new XAttribute("name", node.Name));
            if (node.Gateway is not null) element.Add(new XAttribute("gatewayDirection", node.Gateway == "converging" ? "Converging" : "Diverging"));
            if (node.Kind == "userTask" && definition.FindStep(node.Id["Task_".Length..]) is { } step)
                element.Add(new XElement(B + "documentation",
                    $"Agency: {step.Agency}. Deadline: {step.DeadlineDays} working days.{(step.When is null ? "" : $" Only when {step.When}.")}" +
                    (step.CanReturn ? " May be returned to the citizen for correction." : "")));
            element.Add(flows.Where(f => f.Target == node.Id).Select(f => new XElement(B + "incoming", f.Id)));
            element.Add(flows.Where(f => f.Source == node.Id).Select(f => new XElement(B + "outgoing", f.Id)));
            process.Add(element);
        }
        foreach (var step in definition.Steps)
            process.Add(new XElement(B + "boundaryEvent", new XAttribute("id", $"Deadline_{step.Id}"), new XAttribute("name", $"{step.DeadlineDays} working days"),
                new XAttribute("attachedToRef", Task(step.Id)), new XAttribute("cancelActivity", "false"),
                new XElement(B + "timerEventDefinition", new XAttribute("id", $"TimerDefinition_{step.Id}"),
                    new XElement(B + "timeDuration", new XAttribute(Xsi + "type", "bpmn:tFormalExpression"), $"P{step.DeadlineDays}D"))));
        foreach (var flow in flows)
        {
            var element = new XElement(B + "sequenceFlow", new XAttribute("id", flow.Id), new XAttribute("sourceRef", flow.Source), new XAttribute("targetRef", flow.Target));
            if (flow.Name is not null) element.Add(new XAttribute("name", flow.Name));
            if (flow.Condition is not null)
                element.Add(new XElement(B + "conditionExpression", new XAttribute(Xsi + "type", "bpmn:tFormalExpression"), flow.Condition));
            process.Add(element);
        }

        // Layout: columns by depth from the start, one row band per agency lane.
        const int column = 170, laneHeight = 160, left = 180;
        var position = new Dictionary<string, (double X, double Y, double W, double H)>();
        var laneRows = new Dictionary<(string, int), int>();
        foreach (var node in nodes.OrderBy(n => depth[n.Id]))
        {
            var (w, h) = node.Kind switch { "userTask" => (100, 80), "startEvent" or "endEvent" => (36, 36), _ => (50, 50) };
            var row = laneRows.GetValueOrDefault((node.Lane, depth[node.Id]));
            laneRows[(node.Lane, depth[node.Id])] = row + 1;
            var laneTop = lanes.IndexOf(node.Lane) * laneHeight;
            position[node.Id] = (left + depth[node.Id] * column + (100 - w) / 2.0, laneTop + 40 + row * 10 + (80 - h) / 2.0, w, h);
        }
        var width = left + (depth.Values.Max() + 1) * column;
        var plane = new XElement(Di + "BPMNPlane", new XAttribute("id", "Plane_1"), new XAttribute("bpmnElement", "Collaboration_1"),
            Shape("Participant_1", 30, 0, width, lanes.Count * laneHeight, horizontal: true));
        foreach (var lane in lanes) plane.Add(Shape($"Lane_{lane}", 60, lanes.IndexOf(lane) * laneHeight, width - 30, laneHeight, horizontal: true));
        foreach (var node in nodes) plane.Add(Shape(node.Id, position[node.Id].X, position[node.Id].Y, position[node.Id].W, position[node.Id].H));
        foreach (var step in definition.Steps)
        {
            var task = position[Task(step.Id)];
            plane.Add(Shape($"Deadline_{step.Id}", task.X + 64, task.Y + 62, 36, 36));
        }
        foreach (var flow in flows)
        {
            var (s, t) = (position[flow.Source], position[flow.Target]);
            var (x1, y1, x2, y2) = (s.X + s.W, s.Y + s.H / 2, t.X, t.Y + t.H / 2);
            var points = y1 == y2 ? new[] { (x1, y1), (x2, y2) } : new[] { (x1, y1), ((x1 + x2) / 2, y1), ((x1 + x2) / 2, y2), (x2, y2) };
            plane.Add(new XElement(Di + "BPMNEdge", new XAttribute("id", $"{flow.Id}_di"), new XAttribute("bpmnElement", flow.Id),
                points.Select(p => new XElement(DiD + "waypoint", new XAttribute("x", Number(p.Item1)), new XAttribute("y", Number(p.Item2))))));
        }

        var document = new XDocument(new XDeclaration("1.0", "UTF-8", null),
            new XElement(B + "definitions",
                new XAttribute(XNamespace.Xmlns + "bpmn", B), new XAttribute(XNamespace.Xmlns + "bpmndi", Di), new XAttribute(XNamespace.Xmlns + "dc", Dc),
                new XAttribute(XNamespace.Xmlns + "di", DiD), new XAttribute(XNamespace.Xmlns + "xsi", Xsi),
                new XAttribute("id", $"Definitions_{definition.Id}"), new XAttribute("targetNamespace", "urn:workflow:procedures"),
                new XAttribute("exporter", "workflow"), new XAttribute("exporterVersion", "1"),
                new XElement(B + "collaboration", new XAttribute("id", "Collaboration_1"),
                    new XElement(B + "participant", new XAttribute("id", "Participant_1"), new XAttribute("name", definition.Title),
                        new XAttribute("processRef", $"Process_{definition.Id}"))),
                process,
                new XElement(Di + "BPMNDiagram", new XAttribute("id", "Diagram_1"), plane)));
        return document.Declaration + Environment.NewLine + document.Root;
    }

    private static XElement Shape(string element, double x, double y, double w, double h, bool horizontal = false)
    {
        var shape = new XElement(Di + "BPMNShape", new XAttribute("id", $"{element}_di"), new XAttribute("bpmnElement", element));
        if (horizontal) shape.Add(new XAttribute("isHorizontal", "true"));
        shape.Add(new XElement(Dc + "Bounds", new XAttribute("x", Number(x)), new XAttribute("y", Number(y)), new XAttribute("width", Number(w)),
            new XAttribute("height", Number(h))));
        return shape;
    }

    private static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>The longest distance of each node from the start: its column.</summary>
    private static Dictionary<string, int> Depths(List<Node> nodes, List<Flow> flows)
    {
        var depth = nodes.ToDictionary(n => n.Id, _ => 0);
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var flow in flows)
                if (depth[flow.Target] < depth[flow.Source] + 1 && depth[flow.Source] < nodes.Count)
                {
                    depth[flow.Target] = depth[flow.Source] + 1;
                    changed = true;
                }
        }
        return depth;
    }
}
