using System.Xml.Linq;
using Snapshooter;
using Snapshooter.Xunit;
using Workflow.Core.Definitions;
using Workflow.Design;

namespace Workflow.Design.Tests;

public class when_a_procedure_is_drawn_as_svg
{
    private static readonly XNamespace S = "http://www.w3.org/2000/svg";

    private static XElement Draw(WorkflowDefinition definition, DiagramOptions options) =>
        XElement.Parse(DiagramSvg.Render(Layout.Of(definition), options));

    private static string Text(XElement svg) => string.Join(" ", svg.Descendants(S + "text").Select(t => t.Value));

    public static TheoryData<string> Shipped() => [.. Procedures.Catalog.Latest.Select(d => d.Id)];

    [Theory, MemberData(nameof(Shipped))]
    public void it_is_an_image_named_for_screen_readers_with_every_agency_step_and_outcome_written_in_it(string id)
    {
        var definition = Procedures.Get(id);

        var svg = XElement.Parse(Diagram.Svg(definition, Procedures.Catalog));

        svg.Attribute("role")!.Value.ShouldBe("img");
        var title = svg.Element(S + "title")!;
        title.Value.ShouldBe($"{definition.Title}, version 1");
        svg.Attribute("aria-labelledby")!.Value.ShouldBe(title.Attribute("id")!.Value);
        double.Parse(svg.Attribute("width")!.Value, System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBeLessThanOrEqualTo(Layout.MaxWidth);
        var text = Text(svg);
        foreach (var agency in definition.Steps.Select(s => s.Agency).Distinct())
            text.ShouldContain(Procedures.Catalog.FindAgency(agency)!.Name);
        // Titles are wrapped into lines; every word of every title is written.
        foreach (var word in definition.Steps.SelectMany(s => s.Title.Split(' ')))
            text.ShouldContain(word);
        if (definition.Steps.Any(s => s.Reject is not null)) text.ShouldContain("reject");
        foreach (var condition in definition.Steps.Where(s => s.When is not null).Select(s => s.When!))
            text.Replace(" ", "").ShouldContain(condition.Replace(" ", ""));
        svg.Descendants(S + "polyline").Count().ShouldBe(Layout.Of(definition).Edges.Length);
    }

    [Fact]
    public void the_way_back_through_the_citizen_is_dashed_and_labelled_return()
    {
        var definition = Procedures.Get("land-title-transfer");
        var layout = Layout.Of(definition);

        var svg = XElement.Parse(DiagramSvg.Render(layout, new DiagramOptions { Title = "map" }));

        var dashed = svg.Descendants(S + "polyline").Where(p => p.Attribute("stroke-dasharray") is not null).ToList();
        dashed.Count.ShouldBe(layout.Edges.Count(e => e.Kind is EdgeKind.Return or EdgeKind.Resubmit));
        dashed.Count.ShouldBe(2 * definition.Steps.Count(s => s.CanReturn));
        Text(svg).Split(' ').Count(w => w == "return").ShouldBe(definition.Steps.Count(s => s.CanReturn));
    }

    [Fact]
    public void a_case_map_draws_each_step_in_its_state_with_its_note_in_the_readers_language()
    {
        var definition = Procedures.Get("enterprise-registration");
        var options = new DiagramOptions
        {
            Title = "ແຜນຜັງຂັ້ນຕອນ",
            Words = DiagramWords.English with { Citizen = "ປະຊາຊົນ", Reject = "ປະຕິເສດ", Approved = "ອະນຸມັດ" },
            LaneName = agency => agency == "odsc" ? "ສູນບໍລິການປະຕູດຽວ" : null,
            StepTitle = step => step == "intake" ? "ກວດຄວາມຄົບຖ້ວນ" : null,
            Steps = new Dictionary<string, StepMark>
            {
                ["intake"] = new(StepState.Done, "ອະນຸມັດ"),
                ["register"] = new(StepState.Open, "ກຳນົດ 12/12/2026, Somchai"),
                ["seal"] = new(StepState.NotReached),
            },
        };

        var svg = Draw(definition, options);

        svg.Element(S + "title")!.Value.ShouldBe("ແຜນຜັງຂັ້ນຕອນ");
        var text = Text(svg);
        text.ShouldContain("ປະຊາຊົນ");
        text.ShouldContain("ສູນບໍລິການປະຕູດຽວ");
        text.ShouldContain("ປະຕິເສດ");
        text.ShouldNotContain("Completeness check");
        XElement Step(string title) => svg.Descendants(S + "g").Single(g => g.Element(S + "title")?.Value.StartsWith(title) == true);
        Step("ກວດຄວາມຄົບຖ້ວນ").Element(S + "title")!.Value.ShouldBe("ກວດຄວາມຄົບຖ້ວນ: ອະນຸມັດ");
        Step("ກວດຄວາມຄົບຖ້ວນ").Element(S + "rect")!.Attribute("fill")!.Value.ShouldBe("#dcefe1");
        var open = Step("Register the enterprise");
        open.Element(S + "rect")!.Attribute("stroke-width")!.Value.ShouldBe("3");
        string.Join(" ", open.Elements(S + "text").Select(t => t.Value)).ShouldContain("Somchai");
        Step("Register the company seal").Element(S + "rect")!.Attribute("stroke-dasharray").ShouldNotBeNull();
        Step("Register the employer").Element(S + "rect")!.Attribute("fill")!.Value.ShouldBe("#ffffff");
    }

    [Fact]
    public void a_simulated_path_highlights_its_steps_and_the_arrows_between_them_and_nothing_else()
    {
        var definition = Procedures.Get("enterprise-registration");
        var layout = Layout.Of(definition);
        var path = new HashSet<string> { "intake", "register", "seal", "handover", WorkflowDefinition.Approved };

        var svg = XElement.Parse(DiagramSvg.Render(layout, new DiagramOptions { Title = "path", Highlight = path }));

        var lines = svg.Descendants(S + "polyline").ToList();
        var highlighted = layout.Edges.Where((_, i) => lines[i].Attribute("stroke")!.Value == "#0b5394").ToList();
        highlighted.ShouldContain(e => e.Source == "Split_register" && e.Target == "Merge_seal");
        highlighted.ShouldContain(e => e.Source == "Task_handover" && e.Target == "End_approved_handover");
        highlighted.ShouldNotContain(e => e.Target == "Merge_social-security" || e.Target.StartsWith("Citizen_")
                                          || e.Target.StartsWith("End_rejected"));
        // Every step on the path is reached by a highlighted arrow.
        foreach (var step in path.Where(p => p != WorkflowDefinition.Approved))
            highlighted.ShouldContain(e => layout.Node(e.Target).Step == step, step);
    }

    [Fact]
    public void words_with_characters_xml_cannot_hold_or_markup_are_written_as_plain_text()
    {
        var svg = Draw(Keywords.Definition, new DiagramOptions
        {
            Title = "A map\u0001 <b>bold</b>",
            StepTitle = step => step == "end" ? "Check\u0007 the <script>alert(1)</script> file 😀" : null,
        });

        svg.Element(S + "title")!.Value.ShouldBe("A map <b>bold</b>");
        var steps = svg.Descendants(S + "g").Select(g => g.Element(S + "title")?.Value).OfType<string>().ToList();
        steps.ShouldContain("Check the <script>alert(1)</script> file 😀");
        svg.Descendants(S + "script").ShouldBeEmpty();
        // Keywords' own titles, with quotes, angle brackets and '#', come through as written.
        steps.ShouldContain(Keywords.Definition.FindStep("flowchart")!.Title);
    }

    [Fact]
    public void the_drawing_of_a_procedure_stays_as_reviewed()
    {
        Snapshot.Match(Diagram.Svg(Procedures.Get("enterprise-registration"), Procedures.Catalog));
    }
}
