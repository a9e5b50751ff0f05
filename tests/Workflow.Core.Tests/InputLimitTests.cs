using Workflow.Core.Definitions;

namespace Workflow.Core.Tests;

public class when_a_definition_file_is_hostile
{
    private static IReadOnlyList<DefinitionProblem> Problems(string yaml) =>
        Should.Throw<DefinitionException>(() => Procedures.Catalog.Check("hostile.yaml", yaml)).Problems;

    [Theory]
    [InlineData('[', ']')]
    [InlineData('{', '}')]
    public void deeply_nested_brackets_are_one_problem_at_their_line_not_a_stack_overflow(char open, char close)
    {
        var problem = Problems(new string(open, 20_000) + new string(close, 20_000)).ShouldHaveSingleItem();

        problem.At.File.ShouldBe("hostile.yaml");
        problem.At.Line.ShouldBe(1);
        problem.Message.ShouldContain("nested more than 32 levels deep");
    }

    [Fact]
    public void deeply_indented_lists_are_refused_at_the_first_line_too_deep()
    {
        var yaml = string.Concat(Enumerable.Range(0, 200).Select(i => new string(' ', i) + "-\n"));

        var problem = Problems(yaml).ShouldHaveSingleItem();

        problem.Message.ShouldContain("nested more than 32 levels deep");
        problem.At.Line.ShouldBe(34);
    }

    [Fact]
    public void a_file_above_the_size_limit_is_refused_unread()
    {
        var problem = Problems("# " + new string('x', InputLimits.Default.MaxDefinitionLength)).ShouldHaveSingleItem();

        problem.Message.ShouldContain("a definition holds at most 262,144");
    }

    [Fact]
    public void a_condition_of_deeply_nested_parentheses_is_a_problem_of_the_definition()
    {
        var text = File.ReadAllText(Path.Combine(Procedures.RepositoryRoot(), "workflows", "enterprise-registration.yaml"))
            .Replace("when: has_employees", $"when: \"{new string('(', 100)}has_employees{new string(')', 100)}\"");

        Problems(text).ShouldContain(p => p.Message.Contains("parentheses are nested more than 32 levels deep"));
    }
}

public class when_a_condition_meets_extreme_data
{
    [Theory]
    [InlineData("floor_area * 1000000 > 5")]
    [InlineData("floor_area / (height - height) > 5")]
    public void arithmetic_that_overflows_or_divides_by_zero_does_not_hold_instead_of_throwing(string condition)
    {
        var data = new Dictionary<string, System.Text.Json.JsonElement>
        {
            ["floor_area"] = System.Text.Json.JsonDocument.Parse("79228162514264337593543950335").RootElement,
            ["height"] = System.Text.Json.JsonDocument.Parse("3").RootElement,
        };

        Condition.Holds(condition, Procedures.Get("construction-permit"), data).ShouldBeFalse();
    }
}
