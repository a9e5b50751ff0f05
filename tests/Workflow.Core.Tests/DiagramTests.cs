using Snapshooter;
using Snapshooter.Xunit;
using Workflow.Core.Definitions;

namespace Workflow.Core.Tests;

public class when_a_procedure_is_drawn
{
    [Theory]
    [InlineData("enterprise-registration")]
    [InlineData("construction-permit")]
    [InlineData("land-title-transfer")]
    [InlineData("import-licence")]
    [InlineData("accommodation-licence")]
    public void the_mermaid_flowchart_has_a_lane_per_agency_and_every_outcome(string id)
    {
        var definition = Procedures.Get(id);

        var mermaid = Diagram.Mermaid(definition, Procedures.Catalog);

        foreach (var agency in definition.Steps.Select(s => s.Agency).Distinct())
            mermaid.ShouldContain($"subgraph {agency.Replace('-', '_')} ");
        foreach (var step in definition.Steps)
            mermaid.ShouldContain($"    {step.Id.Replace('-', '_')}[\"{step.Title}");
        Snapshot.Match(mermaid, SnapshotNameExtension.Create(id));
    }
}
