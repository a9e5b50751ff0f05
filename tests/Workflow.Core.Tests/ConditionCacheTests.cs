using System.Text.Json;
using Workflow.Core.Definitions;

namespace Workflow.Core.Tests;

public class when_many_cases_evaluate_the_same_conditions_at_once
{
    private static Dictionary<string, JsonElement> Building(int floorArea, int height) => new()
    {
        ["floor_area"] = JsonSerializer.SerializeToElement(floorArea),
        ["height"] = JsonSerializer.SerializeToElement(height),
    };

    [Fact]
    public void each_case_gets_the_answer_for_its_own_data()
    {
        var permit = Procedures.Get("construction-permit");
        const string small = "floor_area <= 400 and height < 10";
        const string large = "floor_area > 10000 or height > 20";
        var cases = Enumerable.Range(0, 20_000).Select(i => (Area: i % 2 == 0 ? 300 : 12_000, Height: i % 3 == 0 ? 25 : 5)).ToArray();

        var answers = cases.AsParallel().WithDegreeOfParallelism(8)
            .Select(c => (c, Small: Condition.Holds(small, permit, Building(c.Area, c.Height)),
                Large: Condition.Holds(large, permit, Building(c.Area, c.Height))))
            .ToList();

        answers.Count.ShouldBe(cases.Length);
        foreach (var (c, isSmall, isLarge) in answers)
        {
            isSmall.ShouldBe(c.Area <= 400 && c.Height < 10, $"{c.Area} m2, {c.Height} m");
            isLarge.ShouldBe(c.Area > 10_000 || c.Height > 20, $"{c.Area} m2, {c.Height} m");
        }
    }

    [Fact]
    public void a_text_that_differs_by_one_character_is_its_own_condition()
    {
        var permit = Procedures.Get("construction-permit");
        var data = Building(400, 5);

        Condition.Holds("floor_area <= 400", permit, data).ShouldBeTrue();
        Condition.Holds("floor_area < 400", permit, data).ShouldBeFalse();
        Condition.Holds("floor_area <= 400", permit, data).ShouldBeTrue();
    }
}
