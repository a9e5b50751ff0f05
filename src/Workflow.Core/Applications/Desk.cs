using System.Collections.Immutable;

namespace Workflow.Core.Applications;

// The agency desk: who works on which step of a case. Claims, releases, reassignments, delegations, recusals and the
// four-eyes confirmation of an approval are commands on the case like any decision, decided by the Decider and recorded
// as events of the case's own stream with their actor and reason. A delegation is recorded in the stream of each case
// where the delegating officer holds a step: it covers the steps he holds in that case during its period.

/// <summary>An officer named in a desk event: the one who holds a step, receives it, or delegates to a colleague.</summary>
public sealed record Officer(string UserId, string Name)
{
    public static Officer Of(Actor actor) => new(actor.UserId, actor.Name);
}

public abstract record DeskCommand(Actor By) : ApplicationCommand(By);

/// <summary>"I am working on this": the step is the caller's until released or reassigned.</summary>
public sealed record ClaimStep(string StepId, string? Reason, Actor By) : DeskCommand(By);

public sealed record ReleaseStep(string StepId, string Reason, Actor By) : DeskCommand(By);

/// <summary>A supervisor gives the step to a named officer of the agency.</summary>
public sealed record ReassignStep(string StepId, Officer To, string Reason, Actor By) : DeskCommand(By);

/// <summary>
/// The caller's steps in this case may be decided by a colleague from <paramref name="From"/> to <paramref name="Until"/>.
/// </summary>
public sealed record DelegateSteps(Officer To, DateTimeOffset From, DateTimeOffset Until, string Reason, Actor By) : DeskCommand(By);

/// <param name="Of">Whose delegation ends: the caller's own when null; a supervisor may end another officer's.</param>
public sealed record RevokeDelegation(string? Of, string Reason, Actor By) : DeskCommand(By);

/// <summary>A conflict of interest: the caller can no longer claim, decide or confirm anything in this case.</summary>
public sealed record RecuseFromCase(string Reason, Actor By) : DeskCommand(By);

/// <summary>The second pair of eyes on a four-eyes step: another officer of the agency confirms the pending approval.</summary>
public sealed record ConfirmStepApproval(string StepId, string Reason, string? Comment, Actor By) : DeskCommand(By);

/// <summary>The events of the desk; the application's state folds them in <see cref="Application"/>'s desk part.</summary>
public interface IDeskEvent;

public sealed record StepClaimed(string StepId, string Agency, string? Reason, Actor By, DateTimeOffset At) : IDeskEvent;

/// <param name="Holder">Who held the step until now (the caller, or for a supervisor or a recusal, the officer named).</param>
public sealed record StepReleased(string StepId, string Agency, Officer Holder, string Reason, Actor By, DateTimeOffset At) : IDeskEvent;

public sealed record StepReassigned(string StepId, string Agency, Officer? From, Officer To, string Reason, Actor By, DateTimeOffset At)
    : IDeskEvent;

/// <param name="Steps">The steps the delegating officer held when granting; the delegation covers those he holds while it runs.</param>
public sealed record DelegationGranted(Officer Delegator, Officer To, IReadOnlyList<string> Steps, DateTimeOffset From,
    DateTimeOffset Until, string Reason, Actor By, DateTimeOffset At) : IDeskEvent;

public sealed record DelegationRevoked(Officer Delegator, Officer To, string Reason, Actor By, DateTimeOffset At) : IDeskEvent;

public sealed record OfficerRecused(Officer Officer, string? Agency, string Reason, Actor By, DateTimeOffset At) : IDeskEvent;

/// <summary>The first approval of a four-eyes step: recorded, but the step stays open until another officer confirms it.</summary>
public sealed record StepApprovedPendingConfirmation(string StepId, string Agency, string Reason, string? Comment, Actor By,
    DateTimeOffset At) : IDeskEvent;

/// <summary>The second officer confirmed: a <see cref="StepApproved"/> follows in the same command and routes the case on.</summary>
public sealed record StepApprovalConfirmed(string StepId, string Agency, Actor ApprovedBy, string Reason, string? Comment, Actor By,
    DateTimeOffset At) : IDeskEvent;

/// <summary>A pending approval that no longer stands because the officer who gave it recused himself.</summary>
public sealed record StepApprovalWithdrawn(string StepId, string Agency, Actor ApprovedBy, string Reason, Actor By, DateTimeOffset At)
    : IDeskEvent;

public static class DeskEvents
{
    /// <summary>Stable names under which the desk's events are stored; never reuse a name for a new meaning.</summary>
    public static readonly IReadOnlyDictionary<Type, string> Aliases = new Dictionary<Type, string>
    {
        [typeof(StepClaimed)] = "step_claimed",
        [typeof(StepReleased)] = "step_released",
        [typeof(StepReassigned)] = "step_reassigned",
        [typeof(DelegationGranted)] = "delegation_granted",
        [typeof(DelegationRevoked)] = "delegation_revoked",
        [typeof(OfficerRecused)] = "officer_recused",
        [typeof(StepApprovedPendingConfirmation)] = "step_approved_pending_confirmation",
        [typeof(StepApprovalConfirmed)] = "step_approval_confirmed",
        [typeof(StepApprovalWithdrawn)] = "step_approval_withdrawn",
    };
}

/// <summary>A first approval of a four-eyes step waiting for a second officer.</summary>
public sealed record PendingApproval(Actor By, string Reason, string? Comment, DateTimeOffset At);

public sealed record Delegation(Officer Delegator, Officer To, DateTimeOffset From, DateTimeOffset Until)
{
    /// <summary>Both ends are inclusive.</summary>
    public bool Covers(DateTimeOffset now) => From <= now && now <= Until;
}

/// <summary>Who may no longer act on the case, and which officers' steps a colleague may decide for them, by user id.</summary>
/// <param name="Granted">How many delegations were granted in the case, ended or not.</param>
public sealed record CaseDesk(ImmutableHashSet<string> Recused, ImmutableDictionary<string, Delegation> Delegations, int Granted = 0)
{
    public static readonly CaseDesk Empty = new([], ImmutableDictionary<string, Delegation>.Empty);
}

public sealed partial record Application
{
    public CaseDesk Desk => DeskState ?? CaseDesk.Empty;

    public bool IsRecused(string userId) => Desk.Recused.Contains(userId);

    /// <summary>Whether <paramref name="actor"/> acts, at <paramref name="now"/>, as the delegate of <paramref name="holder"/>.</summary>
    public bool IsDelegateOf(Officer holder, Actor actor, DateTimeOffset now) =>
        Desk.Delegations.TryGetValue(holder.UserId, out var delegation) && delegation.To.UserId == actor.UserId && delegation.Covers(now);

    private Application OnDesk(IDeskEvent @event) => @event switch
    {
        StepClaimed e => HandOver(e.StepId, Officer.Of(e.By)),
        StepReleased e => WithStep(Steps[e.StepId] with { Holder = null }),
        StepReassigned e => HandOver(e.StepId, e.To),
        DelegationGranted e => this with
        {
            DeskState = Desk with
            {
                Delegations = Desk.Delegations.SetItem(e.Delegator.UserId, new(e.Delegator, e.To, e.From, e.Until)),
                Granted = Desk.Granted + 1,
            },
        },
        DelegationRevoked e => this with { DeskState = Desk with { Delegations = Desk.Delegations.Remove(e.Delegator.UserId) } },
        OfficerRecused e => this with { DeskState = Desk with { Recused = Desk.Recused.Add(e.Officer.UserId) } },
        StepApprovedPendingConfirmation e =>
            WithStep(Steps[e.StepId] with { Pending = new PendingApproval(e.By, e.Reason, e.Comment, e.At) }),
        StepApprovalConfirmed e => WithStep(Steps[e.StepId] with { Pending = null }),
        StepApprovalWithdrawn e => WithStep(Steps[e.StepId] with { Pending = null }),
        _ => this,
    };

    private Application HandOver(string stepId, Officer to)
    {
        var step = Steps[stepId];
        return WithStep(step with { Holder = to, HandOvers = step.HandOvers + 1 });
    }
}
