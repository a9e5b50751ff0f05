using System.Globalization;
using System.Xml.Linq;
using Workflow.Core.Definitions;
using Workflow.Design;

namespace Workflow.Design.Tests;

public class when_a_procedure_is_exported_as_bpmn
{
    private static readonly XNamespace B = "http://www.omg.org/spec/BPMN/20100524/MODEL";
    private static readonly XNamespace Di = "http://www.omg.org/spec/BPMN/20100524/DI";
    private static readonly XNamespace Dc = "http://www.omg.org/spec/DD/20100524/DC";
    private static readonly XNamespace DiD = "http://www.omg.org/spec/DD/20100524/DI";

    /// <summary>Every shipped procedure, and one whose step ids and agency codes are Mermaid keywords.</summary>
    private static Dictionary<string, (WorkflowDefinition Definition, string Xml)> Exports()
    {
        var exports = Procedures.Catalog.Latest.ToDictionary(d => d.Id, d => (d, Bpmn.Export(d, Procedures.Catalog)));
        exports["keywords"] = (Keywords.Definition, Bpmn.Export(Keywords.Definition, Keywords.Catalog));
        return exports;
    }

    private static string Folder() => Npm.Folder("Bpmn", "bpmn-moddle", "bpmnlint");

    [Fact, Trait("Category", "Npm")]
    public void every_procedure_is_read_by_a_standard_bpmn_library_without_warnings_with_one_task_per_step()
    {
        var exports = Exports();

        var results = Npm.Check(Folder(), "check.mjs", "bpmn", exports.ToDictionary(e => e.Key, e => e.Value.Xml));

        results.Count.ShouldBe(6);
        foreach (var (id, result) in results)
        {
            result.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()).ShouldBeEmpty(id);
            result.GetProperty("tasks").GetInt32().ShouldBe(exports[id].Definition.Steps.Length, id);
            result.GetProperty("diagrams").GetInt32().ShouldBe(1);
        }
    }

    [Fact, Trait("Category", "Npm")]
    public void bpmnlint_recommended_finds_no_error_and_warns_only_of_the_inclusive_gateways_that_optional_branches_need()
    {
        var results = Npm.Check(Folder(), "lint.mjs", "bpmn", Exports().ToDictionary(e => e.Key, e => e.Value.Xml));

        results.Count.ShouldBe(6);
        foreach (var (id, result) in results)
        {
            result.GetProperty("errors").EnumerateArray().Select(e => e.GetString()).ShouldBeEmpty(id);
            result.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!)
                .Where(w => !w.EndsWith("(no-inclusive-gateway)", StringComparison.Ordinal)).ShouldBeEmpty(id);
        }
    }

    private sealed record Rect(string Id, double X, double Y, double W, double H)
    {
        public bool Overlaps(Rect o) => X < o.X + o.W && o.X < X + W && Y < o.Y + o.H && o.Y < Y + H;
    }

    private static string Attr(XElement element, string name) => element.Attribute(name)!.Value;

    private static double Number(XElement element, string name) => double.Parse(Attr(element, name), CultureInfo.InvariantCulture);

    private static Rect Bounds(string id, XElement owner)
    {
        var b = owner.Element(Dc + "Bounds")!;
        return new Rect(id, Number(b, "x"), Number(b, "y"), Number(b, "width"), Number(b, "height"));
    }

    [Fact]
    public void no_two_shapes_or_labels_overlap_no_flow_crosses_a_shape_each_shape_lies_in_its_lane_and_task_names_fit()
    {
        foreach (var (id, (_, xml)) in Exports())
        {
            var document = XDocument.Parse(xml);
            var process = document.Root!.Element(B + "process")!;
            var attachedTo = process.Elements(B + "boundaryEvent").ToDictionary(e => Attr(e, "id"), e => Attr(e, "attachedToRef"));
            var lanes = process.Descendants(B + "lane").Select(l => l.Attribute("id")!.Value).ToHashSet();
            var diShapes = document.Descendants(Di + "BPMNShape").ToList();
            var shapes = diShapes.Where(s => !lanes.Contains(Attr(s, "bpmnElement")) && Attr(s, "bpmnElement") != "Participant_1")
                .Select(s => Bounds(Attr(s, "bpmnElement"), s)).ToList();
            var labels = document.Descendants(Di + "BPMNLabel")
                .Select(l => Bounds("label of " + Attr(l.Parent!, "bpmnElement"), l)).ToList();

            XName[] notShapes = [B + "sequenceFlow", B + "laneSet", B + "documentation"];
            shapes.Count.ShouldBe(process.Elements().Count(e => !notShapes.Contains(e.Name)), id);
            XName[] tasks = [B + "userTask", B + "manualTask"];
            foreach (var named in process.Elements().Where(e => e.Attribute("name") is not null && !tasks.Contains(e.Name)))
                labels.ShouldContain(l => l.Id == "label of " + Attr(named, "id"), $"{id}: {Attr(named, "id")} has a placed label");

            var all = shapes.Concat(labels).ToList();
            for (var i = 0; i < all.Count; i++)
                for (var j = i + 1; j < all.Count; j++)
                {
                    var (a, b) = (all[i], all[j]);
                    if (attachedTo.GetValueOrDefault(a.Id) == b.Id || attachedTo.GetValueOrDefault(b.Id) == a.Id) continue;
                    a.Overlaps(b).ShouldBeFalse($"{id}: {a} overlaps {b}");
                }

            var ends = process.Elements(B + "sequenceFlow")
                .ToDictionary(f => Attr(f, "id"), f => (Source: Attr(f, "sourceRef"), Target: Attr(f, "targetRef")));
            foreach (var edge in document.Descendants(Di + "BPMNEdge"))
            {
                var (source, target) = ends[Attr(edge, "bpmnElement")];
                string[] own = [source, target, attachedTo.GetValueOrDefault(source, source)];
                var points = edge.Elements(DiD + "waypoint").Select(w => (X: Number(w, "x"), Y: Number(w, "y"))).ToList();
                foreach (var (a, z) in points.Zip(points.Skip(1)))
                {
                    var segment = new Rect("segment", Math.Min(a.X, z.X), Math.Min(a.Y, z.Y), Math.Abs(z.X - a.X), Math.Abs(z.Y - a.Y));
                    // A line has no thickness across and stops 1 px short of where it meets its own shapes.
                    segment = segment.W < 0.5
                        ? segment with { X = segment.X - 0.05, W = 0.1 } : segment with { X = segment.X + 1, W = segment.W - 2 };
                    segment = segment.H < 0.5
                        ? segment with { Y = segment.Y - 0.05, H = 0.1 } : segment with { Y = segment.Y + 1, H = segment.H - 2 };
                    var others = shapes.Where(sh => !own.Contains(sh.Id) && !own.Contains(attachedTo.GetValueOrDefault(sh.Id, "")));
                    foreach (var shape in others)
                        segment.Overlaps(shape)
                            .ShouldBeFalse($"{id}: flow {Attr(edge, "bpmnElement")} from {source} to {target} passes through {shape}");
                }
            }

            foreach (var lane in process.Descendants(B + "lane"))
            {
                var laneBox = Bounds(Attr(lane, "id"), diShapes.Single(s => Attr(s, "bpmnElement") == Attr(lane, "id")));
                foreach (var member in lane.Elements(B + "flowNodeRef").Select(r => shapes.Single(s => s.Id == r.Value)))
                    (member.Y >= laneBox.Y && member.Y + member.H <= laneBox.Y + laneBox.H + 18)
                        .ShouldBeTrue($"{id}: {member} lies in {laneBox}");
            }

            foreach (var task in process.Elements().Where(e => tasks.Contains(e.Name)))
            {
                var box = shapes.Single(s => s.Id == task.Attribute("id")!.Value);
                var name = task.Attribute("name")!.Value;
                // 12 px text is at most 7 px a character and 15 px a line; 5 px padding on each side.
                var lines = Layout.WrappedLines(name, (int)((box.W - 10) / 7));
                (lines * 15 + 10.0).ShouldBeLessThanOrEqualTo(box.H, $"{id}: '{name}' fits {box}");
            }
        }
    }

    [Fact]
    public void a_step_that_may_be_returned_sends_the_file_to_the_citizen_and_takes_it_back()
    {
        var definition = Procedures.Get("enterprise-registration");
        var process = XDocument.Parse(Bpmn.Export(definition, Procedures.Catalog)).Root!.Element(B + "process")!;
        var flows = process.Elements(B + "sequenceFlow")
            .Select(f => (Source: Attr(f, "sourceRef"), Target: Attr(f, "targetRef"), Name: f.Attribute("name")?.Value)).ToList();

        process.Descendants(B + "lane").ShouldContain(l => l.Attribute("name")!.Value == "Citizen");
        foreach (var step in definition.Steps.Where(s => s.CanReturn))
        {
            flows.ShouldContain((Source: $"Outcome_{step.Id}", Target: $"Citizen_{step.Id}", Name: (string?)"return"));
            flows.ShouldContain((Source: $"Citizen_{step.Id}", Target: $"Merge_{step.Id}", Name: (string?)null));
            flows.ShouldContain((Source: $"Merge_{step.Id}", Target: $"Task_{step.Id}", Name: (string?)null));
            flows.ShouldContain(f => f.Source == $"Lapse_{step.Id}" && f.Target == $"End_lapsed_{step.Id}");
        }
        definition.Steps.Where(s => !s.CanReturn).ShouldAllBe(s => flows.All(f => f.Target != $"Citizen_{s.Id}"));
    }

    [Fact]
    public void deadline_timers_count_working_days_and_never_claim_calendar_days_and_lead_to_the_escalation()
    {
        var definition = Procedures.Get("construction-permit");
        var process = XDocument.Parse(Bpmn.Export(definition, Procedures.Catalog)).Root!.Element(B + "process")!;

        foreach (var step in definition.Steps)
        {
            var timer = process.Elements(B + "boundaryEvent").Single(e => e.Attribute("id")!.Value == $"Deadline_{step.Id}");
            timer.Attribute("attachedToRef")!.Value.ShouldBe($"Task_{step.Id}");
            var duration = timer.Descendants(B + "timeDuration").Single();
            duration.Value.ShouldBe($"{step.DeadlineDays} working day{(step.DeadlineDays == 1 ? "" : "s")}");
            duration.Value.ShouldNotMatch(@"^P\d");
            duration.Attribute("language")!.Value.ShouldBe(Bpmn.WorkingDaysLanguage);
            process.Elements(B + "sequenceFlow").ShouldContain(f => f.Attribute("sourceRef")!.Value == $"Deadline_{step.Id}"
                                                                 && f.Attribute("targetRef")!.Value == $"Escalated_{step.Id}");
        }
        // The citizen's correction window is in calendar days, so there an ISO duration is right.
        process.Elements(B + "boundaryEvent").Where(e => e.Attribute("id")!.Value.StartsWith("Lapse_", StringComparison.Ordinal))
            .ShouldAllBe(e => e.Descendants(B + "timeDuration").Single().Value == $"P{definition.CorrectionDays}D");
    }

    [Fact]
    public void gateways_name_the_decision_and_every_conditional_flow_says_its_condition()
    {
        var xml = Bpmn.Export(Procedures.Get("construction-permit"), Procedures.Catalog);

        xml.ShouldContain("<bpmn:lane id=\"Lane_monre-land-office\" name=\"District Land Office\">");
        xml.ShouldContain("<bpmn:inclusiveGateway id=\"Join_site-inspection\"");
        xml.ShouldContain("<bpmn:exclusiveGateway id=\"Split_site-inspection\" name=\"Which apply?\"");
        xml.ShouldContain("<bpmn:exclusiveGateway id=\"Outcome_site-inspection\" name=\"Decision?\"");
        var process = XDocument.Parse(xml).Root!.Element(B + "process")!;
        process.Elements(B + "sequenceFlow").Where(f => f.Element(B + "conditionExpression") is not null)
            .ShouldAllBe(f => !string.IsNullOrWhiteSpace((string?)f.Attribute("name")));
        process.Elements(B + "sequenceFlow").ShouldContain(f => (string?)f.Attribute("name") == "floor_area <= 400 and height < 10");
    }
}
