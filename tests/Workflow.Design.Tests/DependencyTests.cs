using Workflow.Core.Definitions;

namespace Workflow.Design.Tests;

public class when_the_designer_tools_are_built
{
    [Fact]
    public void they_use_core_and_the_framework_only_never_the_store_marten_or_asp_net()
    {
        var used = typeof(Simulation).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        used.ShouldContain(typeof(WorkflowDefinition).Assembly.GetName().Name!);
        used.Where(name => name.StartsWith("Workflow.", StringComparison.Ordinal)).ShouldBe(["Workflow.Core"]);
        used.ShouldNotContain(name => name.StartsWith("Marten", StringComparison.Ordinal)
                                      || name.StartsWith("Npgsql", StringComparison.Ordinal)
                                      || name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }
}
