namespace Workflow.Api.Tests;

public class when_simulate_is_given_outcomes_it_does_not_know
{
    private static async Task<ServerProcess> Simulate(string outcomes)
    {
        var workflows = Path.Combine(ApiFixture.RepositoryRoot(), "workflows");
        var run = ServerProcess.Cli(Path.GetTempPath(), [
            "simulate", "enterprise-registration", "--workflows", workflows, "--start", "2024-04-10",
            "--data", "enterprise_name=Mekong", "enterprise_type=sole-trader", "registered_capital=1000", "business_sector=trade",
            "has_employees=false", "province=VTE", "--outcomes", outcomes]);
        await run.ExitAsync();
        return run;
    }

    [Theory]
    [InlineData("register=bogus", "'bogus' is not an outcome; use approve, reject or return")]
    [InlineData("register=7", "'7' is not an outcome; use approve, reject or return")]
    [InlineData("registr=return", "'registr' is not a step of enterprise-registration")]
    public async Task it_says_so_in_one_line_and_exits_with_2(string outcomes, string message)
    {
        var run = await Simulate(outcomes);

        (await run.ExitAsync()).ShouldBe(2, run.AllOutput);
        run.Output.ShouldBeEmpty();
        run.Error.ShouldHaveSingleItem().ShouldStartWith($"--outcomes: {message}");
    }

    [Fact]
    public async Task a_known_outcome_is_simulated()
    {
        var run = await Simulate("register=Reject");

        (await run.ExitAsync()).ShouldBe(0, run.AllOutput);
        run.Output.ShouldContain(l => l.TrimStart().StartsWith("register") && l.EndsWith("reject"));
        run.Output.Last().ShouldStartWith("rejected");
    }
}
