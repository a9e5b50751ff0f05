using JasperFx.Events;
using Marten.Events.Aggregation;
using Workflow.Core.Statistics;

namespace Workflow.Store.Statistics;

/// <summary>
/// The facts of each case that the statistics are computed from, kept by Marten's async daemon (never inline, so a
/// command never waits for monitoring). The daemon records how far it got in the same transaction as the documents it
/// wrote, so a restart resumes there and counts nothing twice.
/// </summary>
public sealed class CaseFactsProjection : SingleStreamProjection<CaseFacts, Guid>
{
    public const string ProjectionName = "case_facts";

    public CaseFactsProjection() => Name = ProjectionName;

    public override CaseFacts? Evolve(CaseFacts? snapshot, Guid id, IEvent e) => CaseFacts.Evolve(snapshot, e.Data);
}
