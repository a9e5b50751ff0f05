using JasperFx.Events;
using Marten.Events.Aggregation;
using Workflow.Core.Applications;

namespace Workflow.Store.Applications;

/// <summary>
/// The write state, aggregated live from the stream for each command through the core's <see cref="Application.Evolve"/>;
/// conventional Apply methods would not be found in the Marten-free core assembly.
/// </summary>
public sealed class ApplicationProjection : SingleStreamProjection<Application, Guid>
{
    public override Application? Evolve(Application? snapshot, Guid id, IEvent e) => Application.Evolve(snapshot, e.Data);
}
