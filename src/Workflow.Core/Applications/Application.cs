using System.Collections.Immutable;
using System.Text.Json;

namespace Workflow.Core.Applications;

public enum ApplicationStatus { Submitted, InProgress, AwaitingCorrection, Approved, Rejected, Withdrawn, Lapsed }

/// <summary>
/// The one rule for "running": an application that has not ended (submitted, in progress, or with the citizen for a
/// correction). Migrations and calendar changes act on exactly these.
/// </summary>
public static class ApplicationStatuses
{
    public static readonly ApplicationStatus[] Running =
        [ApplicationStatus.Submitted, ApplicationStatus.InProgress, ApplicationStatus.AwaitingCorrection];

    public static bool IsRunning(ApplicationStatus status) => Running.Contains(status);
}

public enum StepStatus { Open, Returned, Approved, Rejected, Skipped, Cancelled }

public sealed record StepState(
    string StepId,
    string Agency,
    StepStatus Status,
    DateTimeOffset OpenedAt,
    DateTimeOffset DueAt,
    int WorkingDays,
    DeadlineTimer? NextTimer,
    bool Warned = false,
    bool Breached = false,
    int EscalationLevel = 0,
    DateTimeOffset? ReturnedAt = null,
    ImmutableHashSet<int>? Acknowledged = null,
    Officer? Holder = null,
    PendingApproval? Pending = null,
    int HandOvers = 0)
{
    /// <summary>Open, or waiting for the citizen's correction: the branch is still running.</summary>
    public bool IsLive => Status is StepStatus.Open or StepStatus.Returned;
}

/// <summary>The legal deadline of the whole case (rules 1, 3 and 6 of Core/README.md).</summary>
public sealed record CaseClock(
    DateTimeOffset StartedAt,
    int WorkingDays,
    DateTimeOffset DueAt,
    bool Running,
    DateTimeOffset? CorrectionDueAt = null,
    int? RemainingAtStop = null,
    bool Missed = false);

/// <summary>
/// The write state of one application: only what <see cref="Decider"/> needs. Built from events alone, never from
/// a definition file or a calendar, so a replay years later gives the same state.
/// </summary>
/// <param name="Returns">The returns counted toward the procedure's cap: those after the completeness check.</param>
/// <param name="DeskState">Recusals and delegations (see Desk.cs); null until the first of them.</param>
/// <param name="Rated">The citizen has rated the service: a case is rated once.</param>
/// <param name="ReturnsInAll">Every return of the case, the completeness check's included: bounded by
/// <see cref="Decider.MaxReturnsPerCase"/>.</param>
public sealed partial record Application(
    Guid Id,
    string WorkflowId,
    int WorkflowVersion,
    string DefinitionHash,
    string TrackingNumber,
    string Centre,
    ApplicationStatus Status,
    ImmutableDictionary<string, JsonElement> Data,
    ImmutableHashSet<string> Documents,
    ImmutableDictionary<string, StepState> Steps,
    ImmutableDictionary<string, ImmutableHashSet<string>> Arrivals,
    int Returns,
    CaseClock? Clock,
    DateTimeOffset? CorrectionDueAt,
    CaseDesk? DeskState = null,
    bool Rated = false,
    int ReturnsInAll = 0)
{
    public bool IsFinished => !ApplicationStatuses.IsRunning(Status);

    public bool Complete => Clock is not null;

    public IEnumerable<StepState> LiveSteps => Steps.Values.Where(s => s.IsLive);

    public static Application? Evolve(Application? state, object @event) => (state, @event) switch
    {
        (null, ApplicationSubmitted e) => new Application(
            e.ApplicationId, e.WorkflowId, e.WorkflowVersion, e.DefinitionHash, e.TrackingNumber, e.Centre, ApplicationStatus.Submitted,
            e.Data.ToImmutableDictionary(), e.Documents.ToImmutableHashSet(),
            ImmutableDictionary<string, StepState>.Empty, ImmutableDictionary<string, ImmutableHashSet<string>>.Empty, 0, null, null),
        (null, _) => null,
        // A step reopened after a correction keeps the count of its hand-overs: the bound is per step and case.
        (_, StepOpened e) => state.WithStep(new StepState(e.StepId, e.Agency, StepStatus.Open, e.OpenedAt, e.DueAt, e.WorkingDays,
            e.NextTimer, HandOvers: state.Steps.GetValueOrDefault(e.StepId)?.HandOvers ?? 0)),
        (_, StepSkipped e) => state.WithStep(new StepState(e.StepId, e.Agency, StepStatus.Skipped, e.At, e.At, 0, null))
            .Arrive(e.StepId, e.NextSteps),
        (_, StepApproved e) => state.WithStep(state.Steps[e.StepId] with { Status = StepStatus.Approved, NextTimer = null })
            .Arrive(e.StepId, e.NextSteps),
        (_, StepRejected e) => state.WithStep(state.Steps[e.StepId] with { Status = StepStatus.Rejected, NextTimer = null })
            .Arrive(e.StepId, e.NextSteps),
        // A return at the completeness check is the centre finding the file incomplete before the legal clock starts: it
        // does not count toward the procedure's cap on returns.
        (_, StepReturned e) => state.WithStep(state.Steps[e.StepId] with { Status = StepStatus.Returned, ReturnedAt = e.At,
            NextTimer = null }) with
        {
            Status = ApplicationStatus.AwaitingCorrection,
            Returns = state.Complete ? state.Returns + 1 : state.Returns,
            ReturnsInAll = state.ReturnsInAll + 1,
        },
        (_, StepCancelled e) => state.WithStep(state.Steps[e.StepId] with { Status = StepStatus.Cancelled, NextTimer = null }),
        (_, ApplicationDeclaredComplete e) => state with
        {
            Status = ApplicationStatus.InProgress,
            Clock = new CaseClock(e.At, e.WorkingDays, e.DueAt, Running: true),
        },
        (_, CaseClockStopped e) => state with
        {
            CorrectionDueAt = e.CorrectionDueAt,
            Clock = state.Clock is null ? null : state.Clock with { Running = false, RemainingAtStop = e.RemainingWorkingDays },
        },
        (_, CaseClockResumed e) => state with
        {
            Clock = state.Clock! with { StartedAt = e.At, WorkingDays = e.WorkingDays, DueAt = e.DueAt, Running = true,
                RemainingAtStop = null },
        },
        (_, CorrectionSubmitted e) => state with
        {
            Data = state.Data.SetItems(e.Data),
            Documents = state.Documents.Union(e.Documents),
            Status = state.Complete ? ApplicationStatus.InProgress : ApplicationStatus.Submitted,
            CorrectionDueAt = null,
        },
        (_, DeadlineWarningReached e) => state.WithStep(state.Steps[e.StepId] with { Warned = true, NextTimer = e.NextTimer }),
        (_, DeadlineBreached e) => state.WithStep(state.Steps[e.StepId] with { Warned = true, Breached = true, NextTimer = e.NextTimer }),
        (_, StepEscalated e) => state.WithStep(state.Steps[e.StepId] with { EscalationLevel = e.Level, NextTimer = e.NextTimer }),
        (_, EscalationAcknowledged e) => state.WithStep(state.Steps[e.StepId] with
        {
            Acknowledged = (state.Steps[e.StepId].Acknowledged ?? []).Add(e.Level),
        }),
        (_, CaseDeadlineMissed) => state with { Clock = state.Clock! with { Missed = true } },
        (_, DeadlineRecalculated { Scope: DeadlineScopes.Case } e) => state with { Clock = state.Clock! with { DueAt = e.DueAt } },
        (_, DeadlineRecalculated e) => state.WithStep(state.Steps[e.Scope] with { DueAt = e.DueAt, NextTimer = e.NextTimer }),
        (_, ApplicationMigrated e) => state.Migrate(e),
        (_, ApplicationApproved) => state.Finish(ApplicationStatus.Approved),
        (_, ApplicationDeemedApproved) => state.Finish(ApplicationStatus.Approved),
        (_, ApplicationRejected) => state.Finish(ApplicationStatus.Rejected),
        (_, ApplicationWithdrawn) => state.Finish(ApplicationStatus.Withdrawn),
        (_, ApplicationLapsed) => state.Finish(ApplicationStatus.Lapsed),
        (_, IDeskEvent e) => state.OnDesk(e),
        (_, Citizens.ServiceRated) => state with { Rated = true },
        _ => state,
    };

    private Application WithStep(StepState step) => this with { Steps = Steps.SetItem(step.StepId, step) };

    private Application Migrate(ApplicationMigrated e)
    {
        string Map(string id) => e.Mapping.TryGetValue(id, out var to) ? to : id;
        var steps = Steps;
        foreach (var moved in e.Moved.Where(m => m.From != m.To))
            steps = steps.Remove(moved.From).SetItem(moved.To, Steps[moved.From] with { StepId = moved.To, Agency = moved.Agency });
        foreach (var moved in e.Moved.Where(m => m.From == m.To))
            steps = steps.SetItem(moved.To, steps[moved.To] with { Agency = moved.Agency });
        return this with
        {
            WorkflowVersion = e.ToVersion,
            DefinitionHash = e.ToHash,
            Steps = steps,
            Arrivals = Arrivals.ToImmutableDictionary(kv => Map(kv.Key), kv => kv.Value.Select(Map).ToImmutableHashSet()),
        };
    }

    private Application Arrive(string from, IReadOnlyList<string> targets) => this with
    {
        Arrivals = targets.Aggregate(Arrivals, (arrivals, target) =>
            arrivals.SetItem(target, arrivals.GetValueOrDefault(target, ImmutableHashSet<string>.Empty).Add(from))),
    };

    /// <summary>A finished application holds no running branch: whatever was still open is closed with it.</summary>
    private Application Finish(ApplicationStatus status) => this with
    {
        Status = status,
        Steps = Steps.SetItems(LiveSteps.Select(s => KeyValuePair.Create(s.StepId, s with { Status = StepStatus.Cancelled,
            NextTimer = null }))),
        Clock = Clock is null ? null : Clock with { Running = false },
    };
}
