using System.Globalization;
using System.Xml.Linq;

namespace Workflow.Design;

/// <summary>Where a case stands at a step, as a map draws it.</summary>
public enum StepState { Done, Open, NotReached, Returned, Skipped }

/// <summary>A step's state on a map, with a short note under its title (for example "due 12 Dec, Somchai").</summary>
public sealed record StepMark(StepState State, string? Note = null);

/// <summary>
/// The words a drawing writes besides step titles and agency names, in English unless the caller passes the reader's
/// language. Texts with <c>{0}</c> take a number or a condition.
/// </summary>
public sealed record DiagramWords
{
    public static DiagramWords English { get; } = new();

    public string Received { get; init; } = "Application received";
    public string Approved { get; init; } = "Approved";
    public string Rejected { get; init; } = "Rejected";
    public string Escalated { get; init; } = "Escalated";
    public string Lapsed { get; init; } = "Lapsed";
    public string Citizen { get; init; } = "Citizen";
    public string Correct { get; init; } = "Correct and resubmit";
    public string Decision { get; init; } = "Decision?";
    public string WhichApply { get; init; } = "Which apply?";
    public string Approve { get; init; } = "approve";
    public string Reject { get; init; } = "reject";
    public string Return { get; init; } = "return";
    public string Always { get; init; } = "always";
    public string When { get; init; } = "when {0}";
    public string ApproveWhen { get; init; } = "approve, when {0}";
    public string WorkingDay { get; init; } = "1 working day";
    public string WorkingDays { get; init; } = "{0} working days";
    public string CalendarDays { get; init; } = "{0} calendar days";
}

/// <summary>
/// What to draw over a layout: the accessible name, words in the reader's language, agency names and step titles,
/// each step's state on a case (<see cref="Steps"/>), and a path to highlight (<see cref="Highlight"/>: step ids, plus
/// <c>approved</c> or <c>rejected</c> for the end it reaches), as a simulation shows one.
/// </summary>
public sealed record DiagramOptions
{
    public required string Title { get; init; }
    public string? Description { get; init; }

    /// <summary>Prefix of the ids inside the drawing, so that two drawings on one page do not share them.</summary>
    public string Id { get; init; } = "diagram";

    public DiagramWords Words { get; init; } = DiagramWords.English;
    public Func<string, string?>? LaneName { get; init; }
    public Func<string, string?>? StepTitle { get; init; }
    public IReadOnlyDictionary<string, StepMark>? Steps { get; init; }
    public IReadOnlySet<string>? Highlight { get; init; }
}

/// <summary>
/// A layout drawn as SVG for a web page or a file: lanes with their agencies' names, steps with wrapped titles (and
/// their state on a case), gateways, events, arrows with their labels, and the way back through the citizen dashed.
/// Colours and fonts are attributes, not a style sheet, so the drawing looks the same inside any page or alone.
/// </summary>
public static class DiagramSvg
{
    private static readonly XNamespace S = "http://www.w3.org/2000/svg";
    private const string Ink = "#1b1f23", Line = "#4a5560", Back = "#8a5a00", Path = "#0b5394", Muted = "#8895a3";
    private const string Fonts = "'Phetsarath OT', 'Saysettha OT', 'Noto Sans Lao', 'Noto Sans', system-ui, sans-serif";

    private sealed record Look(string Fill, string Stroke, double Width, string? Dash);

    private static readonly Dictionary<StepState, Look> Looks = new()
    {
        [StepState.Done] = new("#dcefe1", "#1e6b34", 1.5, null),
        [StepState.Open] = new("#fff1cc", Back, 3, null),
        [StepState.NotReached] = new("#f1f3f5", Muted, 1.5, "4 3"),
        [StepState.Returned] = new("#fdecee", "#a40e26", 3, null),
        [StepState.Skipped] = new("#ffffff", Muted, 1.5, "1 3"),
    };

    public static string Render(ProcedureLayout layout, DiagramOptions options)
    {
        var id = options.Id;
        var words = options.Words;
        var svg = new XElement(S + "svg",
            new XAttribute("width", N(layout.Width)), new XAttribute("height", N(layout.Height)),
            new XAttribute("viewBox", $"0 0 {N(layout.Width)} {N(layout.Height)}"), new XAttribute("role", "img"),
            new XAttribute("aria-labelledby", options.Description is null ? $"{id}-title" : $"{id}-title {id}-desc"),
            new XAttribute("class", "diagram"), new XAttribute("style", "max-width:100%;height:auto"),
            new XAttribute("font-family", Fonts), new XAttribute("font-size", "12"), new XAttribute("fill", Ink),
            new XElement(S + "title", new XAttribute("id", $"{id}-title"), options.Title));
        if (options.Description is not null)
            svg.Add(new XElement(S + "desc", new XAttribute("id", $"{id}-desc"), options.Description));
        svg.Add(new XElement(S + "defs", Marker($"{id}-arrow", Line), Marker($"{id}-back", Back), Marker($"{id}-path", Path)));

        svg.Add(Rect(layout.Participant, "#ffffff", Muted, 1));
        for (var i = 0; i < layout.Lanes.Length; i++)
        {
            var lane = layout.Lanes[i];
            svg.Add(Rect(lane.Box, i % 2 == 0 ? "#f8f9fb" : "#ffffff", Muted, 1));
            var name = lane.Agency is null ? words.Citizen : options.LaneName?.Invoke(lane.Agency) ?? lane.Agency;
            var fits = (int)((lane.Box.W - 50) / 7.5);
            svg.Add(new XElement(S + "text", new XAttribute("x", N(lane.Box.X + 36)), new XAttribute("y", N(lane.Box.Y + 15)),
                new XAttribute("font-weight", "700"), new XAttribute("font-size", "13"), Short(name, fits)));
        }

        var onPath = OnPath(layout, options.Highlight);
        foreach (var edge in layout.Edges)
        {
            var back = edge.Kind is EdgeKind.Return or EdgeKind.Resubmit;
            var highlighted = onPath.Contains(edge.Source) && onPath.Contains(edge.Target) && edge.Kind == EdgeKind.Flow;
            var (colour, marker) = highlighted ? (Path, "path") : back ? (Back, "back") : (Line, "arrow");
            var line = new XElement(S + "polyline",
                new XAttribute("points", string.Join(' ', edge.Points.Select(p => $"{N(p.X)},{N(p.Y)}"))),
                new XAttribute("fill", "none"), new XAttribute("stroke", colour),
                new XAttribute("stroke-width", highlighted ? "3" : edge.Kind == EdgeKind.Timer ? "1" : "1.4"),
                new XAttribute("marker-end", $"url(#{id}-{marker})"));
            if (back) line.Add(new XAttribute("stroke-dasharray", "6 4"));
            svg.Add(line);
        }
        var said = new HashSet<(string, string)>();
        foreach (var edge in layout.Edges.Where(e => e.Label is not null))
        {
            var text = EdgeText(edge, words);
            // Arrows from several branches into one join say the same: one label is enough.
            if (text is not null && said.Add((edge.Target, text)))
                svg.Add(Label(edge.Label!, text, edge.Kind == EdgeKind.Return ? Back : Ink));
        }

        foreach (var node in layout.Nodes)
        {
            svg.Add(Shape(node, layout, options, onPath.Contains(node.Id)));
            if (node.Label is { } label && NodeText(node, words) is { } text) svg.Add(Label(label, text, Ink));
        }
        return svg.ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>The shapes of a highlighted path: its steps with their gateways, the start, and the end it reaches.</summary>
    private static HashSet<string> OnPath(ProcedureLayout layout, IReadOnlySet<string>? highlight)
    {
        if (highlight is null || highlight.Count == 0) return [];
        var path = layout.Nodes.Where(n => n.Step is not null && highlight.Contains(n.Step) && n.Kind switch
        {
            NodeKind.Step or NodeKind.Merge or NodeKind.Join or NodeKind.Decision or NodeKind.Split => true,
            NodeKind.Approved => highlight.Contains(Core.Definitions.WorkflowDefinition.Approved),
            NodeKind.Rejected => highlight.Contains(Core.Definitions.WorkflowDefinition.Rejected),
            _ => false,
        }).Select(n => n.Id).ToHashSet();
        path.Add("Start");
        return path;
    }

    private static string? EdgeText(LayoutEdge edge, DiagramWords words) => edge.Outcome switch
    {
        "reject" => words.Reject,
        "return" => words.Return,
        "approve" => edge.When is { } when ? Format(words.ApproveWhen, when) : words.Approve,
        _ => edge.When is { } when ? Format(words.When, when) : edge.Always ? words.Always : edge.Name,
    };

    private static string? NodeText(LayoutNode node, DiagramWords words) => node.Kind switch
    {
        NodeKind.Start => words.Received,
        NodeKind.Approved => words.Approved,
        NodeKind.Rejected => words.Rejected,
        NodeKind.Escalated => words.Escalated,
        NodeKind.Lapsed => words.Lapsed,
        NodeKind.Decision => words.Decision,
        NodeKind.Split => node.Name is null ? null : words.WhichApply,
        NodeKind.DeadlineTimer => node.Days == 1 ? words.WorkingDay : Format(words.WorkingDays, node.Days),
        NodeKind.LapseTimer => Format(words.CalendarDays, node.Days),
        _ => node.Name,
    };

    private static XElement Shape(LayoutNode node, ProcedureLayout layout, DiagramOptions options, bool highlighted)
    {
        var b = node.Box;
        var stroke = highlighted ? Path : Line;
        var width = highlighted ? 3 : 1.5;
        switch (node.Kind)
        {
            case NodeKind.Step:
            {
                var title = options.StepTitle?.Invoke(node.Step!) ?? node.Name ?? node.Step!;
                var mark = options.Steps?.GetValueOrDefault(node.Step!);
                var look = mark is null ? new Look(highlighted ? "#e3eefa" : "#ffffff", stroke, width, null) : Looks[mark.State];
                return Task(b, look, title, mark?.Note);
            }
            case NodeKind.Correction:
            {
                var returned = options.Steps?.GetValueOrDefault(node.Step!)?.State == StepState.Returned;
                var look = returned ? Looks[StepState.Open] : new Look("#ffffff", Back, 1.5, "4 3");
                return Task(b, look, options.Words.Correct, null);
            }
            case NodeKind.Merge or NodeKind.Join or NodeKind.Decision or NodeKind.Split:
            {
                var g = new XElement(S + "g", new XElement(S + "path",
                    new XAttribute("d", $"M{N(b.MidX)},{N(b.Y)} L{N(b.Right)},{N(b.MidY)} L{N(b.MidX)},{N(b.Bottom)} L{N(b.X)},{N(b.MidY)} z"),
                    new XAttribute("fill", highlighted ? "#e3eefa" : "#ffffff"), new XAttribute("stroke", stroke),
                    new XAttribute("stroke-width", N(width))));
                var r = b.W / 5;
                var mark = node.Gateway switch
                {
                    GatewayType.Parallel => $"M{N(b.MidX)},{N(b.MidY - r)} V{N(b.MidY + r)} M{N(b.MidX - r)},{N(b.MidY)} H{N(b.MidX + r)}",
                    GatewayType.Inclusive => null,
                    _ => $"M{N(b.MidX - r * .7)},{N(b.MidY - r * .7)} L{N(b.MidX + r * .7)},{N(b.MidY + r * .7)} " +
                         $"M{N(b.MidX + r * .7)},{N(b.MidY - r * .7)} L{N(b.MidX - r * .7)},{N(b.MidY + r * .7)}",
                };
                g.Add(mark is null
                    ? Circle(b.MidX, b.MidY, r, "none", Line, 2)
                    : new XElement(S + "path", new XAttribute("d", mark), new XAttribute("stroke", Line), new XAttribute("stroke-width", "2.5")));
                return g;
            }
            case NodeKind.DeadlineTimer or NodeKind.LapseTimer:
            {
                var r = b.W / 2;
                return new XElement(S + "g", Circle(b.MidX, b.MidY, r, "#ffffff", Line, 1.2), Circle(b.MidX, b.MidY, r - 3, "#ffffff", Line, 1.2),
                    new XElement(S + "path", new XAttribute("d",
                            $"M{N(b.MidX)},{N(b.MidY - r + 8)} V{N(b.MidY)} H{N(b.MidX + r - 10)}"),
                        new XAttribute("fill", "none"), new XAttribute("stroke", Line), new XAttribute("stroke-width", "1.5")));
            }
            case NodeKind.Start:
                return Circle(b.MidX, b.MidY, b.W / 2, highlighted ? "#e3eefa" : "#ffffff", stroke, width);
            default:
            {
                var fill = node.Kind switch
                {
                    NodeKind.Approved => "#dcefe1",
                    NodeKind.Rejected => "#fdecee",
                    _ => "#ffffff",
                };
                return Circle(b.MidX, b.MidY, b.W / 2 - 1.5, highlighted ? "#e3eefa" : fill, stroke, highlighted ? 4 : 3);
            }
        }
    }

    /// <summary>A task: its title wrapped inside it and, under it, the note of its state; the whole text as a tooltip.</summary>
    private static XElement Task(Box b, Look look, string title, string? note)
    {
        var g = new XElement(S + "g", new XElement(S + "title", note is null ? title : $"{title}: {note}"));
        var rect = Rect(b, look.Fill, look.Stroke, look.Width);
        rect.Add(new XAttribute("rx", "8"));
        if (look.Dash is not null) rect.Add(new XAttribute("stroke-dasharray", look.Dash));
        g.Add(rect);
        var room = (int)Math.Max(1, (b.H - 10 - (note is null ? 0 : Layout.NoteHeight)) / Layout.TaskLineHeight);
        var lines = Fit(Layout.Wrap(title, Layout.TaskLineChars), room);
        var notes = note is null ? [] : Fit(Layout.Wrap(note, (int)((b.W - 10) / 6)), 2);
        var height = lines.Count * Layout.TaskLineHeight + notes.Count * 14;
        var y = b.MidY - height / 2 + 11;
        foreach (var line in lines)
        {
            g.Add(Text(b.MidX, y, line, "middle"));
            y += Layout.TaskLineHeight;
        }
        foreach (var line in notes)
        {
            var text = Text(b.MidX, y, line, "middle");
            text.Add(new XAttribute("font-size", "11"), new XAttribute("font-style", "italic"));
            g.Add(text);
            y += 14;
        }
        return g;
    }

    private static XElement Label(Box box, string text, string colour)
    {
        var perLine = (int)((Math.Max(box.W, Layout.LabelWidth) - 6) / Layout.LabelCharWidth);
        var lines = Layout.Wrap(text, perLine);
        var g = new XElement(S + "g", new XAttribute("font-size", "11"), new XAttribute("fill", colour));
        // The last line sits on the box's lower edge: a label longer in translation grows away from its line.
        var y = box.Bottom - 4 - (lines.Count - 1) * Layout.LabelLineHeight;
        foreach (var line in lines)
        {
            g.Add(Text(box.MidX, y, line, "middle"));
            y += Layout.LabelLineHeight;
        }
        return g;
    }

    private static List<string> Fit(IReadOnlyList<string> lines, int room)
    {
        if (lines.Count <= room) return [.. lines];
        var kept = lines.Take(room).ToList();
        kept[^1] = Short(kept[^1] + " " + lines[room], kept[^1].Length);
        if (!kept[^1].EndsWith('…')) kept[^1] += "…";
        return kept;
    }

    private static string Short(string text, int max) => text.Length <= max ? text : text[..Math.Max(1, max - 1)] + "…";

    private static XElement Marker(string id, string colour) =>
        new(S + "marker", new XAttribute("id", id), new XAttribute("viewBox", "0 0 10 10"), new XAttribute("refX", "10"),
            new XAttribute("refY", "5"), new XAttribute("markerWidth", "7"), new XAttribute("markerHeight", "7"),
            new XAttribute("orient", "auto-start-reverse"),
            new XElement(S + "path", new XAttribute("d", "M0,0 L10,5 L0,10 z"), new XAttribute("fill", colour)));

    private static XElement Rect(Box b, string fill, string stroke, double width) =>
        new(S + "rect", new XAttribute("x", N(b.X)), new XAttribute("y", N(b.Y)), new XAttribute("width", N(b.W)),
            new XAttribute("height", N(b.H)), new XAttribute("fill", fill), new XAttribute("stroke", stroke),
            new XAttribute("stroke-width", N(width)));

    private static XElement Circle(double x, double y, double r, string fill, string stroke, double width) =>
        new(S + "circle", new XAttribute("cx", N(x)), new XAttribute("cy", N(y)), new XAttribute("r", N(r)),
            new XAttribute("fill", fill), new XAttribute("stroke", stroke), new XAttribute("stroke-width", N(width)));

    private static XElement Text(double x, double y, string text, string anchor) =>
        new(S + "text", new XAttribute("x", N(x)), new XAttribute("y", N(y)), new XAttribute("text-anchor", anchor), text);

    private static string Format(string text, object? value) => string.Format(CultureInfo.InvariantCulture, text, value);

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
