using System.Collections.Immutable;
using System.Text.Json;

namespace Workflow.Core.Applications;

public enum ApplicationStatus { Submitted, InProgress, AwaitingCorrection, Approved, Rejected, Withdrawn }

public enum StepStatus { Open, Returned, Approved, Rejected, Skipped, Cancelled }

public sealed record StepState(string StepId, string Agency, StepStatus Status, DateTimeOffset? DueAt)
{
    /// <summary>Open, or waiting for the citizen's correction: the branch is still running.</summary>
    public bool IsLive => Status is StepStatus.Open or StepStatus.Returned;
}

/// <summary>
/// The write state of one application: only what <see cref="Decider"/> needs. Built from events alone, never from
/// a definition file, so a replay years later gives the same state.
/// </summary>
public sealed record Application(
    Guid Id,
    string WorkflowId,
    int WorkflowVersion,
    string DefinitionHash,
    string TrackingNumber,
    ApplicationStatus Status,
    ImmutableDictionary<string, JsonElement> Data,
    ImmutableHashSet<string> Documents,
    ImmutableDictionary<string, StepState> Steps,
    ImmutableDictionary<string, ImmutableHashSet<string>> Arrivals,
    int Returns,
    bool Complete)
{
    public bool IsFinished => Status is ApplicationStatus.Approved or ApplicationStatus.Rejected or ApplicationStatus.Withdrawn;

    public IEnumerable<StepState> LiveSteps => Steps.Values.Where(s => s.IsLive);

    public static Application? Evolve(Application? state, object @event) => (state, @event) switch
    {
        (null, ApplicationSubmitted e) => new Application(
            e.ApplicationId, e.WorkflowId, e.WorkflowVersion, e.DefinitionHash, e.TrackingNumber, ApplicationStatus.Submitted,
            e.Data.ToImmutableDictionary(), e.Documents.ToImmutableHashSet(),
            ImmutableDictionary<string, StepState>.Empty, ImmutableDictionary<string, ImmutableHashSet<string>>.Empty, 0, false),
        (null, _) => null,
        (_, StepOpened e) => state.WithStep(new StepState(e.StepId, e.Agency, StepStatus.Open, e.DueAt)),
        (_, StepSkipped e) => state.WithStep(new StepState(e.StepId, e.Agency, StepStatus.Skipped, null)).Arrive(e.StepId, e.Next),
        (_, StepApproved e) => state.WithStep(state.Steps[e.StepId] with { Status = StepStatus.Approved }).Arrive(e.StepId, e.Next),
        (_, StepRejected e) => state.WithStep(state.Steps[e.StepId] with { Status = StepStatus.Rejected }).Arrive(e.StepId, e.Next),
        (_, StepReturned e) => state.WithStep(state.Steps[e.StepId] with { Status = StepStatus.Returned }) with
        {
            Status = ApplicationStatus.AwaitingCorrection,
            Returns = state.Returns + 1,
        },
        (_, StepCancelled e) => state.WithStep(state.Steps[e.StepId] with { Status = StepStatus.Cancelled }),
        (_, ApplicationDeclaredComplete) => state with { Complete = true, Status = ApplicationStatus.InProgress },
        (_, CorrectionSubmitted e) => state with
        {
            Data = state.Data.SetItems(e.Data),
            Documents = state.Documents.Union(e.Documents),
            Status = state.Complete ? ApplicationStatus.InProgress : ApplicationStatus.Submitted,
        },
        (_, ApplicationApproved) => state.Finish(ApplicationStatus.Approved),
        (_, ApplicationRejected) => state.Finish(ApplicationStatus.Rejected),
        (_, ApplicationWithdrawn) => state.Finish(ApplicationStatus.Withdrawn),
        _ => state,
    };

    private Application WithStep(StepState step) => this with { Steps = Steps.SetItem(step.StepId, step) };

    private Application Arrive(string from, IReadOnlyList<string> targets) => this with
    {
        Arrivals = targets.Aggregate(Arrivals, (arrivals, target) =>
            arrivals.SetItem(target, arrivals.GetValueOrDefault(target, ImmutableHashSet<string>.Empty).Add(from))),
    };

    /// <summary>A finished application holds no running branch: whatever was still open is closed with it.</summary>
    private Application Finish(ApplicationStatus status) => this with
    {
        Status = status,
        Steps = Steps.SetItems(LiveSteps.Select(s => KeyValuePair.Create(s.StepId, s with { Status = StepStatus.Cancelled }))),
    };
}
