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

    private const string CitizenLane = "citizen";

    private sealed record Timer(string Name, string Duration, string? Language, bool Interrupting);

    private sealed record Node(string Id, string Kind, string? Name, string Lane)
    {
        public string? Direction { get; init; }
        public string? Documentation { get; init; }
        public string? AttachedTo { get; init; }
        public Timer? Timer { get; init; }

        /// <summary>An end event drawn below the boundary event it follows rather than in a column of its own.</summary>
        public string? Below { get; init; }
    }

    private sealed record Flow(string Id, string Source, string Target, string? Name, string? Condition, bool Back = false);

    private sealed record Box(double X, double Y, double W, double H)
    {
        public double Right => X + W;
        public double Bottom => Y + H;
        public double MidX => X + W / 2;
        public double MidY => Y + H / 2;
        public bool Overlaps(Box other, double margin = 0) =>
            X < other.Right + margin && other.X < Right + margin && Y < other.Bottom + margin && other.Y < Bottom + margin;
    }

    public static string Export(WorkflowDefinition definition, WorkflowCatalog catalog)
    {
        var nodes = new List<Node>();
        var flows = new List<Flow>();
        static string Task(string step) => $"Task_{step}";
        void Connect(string source, string target, string? name = null, string? condition = null, bool back = false) =>
            flows.Add(new Flow($"Flow_{flows.Count + 1}", source, target, name, condition, back));
        string? When(string target) => definition.FindStep(target)?.When;

        nodes.Add(new Node("Start", "startEvent", "Application received", definition.Start.Agency));
        foreach (var step in definition.Steps)
            nodes.Add(new Node(Task(step.Id), "userTask", step.Title, step.Agency)
            {
                Documentation = $"Agency: {step.Agency}. Deadline: {Days(step.DeadlineDays)} of the centre's calendar." +
                                (step.When is null ? "" : $" Only when {step.When}; skipped otherwise.") +
                                (step.CanReturn ? " May be returned to the citizen for correction." : ""),
            });

        // Where the arrows into a step end: a join gateway when several branches lead to it, then a merge gateway when
        // the citizen's corrected file comes back to it, then the task itself.
        var entry = new Dictionary<string, string>();
        foreach (var step in definition.Steps)
        {
            var into = Task(step.Id);
            if (step.CanReturn)
            {
                nodes.Add(new Node($"Merge_{step.Id}", "exclusiveGateway", null, step.Agency) { Direction = "Converging" });
                Connect($"Merge_{step.Id}", into);
                into = $"Merge_{step.Id}";
            }
            var predecessors = definition.Predecessors(step.Id).ToList();
            if (predecessors.Count > 1)
            {
                var optional = predecessors.Any(p => p.When is not null) || step.When is not null || step.After.Mode != JoinMode.All;
                var join = optional ? "inclusiveGateway" : "parallelGateway";
                nodes.Add(new Node($"Join_{step.Id}", join, null, step.Agency) { Direction = "Converging" });
                Connect($"Join_{step.Id}", into);
                into = $"Join_{step.Id}";
            }
            entry[step.Id] = into;
        }

        // Each end is its own event beside the step that reaches it, so no end event joins flows or sits on another shape.
        string End(string target, string from, string lane)
        {
            var approved = target == WorkflowDefinition.Approved;
            var id = $"End_{(approved ? "approved" : "rejected")}_{from}";
            if (nodes.All(n => n.Id != id)) nodes.Add(new Node(id, "endEvent", approved ? "Approved" : "Rejected", lane));
            return id;
        }
        string Into(string target, string from, string lane) => WorkflowDefinition.IsEnd(target) ? End(target, from, lane) : entry[target];

        Connect("Start", entry[definition.Start.Id]);
        foreach (var step in definition.Steps)
        {
            var from = Task(step.Id);
            var outcomes = 1 + (step.Reject is null ? 0 : 1) + (step.CanReturn ? 1 : 0);
            string? approveName = null, approveCondition = null;
            if (outcomes > 1)
            {
                var gateway = $"Outcome_{step.Id}";
                nodes.Add(new Node(gateway, "exclusiveGateway", "Decision?", step.Agency) { Direction = "Diverging" });
                Connect(from, gateway);
                if (step.Reject is { } reject) Connect(gateway, Into(reject, step.Id, step.Agency), "reject", "outcome == 'reject'");
                if (step.CanReturn)
                {
                    var citizen = $"Citizen_{step.Id}";
                    nodes.Add(new Node(citizen, "manualTask", "Correct and resubmit", CitizenLane)
                    {
                        Documentation = $"The citizen corrects the file returned by '{step.Title}' and resubmits it at the counter; " +
                                        $"the case lapses after {definition.CorrectionDays} calendar days.",
                    });
                    Connect(gateway, citizen, "return", "outcome == 'return'");
                    Connect(citizen, $"Merge_{step.Id}", back: true);
                    nodes.Add(new Node($"Lapse_{step.Id}", "boundaryEvent", $"{definition.CorrectionDays} calendar days", CitizenLane)
                    {
                        AttachedTo = citizen,
                        Timer = new Timer($"{definition.CorrectionDays} calendar days", $"P{definition.CorrectionDays}D", null, true),
                    });
                    nodes.Add(new Node($"End_lapsed_{step.Id}", "endEvent", "Lapsed", CitizenLane) { Below = $"Lapse_{step.Id}" });
                    Connect($"Lapse_{step.Id}", $"End_lapsed_{step.Id}");
                }
                from = gateway;
                (approveName, approveCondition) = ("approve", "outcome == 'approve'");
            }
            if (step.Approve.Length == 1)
            {
                var target = step.Approve[0];
                var name = When(target) is { } w ? (approveName is null ? $"when {w}" : $"approve, when {w}") : approveName;
                var condition = When(target) is { } c ? (approveCondition is null ? c : $"{approveCondition} and ({c})") : approveCondition;
                Connect(from, Into(target, step.Id, step.Agency), name, condition);
            }
            else
            {
                var conditional = step.Approve.Count(t => When(t) is not null);
                var kind = conditional == step.Approve.Length ? "exclusiveGateway"
                    : conditional == 0 ? "parallelGateway" : "inclusiveGateway";
                var split = $"Split_{step.Id}";
                var question = kind == "parallelGateway" ? null : "Which apply?";
                nodes.Add(new Node(split, kind, question, step.Agency) { Direction = "Diverging" });
                Connect(from, split, approveName, approveCondition);
                foreach (var target in step.Approve)
                    Connect(split, Into(target, step.Id, step.Agency), kind == "parallelGateway" ? null : When(target) ?? "always",
                        kind == "parallelGateway" ? null : When(target) ?? "true");
            }

            nodes.Add(new Node($"Deadline_{step.Id}", "boundaryEvent", Days(step.DeadlineDays), step.Agency)
            {
                AttachedTo = Task(step.Id),
                Timer = new Timer(Days(step.DeadlineDays), Days(step.DeadlineDays), WorkingDaysLanguage, false),
            });
            nodes.Add(new Node($"Escalated_{step.Id}", "endEvent", "Escalated", step.Agency) { Below = $"Deadline_{step.Id}" });
            Connect($"Deadline_{step.Id}", $"Escalated_{step.Id}");
        }

        var lanes = new List<string>();
        if (nodes.Any(n => n.Lane == CitizenLane)) lanes.Add(CitizenLane);
        lanes.AddRange(definition.Steps.Select(s => s.Agency).Distinct());
        string LaneName(string lane) => lane == CitizenLane ? "Citizen" : catalog.FindAgency(lane)?.Name ?? lane;
        // Agency codes are free text in agencies.yaml, and an XML id may hold only name characters: anything else
        // becomes '_', and a code that comes out like an earlier one gets a number.
        var laneIds = new Dictionary<string, string>();
        foreach (var lane in lanes)
        {
            var id = "Lane_" + NotName().Replace(lane, "_");
            for (var n = 2; laneIds.ContainsValue(id); n++) id = $"Lane_{NotName().Replace(lane, "_")}_{n}";
            laneIds[lane] = id;
        }

        var processId = $"Process_{NotName().Replace(definition.Id, "_")}";
        var process = new XElement(B + "process", new XAttribute("id", processId), new XAttribute("isExecutable", "false"),
            new XElement(B + "documentation",
                $"{definition.Title}, version {definition.Version}; legal deadline {Days(definition.DeadlineDays)} " +
                "counted from the completeness check" + (definition.LegalBasis is null ? "" : $" ({definition.LegalBasis})") +
                ". Deadline timers are in working days of the centre's calendar, not calendar days."),
            new XElement(B + "laneSet", new XAttribute("id", "LaneSet_1"),
                lanes.Select(lane => new XElement(B + "lane", new XAttribute("id", laneIds[lane]), new XAttribute("name", LaneName(lane)),
                    nodes.Where(n => n.Lane == lane).Select(n => new XElement(B + "flowNodeRef", n.Id))))));
        foreach (var node in nodes)
        {
            var element = new XElement(B + node.Kind, new XAttribute("id", node.Id));
            if (node.Name is not null) element.Add(new XAttribute("name", node.Name));
            if (node.Direction is not null) element.Add(new XAttribute("gatewayDirection", node.Direction));
            if (node.AttachedTo is not null)
                element.Add(new XAttribute("attachedToRef", node.AttachedTo),
                    new XAttribute("cancelActivity", node.Timer!.Interrupting ? "true" : "false"));
            if (node.Documentation is not null) element.Add(new XElement(B + "documentation", node.Documentation));
            element.Add(flows.Where(f => f.Target == node.Id).Select(f => new XElement(B + "incoming", f.Id)));
            element.Add(flows.Where(f => f.Source == node.Id).Select(f => new XElement(B + "outgoing", f.Id)));
            if (node.Timer is { } timer)
            {
                var duration = new XElement(B + "timeDuration", new XAttribute(Xsi + "type", "bpmn:tFormalExpression"), timer.Duration);
                if (timer.Language is not null) duration.Add(new XAttribute("language", timer.Language));
                element.Add(new XElement(B + "timerEventDefinition", new XAttribute("id", $"TimerDefinition_{node.Id}"), duration));
            }
            process.Add(element);
        }
        foreach (var flow in flows)
        {
            var element = new XElement(B + "sequenceFlow", new XAttribute("id", flow.Id), new XAttribute("sourceRef", flow.Source),
                new XAttribute("targetRef", flow.Target));
            if (flow.Name is not null) element.Add(new XAttribute("name", flow.Name));
            if (flow.Condition is not null)
                element.Add(new XElement(B + "conditionExpression", new XAttribute(Xsi + "type", "bpmn:tFormalExpression"),
                    flow.Condition));
            process.Add(element);
        }

        var plane = Layout(nodes, flows, lanes, LaneName, laneIds);
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

    private static string Days(int days) => $"{days} working day{(days == 1 ? "" : "s")}";

    // Text metrics of the bpmn.io renderer (12 px inside tasks, 11 px external labels), rounded up so text never spills.
    private const double TaskWidth = 150, TaskCharWidth = 7, TaskLineHeight = 15;
    private const double LabelWidth = 100, LabelCharWidth = 6.2, LabelLineHeight = 14;

    /// <summary>How many lines a text takes when wrapped at word boundaries into a given number of characters per line.</summary>
    public static int WrappedLines(string text, int perLine)
    {
        var lines = 1;
        var used = 0;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var length = word.Length;
            if (used > 0 && used + 1 + length > perLine) { lines++; used = 0; }
            used += (used > 0 ? 1 : 0) + length;
            while (used > perLine) { lines++; used -= perLine; }
        }
        return lines;
    }

    /// <summary>The height a task needs so that its name, wrapped to its width, stays inside the box.</summary>
    public static double TaskHeight(string name) =>
        Math.Max(80, WrappedLines(name, (int)((TaskWidth - 10) / TaskCharWidth)) * TaskLineHeight + 20);

    private static (double W, double H) LabelSize(string text)
    {
        var perLine = (int)((LabelWidth - 6) / LabelCharWidth);
        var lines = WrappedLines(text, perLine);
        var width = lines == 1 ? text.Length * LabelCharWidth + 6 : LabelWidth;
        return (Math.Ceiling(width), lines * LabelLineHeight + 2);
    }

    /// <summary>
    /// Columns by the longest distance from the start (return flows do not count), one band per lane, nodes of the same
    /// lane and column stacked. Deadline timers sit on their task's lower edge with their end event below them. Labels
    /// go to the first place along their element or flow that touches no shape and no other label.
    /// </summary>
    private static XElement Layout(List<Node> nodes, List<Flow> flows, List<string> lanes, Func<string, string> laneName,
        Dictionary<string, string> laneIds)
    {
        const double left = 30, laneStrip = 30, gap = 120, pad = 30;
        var grid = nodes.Where(n => n.AttachedTo is null && n.Below is null).ToList();
        var forward = flows.Where(f => !f.Back && grid.Any(n => n.Id == f.Source)).ToList();
        var depth = grid.ToDictionary(n => n.Id, _ => 0);
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var flow in forward)
                if (depth.ContainsKey(flow.Target) && depth[flow.Target] < depth[flow.Source] + 1 && depth[flow.Source] < grid.Count)
                {
                    depth[flow.Target] = depth[flow.Source] + 1;
                    changed = true;
                }
        }
        (double W, double H) Size(Node n) => n.Kind switch
        {
            "userTask" or "manualTask" => (TaskWidth, TaskHeight(n.Name ?? "")),
            "startEvent" or "endEvent" or "boundaryEvent" => (36, 36),
            _ => (50, 50),
        };
        // Room below a shape: a task's timer and its end event with label, an event's or gateway's own label.
        double Below(Node n) => n.Kind is "userTask" or "manualTask" ? 100 : 50;

        var columns = depth.Values.Max() + 1;
        var columnWidth = Enumerable.Range(0, columns)
            .Select(c => grid.Where(n => depth[n.Id] == c).Select(n => Size(n).W).DefaultIfEmpty(50).Max()).ToList();
        var columnX = new List<double>();
        for (double x = left + laneStrip + 60, c = 0; c < columns; x += columnWidth[(int)c] + gap, c++) columnX.Add(x);

        var box = new Dictionary<string, Box>();
        var laneBox = new Dictionary<string, Box>();
        var laneTop = 0.0;
        foreach (var lane in lanes)
        {
            var members = grid.Where(n => n.Lane == lane).ToList();
            var rowHeight = members.Select(n => Size(n).H).DefaultIfEmpty(80).Max();
            var bottom = laneTop + pad;
            foreach (var column in members.GroupBy(n => depth[n.Id]))
            {
                var y = laneTop + pad;
                var first = true;
                foreach (var node in column)
                {
                    var (w, h) = Size(node);
                    var slot = first ? rowHeight : h;
                    box[node.Id] = new Box(columnX[column.Key] + (columnWidth[column.Key] - w) / 2, y + (slot - h) / 2, w, h);
                    y += slot + Below(node);
                    first = false;
                }
                bottom = Math.Max(bottom, y);
            }
            var height = Math.Max(bottom - laneTop, laneName(lane).Length * TaskCharWidth + 40);
            laneBox[lane] = new Box(left + laneStrip, laneTop, 0, height);
            laneTop += height;
        }
        var width = columnX[^1] + columnWidth[^1] + gap - left;

        foreach (var node in nodes.Where(n => n.AttachedTo is not null))
        {
            var host = box[node.AttachedTo!];
            box[node.Id] = new Box(host.Right - 56, host.Bottom - 18, 36, 36);
        }
        foreach (var node in nodes.Where(n => n.Below is not null))
        {
            var timer = box[node.Below!];
            box[node.Id] = new Box(timer.X, timer.Bottom + 24, 36, 36);
        }

        // Right angles only. Each flow takes the first of a few routes that passes through no shape but its own ends: out of
        // the source's right side into the target's left side through the gap after the source's column, or the gap before
        // the target's, or along the top margin of a lane; a return to the citizen climbs a gap; a corrected file comes back
        // over the top of the citizen's lane and down the gap left of the merge gateway; a timer drops to its end event.
        var laneOf = nodes.ToDictionary(n => n.Id, n => n.Lane);
        var hostOf = nodes.Where(n => n.AttachedTo is not null).ToDictionary(n => n.Id, n => n.AttachedTo!);
        IEnumerable<List<(double X, double Y)>> Candidates(Flow flow)
        {
            var (s, t) = (box[flow.Source], box[flow.Target]);
            if (flow.Back)
            {
                var over = Math.Min(s.Y, t.Y) - 12;
                var down = columnX[depth[flow.Target]] - 40;
                yield return [(s.MidX, s.Y), (s.MidX, over), (down, over), (down, t.Y - 15), (t.MidX, t.Y - 15), (t.MidX, t.Y)];
                yield break;
            }
            if (!depth.ContainsKey(flow.Source))
            {
                yield return [(s.MidX, s.Bottom), (t.MidX, t.Y)];
                yield break;
            }
            var column = depth[flow.Source];
            var afterSource = columnX[column] + columnWidth[column] + 24;
            if (t.Bottom <= s.Y && t.X > s.Right)
            {
                yield return [(s.MidX, s.Y), (s.MidX, t.MidY), (t.X, t.MidY)];
                var climb = afterSource + 24;
                yield return [(s.MidX, s.Y), (s.MidX, s.Y - 15), (climb, s.Y - 15), (climb, t.MidY), (t.X, t.MidY)];
                yield break;
            }
            var (x1, y1, x2, y2) = (s.Right, s.MidY, t.X, t.MidY);
            var beforeTarget = depth.TryGetValue(flow.Target, out var targetColumn) ? columnX[targetColumn] - 24 : x2 - 24;
            if (Math.Abs(y1 - y2) < 0.5) yield return [(x1, y1), (x2, y2)];
            if (afterSource < x2) yield return [(x1, y1), (afterSource, y1), (afterSource, y2), (x2, y2)];
            if (beforeTarget > x1) yield return [(x1, y1), (beforeTarget, y1), (beforeTarget, y2), (x2, y2)];
            if (afterSource < beforeTarget)
            {
                var margins = new[] { laneBox[laneOf[flow.Target]].Y, laneBox[laneOf[flow.Source]].Y }
                    .Concat(laneBox.Values.Select(l => l.Y));
                foreach (var y in margins.Select(m => m + 10))
                    yield return [(x1, y1), (afterSource, y1), (afterSource, y), (beforeTarget, y), (beforeTarget, y2), (x2, y2)];
            }
            yield return [(x1, y1), ((x1 + x2) / 2, y1), ((x1 + x2) / 2, y2), (x2, y2)];
        }
        bool Crosses(Flow flow, List<(double X, double Y)> points)
        {
            var own = new HashSet<string> { flow.Source, flow.Target };
            if (hostOf.TryGetValue(flow.Source, out var attachedTo)) own.Add(attachedTo);
            foreach (var ((ax, ay), (zx, zy)) in points.Zip(points.Skip(1)))
            {
                var segment = new Box(Math.Min(ax, zx), Math.Min(ay, zy), Math.Abs(zx - ax), Math.Abs(zy - ay));
                if (box.Any(b => !own.Contains(b.Key) && !(hostOf.TryGetValue(b.Key, out var h) && own.Contains(h))
                                 && segment.X < b.Value.Right - 1 && b.Value.X + 1 < segment.Right
                                 && segment.Y < b.Value.Bottom - 1 && b.Value.Y + 1 < segment.Bottom))
                    return true;
            }
            return false;
        }
        var routes = flows.ToDictionary(f => f.Id, f =>
        {
            var options = Candidates(f).ToList();
            return options.FirstOrDefault(o => !Crosses(f, o)) ?? options[0];
        });

        var obstacles = box.Values.ToList();
        var labels = new Dictionary<string, Box>();
        Box Place(IEnumerable<Box> candidates)
        {
            var all = candidates.ToList();
            var chosen = all.FirstOrDefault(c => c.X >= left + laneStrip && c.Y >= 0 && c.Bottom <= laneTop
                                                 && !obstacles.Any(o => o.Overlaps(c, 3))
                                                 && !labels.Values.Any(l => l.Overlaps(c, 3))) ?? all[0];
            return chosen;
        }
        foreach (var node in nodes.Where(n => n.Name is not null && n.Kind is not ("userTask" or "manualTask")))
        {
            var (w, h) = LabelSize(node.Name!);
            var b = box[node.Id];
            // A timer's own flow leaves from its lower side, so its label goes beside it.
            var beside = node.AttachedTo is not null ? new[] { new Box(b.Right + 4, b.MidY + 4, w, h) } : [];
            labels[node.Id] = Place([
                .. beside, new Box(b.MidX - w / 2, b.Bottom + 4, w, h), new Box(b.Right + 4, b.MidY - h / 2, w, h),
                new Box(b.MidX - w / 2, b.Y - h - 4, w, h), new Box(b.X - w - 4, b.MidY - h / 2, w, h),
                new Box(b.Right + 4, b.Bottom + 4, w, h), new Box(b.X - w - 4, b.Bottom + 4, w, h),
            ]);
        }
        foreach (var flow in flows.Where(f => f.Name is not null))
        {
            var (w, h) = LabelSize(flow.Name!);
            var points = routes[flow.Id];
            var candidates = new List<Box>();
            for (var i = points.Count - 1; i > 0; i--)
            {
                var (a, z) = (points[i - 1], points[i]);
                foreach (var t in new[] { 0.5, 0.3, 0.7, 0.15, 0.85, 0.05, 0.95 })
                {
                    var (x, y) = (a.X + (z.X - a.X) * t, a.Y + (z.Y - a.Y) * t);
                    if (Math.Abs(a.Y - z.Y) < 0.5)
                        candidates.AddRange([new Box(x - w / 2, y - h - 3, w, h), new Box(x - w / 2, y + 3, w, h)]);
                    else candidates.AddRange([new Box(x + 4, y - h / 2, w, h), new Box(x - w - 4, y - h / 2, w, h)]);
                }
            }
            // Where flows crowd into one target, labels step away from the line rather than lie on each other.
            var near = candidates.Take(4).ToList();
            for (var offset = 8; offset <= 240; offset += 8)
                foreach (var c in near)
                    candidates.AddRange([c with { Y = c.Y - offset }, c with { Y = c.Y + offset }, c with { X = c.X - offset }]);
            labels[flow.Id] = Place(candidates);
        }

        var plane = new XElement(Di + "BPMNPlane", new XAttribute("id", "Plane_1"), new XAttribute("bpmnElement", "Collaboration_1"),
            Shape("Participant_1", new Box(left, 0, width, laneTop), horizontal: true));
        foreach (var lane in lanes)
            plane.Add(Shape(laneIds[lane], laneBox[lane] with { W = width - laneStrip }, horizontal: true));
        foreach (var node in nodes)
            plane.Add(Shape(node.Id, box[node.Id], label: labels.GetValueOrDefault(node.Id)));
        foreach (var flow in flows)
        {
            var edge = new XElement(Di + "BPMNEdge", new XAttribute("id", $"{flow.Id}_di"), new XAttribute("bpmnElement", flow.Id),
                routes[flow.Id].Select(p =>
                    new XElement(DiD + "waypoint", new XAttribute("x", Number(p.X)), new XAttribute("y", Number(p.Y)))));
            if (labels.TryGetValue(flow.Id, out var label)) edge.Add(Label(label));
            plane.Add(edge);
        }
        return plane;
    }

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
