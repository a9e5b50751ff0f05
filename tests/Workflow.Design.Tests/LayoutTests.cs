using System.Text;
using Workflow.Core.Definitions;
using Workflow.Design;

namespace Workflow.Design.Tests;

/// <summary>
/// Definitions of every shape a layout must cope with, checked by the same loader as the shipped ones: titles longer
/// than any box, a step that starts many branches, a long chain, many agencies, and random flows.
/// </summary>
public static class Shapes
{
    private static readonly string[] Agencies = [.. Enumerable.Range(1, 14).Select(i => $"agency-{i}")];

    public static WorkflowDefinition Parse(string id, string steps)
    {
        var agencies = "agencies:\n  odsc: One-Door Service Centre\n" + string.Concat(Agencies.Select((a, i) =>
            $"  {a}: \"Department number {i + 1} of the Ministry of Public Works and Transport, Division of Permits\"\n"));
        var yaml = $"""
            id: {id}
            version: 1
            title: {id}
            deadline: 999 working days
            data:
              flag: {"{"} type: yes-no, required: true {"}"}
            steps:
            {steps}
            """;
        return WorkflowCatalog.Parse([("agencies.yaml", agencies), ($"{id}.yaml", yaml)]).Latest.Single();
    }

    private static string Step(string id, string agency, string title, IEnumerable<string> approve, bool reject = false,
        bool canReturn = false, string? when = null, bool join = false) =>
        $"  {id}:\n    agency: {agency}\n    title: \"{title}\"\n    deadline: 1 working day\n" +
        $"    approve: [{string.Join(", ", approve)}]\n" + (reject ? "    reject: rejected\n" : "") +
        (canReturn ? "    return: citizen\n" : "") + (when is null ? "" : $"    when: {when}\n") + (join ? "    after: all\n" : "");

    public static WorkflowDefinition LongTitles() => Parse("long-titles", string.Concat(
        Step("intake", "odsc", string.Join(' ', Enumerable.Repeat("Check that every document of the application is there", 6)),
            ["a-very-long-step-identifier-that-goes-on-and-on"], reject: true, canReturn: true),
        Step("a-very-long-step-identifier-that-goes-on-and-on", "agency-1",
            "Supercalifragilisticexpialidociousandevenlongerwordwithoutanyspacesinsideitatall", ["approved"], true, true,
            when: "flag")));

    public static WorkflowDefinition ManyBranches(int branches, bool oneAgency) => Parse($"many-branches-{branches}", string.Concat(
        [Step("intake", "odsc", "Completeness check", Enumerable.Range(1, branches).Select(i => $"b{i}"), true, true),
         .. Enumerable.Range(1, branches).Select(i => Step($"b{i}", oneAgency ? "agency-1" : Agencies[(i - 1) % Agencies.Length],
             $"Opinion number {i}", ["decide"], reject: i % 2 == 0, canReturn: i % 3 == 0, when: i % 4 == 0 ? "flag" : null)),
         Step("decide", "odsc", "Decide", ["approved"], reject: true, join: true)]));

    public static WorkflowDefinition Chain(int length) => Parse($"chain-{length}", string.Concat(
        Enumerable.Range(0, length).Select(i => Step(i == 0 ? "intake" : $"s{i}", i % 3 == 0 ? "odsc" : Agencies[i % 4],
            $"Step {i} of a long chain", [i == length - 1 ? "approved" : $"s{i + 1}"], reject: i % 2 == 1, canReturn: i % 2 == 0))));

    /// <summary>A random forward flow: levels of steps, each approving into some of the next level's.</summary>
    public static WorkflowDefinition Random(int seed)
    {
        var random = new Random(seed);
        var levels = Enumerable.Range(0, random.Next(1, 8))
            .Select((_, level) => Enumerable.Range(0, level == 0 ? 1 : random.Next(1, 5))
                .Select(i => level == 0 ? "intake" : $"l{level}s{i}").ToList()).ToList();
        var agencies = Agencies.Take(random.Next(1, 10)).Prepend("odsc").ToList();
        var words = new[] { "check", "the", "documents", "of", "the", "applicant", "and", "register", "a", "decision" };
        var text = new StringBuilder();
        for (var level = 0; level < levels.Count; level++)
        {
            var next = level + 1 < levels.Count ? levels[level + 1] : null;
            var targets = levels[level].ToDictionary(s => s, _ => new List<string>());
            if (next is null) foreach (var s in levels[level]) targets[s].Add("approved");
            else
            {
                foreach (var t in next) targets[levels[level][random.Next(levels[level].Count)]].Add(t);
                foreach (var s in levels[level].Where(s => targets[s].Count == 0 || random.Next(3) == 0))
                    targets[s].Add(next[random.Next(next.Count)]);
            }
            foreach (var s in levels[level])
            {
                text.Append(Step(s, level == 0 ? "odsc" : agencies[random.Next(agencies.Count)],
                    string.Join(' ', Enumerable.Range(0, random.Next(1, 14)).Select(_ => words[random.Next(words.Length)])),
                    targets[s].Distinct(), reject: random.Next(2) == 0, canReturn: random.Next(2) == 0,
                    when: level > 0 && random.Next(4) == 0 ? "flag" : null));
            }
        }
        return Parse($"random-{seed}", text.ToString());
    }
}

public class when_a_procedure_is_laid_out
{
    public static TheoryData<string> Cases() => [
        .. Procedures.Catalog.Latest.Select(d => d.Id), "keywords", "long-titles", "many-branches-one-agency",
        "many-branches-many-agencies", "chain-30", .. Enumerable.Range(1, 40).Select(seed => $"random-{seed}")];

    private static WorkflowDefinition Definition(string name) => name switch
    {
        "keywords" => Keywords.Definition,
        "long-titles" => Shapes.LongTitles(),
        "many-branches-one-agency" => Shapes.ManyBranches(16, oneAgency: true),
        "many-branches-many-agencies" => Shapes.ManyBranches(16, oneAgency: false),
        "chain-30" => Shapes.Chain(30),
        _ when name.StartsWith("random-", StringComparison.Ordinal) => Shapes.Random(int.Parse(name["random-".Length..])),
        _ => Procedures.Get(name),
    };

    [Theory, MemberData(nameof(Cases))]
    public void it_fits_a_1280_pixel_page_and_no_shape_or_label_covers_another(string name)
    {
        var layout = Layout.Of(Definition(name));

        layout.Width.ShouldBeLessThanOrEqualTo(Layout.MaxWidth, name);
        var attached = layout.Nodes.Where(n => n.AttachedTo is not null).ToDictionary(n => n.Id, n => n.AttachedTo!);
        var boxes = layout.Nodes.Select(n => (Id: n.Id, Box: n.Box))
            .Concat(layout.Nodes.Where(n => n.Label is not null).Select(n => (Id: "label of " + n.Id, Box: n.Label!)))
            .Concat(layout.Edges.Where(e => e.Label is not null).Select(e => (Id: "label of " + e.Id, Box: e.Label!))).ToList();
        for (var i = 0; i < boxes.Count; i++)
            for (var j = i + 1; j < boxes.Count; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                if (attached.GetValueOrDefault(a.Id) == b.Id || attached.GetValueOrDefault(b.Id) == a.Id) continue;
                a.Box.Overlaps(b.Box).ShouldBeFalse($"{name}: {a} overlaps {b}");
            }
    }

    [Theory, MemberData(nameof(Cases))]
    public void every_arrow_runs_at_right_angles_from_border_to_border_through_no_other_shape(string name)
    {
        var layout = Layout.Of(Definition(name));

        foreach (var edge in layout.Edges)
        {
            var (source, target) = (layout.Node(edge.Source), layout.Node(edge.Target));
            edge.Points.Length.ShouldBeGreaterThanOrEqualTo(2);
            OnBorder(source, edge.Points[0]).ShouldBeTrue($"{name}: {edge.Id} starts at {edge.Points[0]} on {source}");
            OnBorder(target, edge.Points[^1]).ShouldBeTrue($"{name}: {edge.Id} ends at {edge.Points[^1]} on {target}");
            string?[] own = [source.Id, target.Id, source.AttachedTo];
            foreach (var (a, z) in edge.Points.Zip(edge.Points.Skip(1)))
            {
                (Math.Abs(a.X - z.X) < 0.01 || Math.Abs(a.Y - z.Y) < 0.01).ShouldBeTrue($"{name}: {edge.Id} {a} to {z} is not straight");
                // A line has no thickness; it may touch a shape's edge but not cross its inside.
                var segment = new Box(Math.Min(a.X, z.X) - 0.01, Math.Min(a.Y, z.Y) - 0.01, Math.Abs(z.X - a.X) + 0.02,
                    Math.Abs(z.Y - a.Y) + 0.02);
                foreach (var node in layout.Nodes.Where(n => !own.Contains(n.Id) && !own.Contains(n.AttachedTo)))
                {
                    var inside = new Box(node.Box.X + 1, node.Box.Y + 1, node.Box.W - 2, node.Box.H - 2);
                    segment.Overlaps(inside).ShouldBeFalse($"{name}: {edge.Id} from {source.Id} to {target.Id} crosses {node.Id}");
                }
            }
            if (edge.Name is not null) edge.Label.ShouldNotBeNull($"{name}: {edge.Id} '{edge.Name}' has a place for its label");
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public void lanes_are_stacked_one_per_agency_in_order_and_every_shape_sits_in_its_own(string name)
    {
        var definition = Definition(name);
        var layout = Layout.Of(definition);

        var agencies = definition.Steps.Select(s => s.Agency).Distinct().ToList();
        layout.Lanes.Where(l => !l.IsCitizen).Select(l => l.Agency).ShouldBe(agencies);
        layout.Lanes.Count(l => l.IsCitizen).ShouldBe(definition.Steps.Any(s => s.CanReturn) ? 1 : 0);
        if (layout.Lanes[0].IsCitizen || definition.Steps.Any(s => s.CanReturn)) layout.Lanes[0].IsCitizen.ShouldBeTrue();
        foreach (var (upper, lower) in layout.Lanes.Zip(layout.Lanes.Skip(1)))
            lower.Box.Y.ShouldBe(upper.Box.Bottom, 0.01, name);
        layout.Lanes[^1].Box.Bottom.ShouldBe(layout.Height, 0.01);
        foreach (var node in layout.Nodes)
        {
            var lane = layout.Lanes[node.Lane].Box;
            lane.Contains(node.Box).ShouldBeTrue($"{name}: {node.Id} {node.Box} lies in its lane {lane}");
            if (node.Label is { } label) lane.Contains(label).ShouldBeTrue($"{name}: the label of {node.Id} lies in its lane");
        }
        foreach (var step in definition.Steps)
        {
            var task = layout.Node($"Task_{step.Id}");
            layout.Lanes[task.Lane].Agency.ShouldBe(step.Agency);
            var lines = Layout.WrappedLines(step.Title, (int)((task.Box.W - 10) / Layout.TaskCharWidth));
            (lines * Layout.TaskLineHeight + 10 + Layout.NoteHeight).ShouldBeLessThanOrEqualTo(task.Box.H, $"{name}: '{step.Title}' fits");
        }
    }

    [Fact]
    public void a_procedure_too_long_for_one_row_of_columns_wraps_downwards_instead_of_growing_wider()
    {
        var narrow = Layout.Of(Shapes.Chain(30));
        var wide = Layout.Of(Shapes.Chain(30), maxWidth: 100_000);

        wide.Width.ShouldBeGreaterThan(3 * Layout.MaxWidth);
        narrow.Width.ShouldBeLessThanOrEqualTo(Layout.MaxWidth);
        narrow.Height.ShouldBeGreaterThan(wide.Height);
        // The same shapes and arrows, only placed differently.
        narrow.Nodes.Select(n => n.Id).ShouldBe(wide.Nodes.Select(n => n.Id));
        narrow.Edges.Select(e => (e.Source, e.Target, e.Name)).ShouldBe(wide.Edges.Select(e => (e.Source, e.Target, e.Name)));
    }

    private static bool OnBorder(LayoutNode node, Point p)
    {
        var b = node.Box;
        const double tolerance = 0.05;
        if (node.IsGateway)
            return Math.Abs(Math.Abs(p.X - b.MidX) / (b.W / 2) + Math.Abs(p.Y - b.MidY) / (b.H / 2) - 1) < tolerance / 10;
        if (node.IsEvent) return Math.Abs(Math.Sqrt(Math.Pow(p.X - b.MidX, 2) + Math.Pow(p.Y - b.MidY, 2)) - b.W / 2) < tolerance;
        var inside = p.X >= b.X - tolerance && p.X <= b.Right + tolerance && p.Y >= b.Y - tolerance && p.Y <= b.Bottom + tolerance;
        var onEdge = Math.Abs(p.X - b.X) < tolerance || Math.Abs(p.X - b.Right) < tolerance
                     || Math.Abs(p.Y - b.Y) < tolerance || Math.Abs(p.Y - b.Bottom) < tolerance;
        return inside && onEdge;
    }
}
