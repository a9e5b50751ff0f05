using Workflow.Core.Applications;

namespace Workflow.Core.Tests;

public class when_branches_meet_at_a_join
{
    private static Scenario Flow(string after, int branches = 2)
    {
        var names = new[] { "a", "b", "c" }.Take(branches).ToArray();
        var steps = string.Join("\n", names.Select(n => $"""
              {n}:
                agency: {n}
                deadline: 2 working days
                approve: join
                return: citizen
            """));
        var definition = Procedures.Parse($"""
            id: join-test
            version: 1
            title: Join test
            deadline: 10 working days
            max_returns: 5
            steps:
              intake:
                agency: odsc
                deadline: 1 working day
                approve: [{string.Join(", ", names)}]
            {steps}
              join:
                agency: odsc
                after: {after}
                deadline: 1 working day
                approve: approved
            """);
        var s = new Scenario(definition).Submit([]);
        s.Approve("intake");
        return s;
    }

    [Fact]
    public void any_of_goes_ahead_at_the_first_branch_and_cancels_the_others()
    {
        var s = Flow("any");

        var events = s.Approve("a");

        events.OfType<StepCancelled>().Single().StepId.ShouldBe("b");
        s.OpenSteps.ShouldBe(["join"]);
        s.History.OfType<StepOpened>().Count(o => o.StepId == "join").ShouldBe(1);
    }

    [Fact]
    public void n_of_m_goes_ahead_when_n_branches_arrived()
    {
        var s = Flow("2", branches: 3);

        s.Approve("b");
        s.OpenSteps.ShouldBe(["a", "c"]);

        s.Approve("c");
        s.OpenSteps.ShouldBe(["join"]);
        s.State!.Steps["a"].Status.ShouldBe(StepStatus.Cancelled);
    }

    [Fact]
    public void all_of_waits_for_a_returned_branch_and_counts_it_once()
    {
        var s = Flow("all");

        s.Return("a");
        s.Approve("b");
        s.OpenSteps.ShouldBeEmpty();

        s.Correct();
        s.Return("a");
        s.Correct();
        s.Approve("a");

        s.OpenSteps.ShouldBe(["join"]);
        s.State!.Arrivals["join"].Count.ShouldBe(2);
        s.Approve("join");
        s.State!.Status.ShouldBe(ApplicationStatus.Approved);
    }

    [Fact]
    public void an_any_of_join_ignores_a_branch_returned_after_it_went_ahead()
    {
        var s = Flow("any");
        s.Return("b");

        s.Approve("a");

        s.State!.Steps["b"].Status.ShouldBe(StepStatus.Cancelled);
        s.State.Status.ShouldBe(ApplicationStatus.AwaitingCorrection);
        s.ThenFails<RuleViolation>(new SubmitCorrection(new Dictionary<string, System.Text.Json.JsonElement>(), [], null, Scenario.Clerk));
    }
}

public class when_conditions_route_a_construction_permit
{
    private static Dictionary<string, object> Building(
        double floorArea, double height, double site = 800, bool protectedArea = false) => new()
    {
        ["owner_name"] = "Bounmy",
        ["parcel_number"] = "VTE-01-2231",
        ["building_use"] = "residential",
        ["floor_area"] = floorArea,
        ["height"] = height,
        ["site_area"] = site,
        ["in_protected_area"] = protectedArea,
    };

    private static Scenario Inspected(Dictionary<string, object> data)
    {
        var s = new Scenario(Procedures.Get("construction-permit")).Submit(data,
            ["application-form", "land-title", "building-plans", "environmental-impact-statement"]);
        s.Approve("intake");
        foreach (var step in s.OpenSteps.ToList()) s.Approve(step);
        s.Approve("site-inspection");
        return s;
    }

    [Fact]
    public void only_the_reviews_that_apply_are_opened()
    {
        var s = new Scenario(Procedures.Get("construction-permit"))
            .Submit(Building(300, 8), ["application-form", "land-title", "building-plans"]);

        s.Approve("intake");

        s.OpenSteps.ShouldBe(["land-title-check", "zoning-review"]);
        s.History.OfType<StepSkipped>().Select(e => e.StepId).Order().ShouldBe(["environmental-certificate", "heritage-opinion"]);
    }

    [Fact]
    public void a_large_site_in_a_protected_area_needs_all_four_reviews()
    {
        var s = new Scenario(Procedures.Get("construction-permit")).Submit(Building(300, 8, site: 6000, protectedArea: true),
            ["application-form", "land-title", "building-plans", "environmental-impact-statement"]);

        s.Approve("intake");

        s.OpenSteps.Count().ShouldBe(4);
    }

    [Theory]
    [InlineData(300, 8, "district-decision")]
    [InlineData(300, 12, "provincial-decision")]
    [InlineData(5000, 15, "provincial-decision")]
    [InlineData(12000, 15, "governor-decision")]
    [InlineData(900, 25, "governor-decision")]
    public void the_competent_level_depends_on_floor_area_and_height(double floorArea, double height, string level)
    {
        var s = Inspected(Building(floorArea, height));

        s.OpenSteps.ShouldBe([level]);
        s.Approve(level);
        s.OpenSteps.ShouldBe(["fee-and-issue"]);
    }
}
