using System.Collections.Immutable;
using Workflow.Core.Definitions;

namespace Workflow.Design;

/// <summary>A rectangle of the drawing, in pixels from its top left corner.</summary>
public sealed record Box(double X, double Y, double W, double H)
{
    public double Right => X + W;
    public double Bottom => Y + H;
    public double MidX => X + W / 2;
    public double MidY => Y + H / 2;

    public bool Overlaps(Box other, double margin = 0) =>
        X < other.Right + margin && other.X < Right + margin && Y < other.Bottom + margin && other.Y < Bottom + margin;

    public bool Contains(Box other) => other.X >= X && other.Right <= Right && other.Y >= Y && other.Bottom <= Bottom;

    public Box Move(double dx, double dy) => this with { X = X + dx, Y = Y + dy };
}

public readonly record struct Point(double X, double Y);

/// <summary>What a drawn node stands for. Gateways say which of the four jobs they do; end events which end.</summary>
public enum NodeKind
{
    Start, Step, Correction, Merge, Join, Decision, Split, DeadlineTimer, LapseTimer, Approved, Rejected, Escalated, Lapsed,
}

public enum GatewayType { Exclusive, Parallel, Inclusive }

/// <summary>
/// A flow of the procedure (<see cref="Flow"/>), the file going back to the citizen (<see cref="Return"/>), the corrected
/// file coming back to the counter (<see cref="Resubmit"/>), or a timer leading to its end (<see cref="Timer"/>).
/// </summary>
public enum EdgeKind { Flow, Return, Resubmit, Timer }

/// <summary>One lane: an agency's, or the citizen's when <see cref="Agency"/> is null.</summary>
public sealed record LayoutLane(string? Agency, Box Box)
{
    public bool IsCitizen => Agency is null;
}

/// <summary>
/// One shape. <see cref="Step"/> is the step it belongs to (its task, the gateways around it, its timer, the citizen's
/// correction of it and the ends it leads to); <see cref="Label"/> is where its name goes, for every shape but tasks,
/// whose names go inside them.
/// </summary>
public sealed record LayoutNode(string Id, NodeKind Kind, string? Name, int Lane, Box Box)
{
    public string? Step { get; init; }
    public GatewayType Gateway { get; init; }
    public string? AttachedTo { get; init; }
    public Box? Label { get; init; }

    /// <summary>A timer's days: working days of a step's deadline, calendar days of the citizen's correction.</summary>
    public int Days { get; init; }

    public bool IsGateway => Kind is NodeKind.Merge or NodeKind.Join or NodeKind.Decision or NodeKind.Split;
    public bool IsEvent => !IsGateway && Kind is not (NodeKind.Step or NodeKind.Correction);
    public bool IsTask => Kind is NodeKind.Step or NodeKind.Correction;
}

/// <summary>
/// One arrow, as right-angled waypoints from the border of its source to the border of its target. <see cref="Name"/>
/// is its label in English (as the BPMN export writes it); <see cref="Outcome"/> (approve, reject, return),
/// <see cref="When"/> (the condition of the step it leads to) and <see cref="Always"/> let a drawing say the same in
/// another language. <see cref="Label"/> is where its label goes (null when it has none): left of the shape it leads
/// to, above the line it arrives on.
/// </summary>
public sealed record LayoutEdge(string Id, string Source, string Target, EdgeKind Kind, ImmutableArray<Point> Points)
{
    public string? Name { get; init; }
    public string? Condition { get; init; }
    public string? Outcome { get; init; }
    public string? When { get; init; }
    public bool Always { get; init; }
    public Box? Label { get; init; }
}

/// <summary>The whole drawing: the lanes from top to bottom, every shape and arrow, and its size.</summary>
public sealed record ProcedureLayout(ImmutableArray<LayoutLane> Lanes, ImmutableArray<LayoutNode> Nodes,
    ImmutableArray<LayoutEdge> Edges, double Width, double Height)
{
    /// <summary>The pool around the lanes; its left strip holds the procedure's name.</summary>
    public Box Participant => new(0, 0, Width, Height);

    public LayoutNode Node(string id) => Nodes.First(n => n.Id == id);
}

/// <summary>
/// One layout for every drawing of a procedure: the BPMN export's diagram, the case page's map and the designers'
/// procedure page. Lanes run left to right, one per agency in the order the steps first name them, with the citizen's
/// on top. Shapes sit in a grid: a column per distance from the start, a row per shape of the same lane and column.
/// When the columns would be wider than <see cref="MaxWidth"/>, they wrap: the flow goes on in a further row of the
/// same lanes, so lanes stay whole rectangles and the drawing grows downwards, never sideways.
/// </summary>
/// <remarks>
/// Arrows run only in the channels between columns and between rows, where no shape is, entering their target from
/// the left (a corrected file comes back from above) and leaving their source to the right, so no arrow crosses a shape.
/// A shape's name and the labels of the arrows into it are placed in the shape's own cell, beside it, so no label
/// covers a shape or another label. Text sizes are those of the bpmn.io renderer (12 px inside tasks, 11 px labels).
/// </remarks>
public static class Layout
{
    /// <summary>The widest drawing: the case page's column at a 1280 px wide window (72 rem less its padding).</summary>
    public const double MaxWidth = 1100;

    public const double TaskWidth = 130, TaskCharWidth = 7, TaskLineHeight = 15;
    public const double LabelWidth = 100, LabelCharWidth = 6.2, LabelLineHeight = 14;

    /// <summary>Room for two lines under a step's title: its state on a map (due date, holder).</summary>
    public const double NoteHeight = 30;

    private const double PoolStrip = 30, LaneStrip = 30, Header = 20, Channel = 36, TrackGap = 8, MinChannel = 16;
    private const double GatewaySize = 44, EventSize = 36, NameWidth = 80, TimerWidth = 76, MaxChannel = 40;

    /// <summary>The characters of a task's title on one line.</summary>
    public static int TaskLineChars => (int)((TaskWidth - 10) / TaskCharWidth);

    /// <summary>How many lines a text takes when wrapped at word boundaries into a given number of characters per line.</summary>
    public static int WrappedLines(string text, int perLine) => Wrap(text, perLine).Count;

    /// <summary>A text wrapped at word boundaries; a word longer than a line is cut.</summary>
    public static IReadOnlyList<string> Wrap(string text, int perLine)
    {
        perLine = Math.Max(1, perLine);
        var lines = new List<string>();
        var line = "";
        foreach (var whole in text.Split([' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            var word = whole;
            if (line.Length > 0 && line.Length + 1 + word.Length > perLine)
            {
                lines.Add(line);
                line = "";
            }
            while (word.Length > perLine)
            {
                lines.Add(word[..perLine]);
                word = word[perLine..];
            }
            line = line.Length > 0 ? $"{line} {word}" : word;
        }
        if (line.Length > 0 || lines.Count == 0) lines.Add(line);
        return lines;
    }

    /// <summary>The height a task needs so that its name, wrapped to its width, stays inside with room for a note.</summary>
    public static double TaskHeight(string name) => Math.Max(80, WrappedLines(name, TaskLineChars) * TaskLineHeight + 16 + NoteHeight);

    /// <summary>The box of an outside label: one line as wide as its text, longer texts wrapped to a width.</summary>
    public static (double W, double H) LabelSize(string text, double maxWidth = LabelWidth)
    {
        var perLine = (int)((maxWidth - 6) / LabelCharWidth);
        var lines = Wrap(text, perLine);
        var width = lines.Count == 1 ? lines[0].Length * LabelCharWidth + 6 : maxWidth;
        return (Math.Ceiling(width), lines.Count * LabelLineHeight + 2);
    }

    public static ProcedureLayout Of(WorkflowDefinition definition, double maxWidth = MaxWidth)
    {
        var graph = Graph.Build(definition);
        var placed = new Placement(graph);
        ProcedureLayout? widest = null;
        for (var columns = placed.Layers; columns >= 1; columns--)
        {
            var layout = placed.Arrange(columns);
            widest ??= layout;
            if (layout.Width > maxWidth && columns > 1) continue;
            // As many rows of columns as needed, each as full as the others: 14 columns in three rows of 5, 5 and 4.
            var tiers = (placed.Layers + columns - 1) / columns;
            var even = (placed.Layers + tiers - 1) / tiers;
            return even < columns ? placed.Arrange(even) : layout;
        }
        return widest!;
    }

    /// <summary>The shapes and arrows of a procedure, before they have places.</summary>
    internal sealed class Graph
    {
        public List<LayoutNode> Nodes { get; } = [];
        public List<LayoutEdge> Edges { get; } = [];
        public List<string?> Lanes { get; } = [];

        private int LaneOf(string? agency)
        {
            var index = Lanes.IndexOf(agency);
            return index >= 0 ? index : throw new InvalidOperationException($"no lane for {agency}");
        }

        private void Add(string id, NodeKind kind, string? name, string? agency, string? step, GatewayType gateway = default,
            string? attachedTo = null, int days = 0) =>
            Nodes.Add(new LayoutNode(id, kind, name, LaneOf(agency), new Box(0, 0, 0, 0))
            {
                Step = step, Gateway = gateway, AttachedTo = attachedTo, Days = days,
            });

        private void Connect(string source, string target, EdgeKind kind = EdgeKind.Flow, string? name = null,
            string? condition = null, string? outcome = null, string? when = null, bool always = false) =>
            Edges.Add(new LayoutEdge($"Flow_{Edges.Count + 1}", source, target, kind, [])
            {
                Name = name, Condition = condition, Outcome = outcome, When = when, Always = always,
            });

        /// <summary>
        /// The shapes the BPMN export writes, in its order (the flows are numbered in it): a task per step; a merge
        /// gateway before a step the citizen's corrected file comes back to and a join before a step several branches
        /// lead to; after a step a decision gateway when it has several outcomes and a split when approval starts
        /// several branches; the citizen's correction with its lapse timer; each step's deadline timer and escalation.
        /// </summary>
        public static Graph Build(WorkflowDefinition definition)
        {
            var g = new Graph();
            if (definition.Steps.Any(s => s.CanReturn)) g.Lanes.Add(null);
            foreach (var agency in definition.Steps.Select(s => s.Agency).Distinct()) g.Lanes.Add(agency);
            static string Task(string step) => $"Task_{step}";
            string? When(string target) => definition.FindStep(target)?.When;

            g.Add("Start", NodeKind.Start, "Application received", definition.Start.Agency, null);
            foreach (var step in definition.Steps) g.Add(Task(step.Id), NodeKind.Step, step.Title, step.Agency, step.Id);

            var entry = new Dictionary<string, string>();
            foreach (var step in definition.Steps)
            {
                var into = Task(step.Id);
                if (step.CanReturn)
                {
                    g.Add($"Merge_{step.Id}", NodeKind.Merge, null, step.Agency, step.Id);
                    g.Connect($"Merge_{step.Id}", into);
                    into = $"Merge_{step.Id}";
                }
                var predecessors = definition.Predecessors(step.Id).ToList();
                if (predecessors.Count > 1)
                {
                    var optional = predecessors.Any(p => p.When is not null) || step.When is not null || step.After.Mode != JoinMode.All;
                    g.Add($"Join_{step.Id}", NodeKind.Join, null, step.Agency, step.Id, optional ? GatewayType.Inclusive : GatewayType.Parallel);
                    g.Connect($"Join_{step.Id}", into);
                    into = $"Join_{step.Id}";
                }
                entry[step.Id] = into;
            }

            // Each end is its own event beside the step that reaches it, so no end event joins flows.
            string End(string target, string from, string agency)
            {
                var approved = target == WorkflowDefinition.Approved;
                var id = $"End_{(approved ? "approved" : "rejected")}_{from}";
                if (g.Nodes.All(n => n.Id != id))
                    g.Add(id, approved ? NodeKind.Approved : NodeKind.Rejected, approved ? "Approved" : "Rejected", agency, from);
                return id;
            }
            string Into(string target, string from, string agency) => WorkflowDefinition.IsEnd(target) ? End(target, from, agency) : entry[target];

            g.Connect("Start", entry[definition.Start.Id]);
            foreach (var step in definition.Steps)
            {
                var from = Task(step.Id);
                var outcomes = 1 + (step.Reject is null ? 0 : 1) + (step.CanReturn ? 1 : 0);
                string? approveName = null, approveCondition = null, approveOutcome = null;
                if (outcomes > 1)
                {
                    var gateway = $"Outcome_{step.Id}";
                    g.Add(gateway, NodeKind.Decision, "Decision?", step.Agency, step.Id);
                    g.Connect(from, gateway);
                    if (step.Reject is { } reject)
                        g.Connect(gateway, Into(reject, step.Id, step.Agency), name: "reject", condition: "outcome == 'reject'",
                            outcome: "reject");
                    if (step.CanReturn)
                    {
                        var citizen = $"Citizen_{step.Id}";
                        g.Add(citizen, NodeKind.Correction, "Correct and resubmit", null, step.Id);
                        g.Connect(gateway, citizen, EdgeKind.Return, "return", "outcome == 'return'", "return");
                        g.Connect(citizen, $"Merge_{step.Id}", EdgeKind.Resubmit);
                        var window = $"{definition.CorrectionDays} calendar days";
                        g.Add($"Lapse_{step.Id}", NodeKind.LapseTimer, window, null, step.Id, attachedTo: citizen,
                            days: definition.CorrectionDays);
                        g.Add($"End_lapsed_{step.Id}", NodeKind.Lapsed, "Lapsed", null, step.Id);
                        g.Connect($"Lapse_{step.Id}", $"End_lapsed_{step.Id}", EdgeKind.Timer);
                    }
                    from = gateway;
                    (approveName, approveCondition, approveOutcome) = ("approve", "outcome == 'approve'", "approve");
                }
                if (step.Approve.Length == 1)
                {
                    var target = step.Approve[0];
                    var when = When(target);
                    var name = when is not null ? (approveName is null ? $"when {when}" : $"approve, when {when}") : approveName;
                    var condition = when is not null ? (approveCondition is null ? when : $"{approveCondition} and ({when})") : approveCondition;
                    g.Connect(from, Into(target, step.Id, step.Agency), name: name, condition: condition, outcome: approveOutcome, when: when);
                }
                else
                {
                    var conditional = step.Approve.Count(t => When(t) is not null);
                    var type = conditional == step.Approve.Length ? GatewayType.Exclusive
                        : conditional == 0 ? GatewayType.Parallel : GatewayType.Inclusive;
                    var split = $"Split_{step.Id}";
                    g.Add(split, NodeKind.Split, type == GatewayType.Parallel ? null : "Which apply?", step.Agency, step.Id, type);
                    g.Connect(from, split, name: approveName, condition: approveCondition, outcome: approveOutcome);
                    foreach (var target in step.Approve)
                    {
                        var parallel = type == GatewayType.Parallel;
                        g.Connect(split, Into(target, step.Id, step.Agency), name: parallel ? null : When(target) ?? "always",
                            condition: parallel ? null : When(target) ?? "true", when: parallel ? null : When(target),
                            always: !parallel && When(target) is null);
                    }
                }

                var deadline = $"{step.DeadlineDays} working day{(step.DeadlineDays == 1 ? "" : "s")}";
                g.Add($"Deadline_{step.Id}", NodeKind.DeadlineTimer, deadline, step.Agency, step.Id, attachedTo: Task(step.Id),
                    days: step.DeadlineDays);
                g.Add($"Escalated_{step.Id}", NodeKind.Escalated, "Escalated", step.Agency, step.Id);
                g.Connect($"Deadline_{step.Id}", $"Escalated_{step.Id}", EdgeKind.Timer);
            }
            return g;
        }
    }

    /// <summary>A shape and what it carries in its cell, relative to the shape's top left corner.</summary>
    private sealed record Block(LayoutNode Node, Box Shape, Box? Name, Dictionary<string, Box> EdgeLabels,
        List<(LayoutNode Node, Box Shape, Box? Name)> Attached)
    {
        public IEnumerable<Box> All => [Shape, .. Name is null ? Array.Empty<Box>() : [Name], .. EdgeLabels.Values,
            .. Attached.SelectMany(a => a.Name is null ? new[] { a.Shape } : [a.Shape, a.Name])];
        public double Left => -All.Min(b => b.X);
        public double Width => All.Max(b => b.Right) + Left;
        public double Above => Shape.H / 2 - All.Min(b => b.Y);
        public double Below => All.Max(b => b.Bottom) - Shape.H / 2;
    }

    private sealed class Placement
    {
        private readonly Graph graph;
        private readonly Dictionary<string, Block> blocks = [];
        private readonly Dictionary<string, int> layer = [];
        private readonly List<LayoutNode> grid;
        private readonly Dictionary<string, int> order = [];

        public int Layers { get; }

        public Placement(Graph graph)
        {
            this.graph = graph;
            var inBlock = graph.Nodes.Where(n => n.AttachedTo is not null || n.Kind is NodeKind.Escalated or NodeKind.Lapsed)
                .Select(n => n.Id).ToHashSet();
            grid = [.. graph.Nodes.Where(n => !inBlock.Contains(n.Id))];
            for (var i = 0; i < graph.Nodes.Count; i++) order[graph.Nodes[i].Id] = i;

            // Columns by the longest distance from the start; the corrected file's way back does not count.
            foreach (var node in grid) layer[node.Id] = 0;
            var forward = graph.Edges.Where(e => e.Kind != EdgeKind.Resubmit && layer.ContainsKey(e.Source) && layer.ContainsKey(e.Target))
                .ToList();
            for (var changed = true; changed;)
            {
                changed = false;
                foreach (var edge in forward)
                    if (layer[edge.Target] < layer[edge.Source] + 1 && layer[edge.Source] < grid.Count)
                    {
                        layer[edge.Target] = layer[edge.Source] + 1;
                        changed = true;
                    }
            }
            Layers = layer.Values.Max() + 1;
            foreach (var node in grid) blocks[node.Id] = MakeBlock(node);
        }

        private static (double W, double H) Size(LayoutNode n) => n.Kind switch
        {
            NodeKind.Step or NodeKind.Correction => (TaskWidth, TaskHeight(n.Name ?? "")),
            _ when n.IsGateway => (GatewaySize, GatewaySize),
            _ => (EventSize, EventSize),
        };

        private Block MakeBlock(LayoutNode node)
        {
            var (w, h) = Size(node);
            var shape = new Box(0, 0, w, h);
            Box? name = null;
            if (node.Name is not null && !node.IsTask)
            {
                var (lw, lh) = LabelSize(node.Name, NameWidth);
                name = new Box(w / 2 - lw / 2, h + 4, lw, lh);
            }
            // The labels of the arrows coming in stand left of the shape, above the line they arrive on, the first nearest.
            var labels = new Dictionary<string, Box>();
            var bottom = h / 2 - 4;
            foreach (var edge in graph.Edges.Where(e => e.Target == node.Id && e.Name is not null && e.Kind != EdgeKind.Timer))
            {
                var (lw, lh) = LabelSize(edge.Name!);
                labels[edge.Id] = new Box(-6 - lw, bottom - lh, lw, lh);
                bottom -= lh + 4;
            }
            var attached = new List<(LayoutNode, Box, Box?)>();
            if (node.IsTask)
            {
                // The timer sits on the task's lower edge near its right corner; its end event below it, named below,
                // and the timer's own name left of the line between them.
                var timer = graph.Nodes.Single(n => n.AttachedTo == node.Id);
                var end = graph.Nodes.Single(n => n.Id == graph.Edges.Single(e => e.Source == timer.Id).Target);
                var timerBox = new Box(w - 46, h - 18, EventSize, EventSize);
                var (tw, th) = LabelSize(timer.Name!, TimerWidth);
                var endBox = new Box(w - 46, h + Math.Max(36, th + 8), EventSize, EventSize);
                var (ew, eh) = LabelSize(end.Name!, NameWidth);
                attached.Add((timer, timerBox, new Box(timerBox.X - 4 - tw, h + 4, tw, th)));
                attached.Add((end, endBox, new Box(endBox.MidX - ew / 2, endBox.Bottom + 4, ew, eh)));
            }
            return new Block(node, shape, name, labels, attached);
        }

        private sealed record Cell(int Column, int Row);

        private abstract record Channel;

        private sealed record Vertical(int Column) : Channel;

        private sealed record Horizontal(int Row) : Channel;

        /// <summary>A run of an arrow along a channel, on a track shared by the arrows with the same key.</summary>
        private sealed record Run(Channel Channel, string Key, int Rank);

        public ProcedureLayout Arrange(int columns)
        {
            // Rows: each lane's shapes by tier (how often the columns wrapped) and then one row per shape sharing a cell.
            var cell = new Dictionary<string, Cell>();
            var rows = new List<(int Lane, int Tier, int Index)>();
            for (var lane = 0; lane < graph.Lanes.Count; lane++)
            {
                var members = grid.Where(n => n.Lane == lane)
                    .OrderBy(n => n.Kind is NodeKind.Approved or NodeKind.Rejected ? 1 : 0).ThenBy(n => order[n.Id]).ToList();
                var slots = new Dictionary<(int Tier, int Column), int>();
                var laneRows = new SortedSet<(int Tier, int Index)>();
                foreach (var node in members)
                {
                    var key = (layer[node.Id] / columns, layer[node.Id] % columns);
                    var index = slots.GetValueOrDefault(key);
                    slots[key] = index + 1;
                    laneRows.Add((key.Item1, index));
                }
                var first = rows.Count;
                rows.AddRange(laneRows.Select(r => (lane, r.Tier, r.Index)));
                slots.Clear();
                foreach (var node in members)
                {
                    var key = (layer[node.Id] / columns, layer[node.Id] % columns);
                    var index = slots.GetValueOrDefault(key);
                    slots[key] = index + 1;
                    cell[node.Id] = new Cell(key.Item2, rows.FindIndex(first, r => r.Tier == key.Item1 && r.Index == index));
                }
            }

            // Which channels each arrow runs along: out of its source to the right, along the row channel next to its
            // target when the target is not in the next column, into its target from the left. The corrected file
            // leaves the citizen's task upwards and comes down into the merge gateway from the row channel above it.
            var runs = new Dictionary<string, List<Run>>();
            foreach (var edge in graph.Edges.Where(e => e.Kind != EdgeKind.Timer))
            {
                var (s, t) = (cell[edge.Source], cell[edge.Target]);
                var list = new List<Run>();
                if (edge.Kind == EdgeKind.Resubmit)
                {
                    list.Add(new Run(new Horizontal(s.Row), "e:" + edge.Id, 1));
                    list.Add(new Run(new Vertical(t.Column - 1), "e:" + edge.Id, 1));
                    list.Add(new Run(new Horizontal(t.Row), "e:" + edge.Id, 1));
                }
                else if (t.Column == s.Column + 1) list.Add(new Run(new Vertical(s.Column), "out:" + edge.Source, 0));
                else
                {
                    list.Add(new Run(new Vertical(s.Column), "out:" + edge.Source, 0));
                    list.Add(new Run(new Horizontal(s.Row <= t.Row ? t.Row : t.Row + 1), "e:" + edge.Id, 1));
                    list.Add(new Run(new Vertical(t.Column - 1), "in:" + edge.Target, 2));
                }
                runs[edge.Id] = list;
            }
            // Tracks: out of a channel's shapes first, then the arrows passing by, then those going in, each group
            // from top to bottom, so arrows leaving a row do not run along arrows arriving in it.
            var tracks = runs.Values.SelectMany(r => r).GroupBy(r => r.Channel).ToDictionary(g => g.Key, g => g
                .GroupBy(r => r.Key).Select(k => k.First())
                .OrderBy(r => r.Rank).ThenBy(r => RowOfKey(r.Key, cell)).ThenBy(r => r.Key, StringComparer.Ordinal)
                .Select((r, i) => (r.Key, i)).ToDictionary(x => x.Key, x => x.i));
            int Count(Channel c) => tracks.TryGetValue(c, out var t) ? t.Count : 0;

            // Widths of columns and channels, heights of rows and row channels.
            var columnWidth = new double[columns];
            foreach (var node in grid)
                columnWidth[cell[node.Id].Column] = Math.Max(columnWidth[cell[node.Id].Column], blocks[node.Id].Width);
            var channelWidth = Enumerable.Range(-1, columns + 1)
                .ToDictionary(c => c, c => Math.Clamp((Count(new Vertical(c)) + 1) * TrackGap, MinChannel, MaxChannel));
            var channelX = new Dictionary<int, double>();
            var columnX = new double[columns];
            var x = PoolStrip + LaneStrip;
            channelX[-1] = x;
            x += channelWidth[-1];
            for (var c = 0; c < columns; c++)
            {
                columnX[c] = x;
                x += columnWidth[c];
                channelX[c] = x;
                x += channelWidth[c];
            }
            var width = x;

            var above = new double[rows.Count];
            var below = new double[rows.Count];
            foreach (var node in grid)
            {
                var r = cell[node.Id].Row;
                above[r] = Math.Max(above[r], blocks[node.Id].Above);
                below[r] = Math.Max(below[r], blocks[node.Id].Below);
            }
            var rowChannelY = new double[rows.Count + 1];
            var rowChannelH = new double[rows.Count + 1];
            var axis = new double[rows.Count];
            var y = 0.0;
            for (var r = 0; r <= rows.Count; r++)
            {
                var header = r < rows.Count && (r == 0 || rows[r - 1].Lane != rows[r].Lane) ? Header : 0;
                rowChannelY[r] = y + header;
                rowChannelH[r] = Math.Max(MinChannel, (Count(new Horizontal(r)) + 1) * TrackGap);
                y += header + rowChannelH[r];
                if (r == rows.Count) break;
                axis[r] = y + above[r];
                y += above[r] + below[r];
            }
            var height = y;

            double Track(Channel channel, string key)
            {
                var index = tracks[channel][key];
                var n = Count(channel);
                return channel switch
                {
                    Vertical v => channelX[v.Column] + channelWidth[v.Column] * (index + 1) / (n + 1),
                    Horizontal h => rowChannelY[h.Row] + rowChannelH[h.Row] * (index + 1) / (n + 1),
                    _ => throw new InvalidOperationException(),
                };
            }

            // Shapes: each block centred in its column, its shape on its row's axis.
            var nodes = new Dictionary<string, LayoutNode>();
            var edgeLabels = new Dictionary<string, Box>();
            foreach (var node in grid)
            {
                var block = blocks[node.Id];
                var at = cell[node.Id];
                var dx = columnX[at.Column] + (columnWidth[at.Column] - block.Width) / 2 + block.Left;
                var dy = axis[at.Row] - block.Shape.H / 2;
                nodes[node.Id] = node with { Box = block.Shape.Move(dx, dy), Label = block.Name?.Move(dx, dy) };
                foreach (var (attached, shape, name) in block.Attached)
                    nodes[attached.Id] = attached with { Box = shape.Move(dx, dy), Label = name?.Move(dx, dy) };
                foreach (var (edge, label) in block.EdgeLabels) edgeLabels[edge] = label.Move(dx, dy);
            }

            var edges = new List<LayoutEdge>();
            foreach (var edge in graph.Edges)
            {
                var (s, t) = (nodes[edge.Source].Box, nodes[edge.Target].Box);
                List<Point> points;
                if (edge.Kind == EdgeKind.Timer) points = [new(s.MidX, s.Bottom), new(t.MidX, t.Y)];
                else if (edge.Kind == EdgeKind.Resubmit)
                {
                    var list = runs[edge.Id];
                    var (up, across, down) = (Track(list[0].Channel, list[0].Key), Track(list[1].Channel, list[1].Key),
                        Track(list[2].Channel, list[2].Key));
                    points = [new(s.MidX, s.Y), new(s.MidX, up), new(across, up), new(across, down), new(t.MidX, down), new(t.MidX, t.Y)];
                }
                else
                {
                    var list = runs[edge.Id];
                    var exit = Track(list[0].Channel, list[0].Key);
                    points = [new(s.Right, s.MidY), new(exit, s.MidY)];
                    if (list.Count == 1) points.Add(new(exit, t.MidY));
                    else
                    {
                        var (along, enter) = (Track(list[1].Channel, list[1].Key), Track(list[2].Channel, list[2].Key));
                        points.AddRange([new(exit, along), new(enter, along), new(enter, t.MidY)]);
                    }
                    points.Add(new(t.X, t.MidY));
                }
                edges.Add(edge with { Points = Simplify(points), Label = edgeLabels.GetValueOrDefault(edge.Id) });
            }

            var lanes = new List<LayoutLane>();
            for (var lane = 0; lane < graph.Lanes.Count; lane++)
            {
                var first = rows.FindIndex(r => r.Lane == lane);
                var last = rows.FindLastIndex(r => r.Lane == lane);
                var top = rowChannelY[first] - Header;
                var bottom = last == rows.Count - 1 ? height : rowChannelY[last + 1] - Header;
                lanes.Add(new LayoutLane(graph.Lanes[lane], new Box(PoolStrip, top, width - PoolStrip, bottom - top)));
            }
            return new ProcedureLayout([.. lanes], [.. graph.Nodes.Select(n => nodes[n.Id])], [.. edges], width, height);
        }

        private double RowOfKey(string key, Dictionary<string, Cell> cell)
        {
            var colon = key.IndexOf(':');
            var id = key[(colon + 1)..];
            if (key.StartsWith("e:", StringComparison.Ordinal))
            {
                var edge = graph.Edges.First(e => e.Id == id);
                return cell[edge.Target].Row;
            }
            return cell[id].Row;
        }

        /// <summary>Drops repeated points and the middle of three points in a line.</summary>
        private static ImmutableArray<Point> Simplify(List<Point> points)
        {
            var result = new List<Point>();
            foreach (var p in points)
            {
                if (result.Count > 0 && Near(result[^1], p)) continue;
                if (result.Count >= 2 && Collinear(result[^2], result[^1], p)) result[^1] = p;
                else result.Add(p);
            }
            return [.. result];
        }

        private static bool Near(Point a, Point b) => Math.Abs(a.X - b.X) < 0.01 && Math.Abs(a.Y - b.Y) < 0.01;

        private static bool Collinear(Point a, Point b, Point c) =>
            (Math.Abs(a.X - b.X) < 0.01 && Math.Abs(b.X - c.X) < 0.01 && (b.Y - a.Y) * (c.Y - b.Y) >= 0)
            || (Math.Abs(a.Y - b.Y) < 0.01 && Math.Abs(b.Y - c.Y) < 0.01 && (b.X - a.X) * (c.X - b.X) >= 0);
    }
}
