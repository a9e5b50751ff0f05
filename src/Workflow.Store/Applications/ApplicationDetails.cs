using System.Text.Json;
using Workflow.Core.Applications;

namespace Workflow.Store.Applications;

/// <param name="RemainingWorkingDays">Filled when read, from the office calendar: negative when overdue.</param>
/// <param name="Holder">The officer working on the step (claimed or reassigned); null when nobody holds it.</param>
/// <param name="PendingApproval">A four-eyes step's first approval, waiting for another officer's confirmation.</param>
public sealed record OpenStepView(string StepId, string Title, string Agency, DateTimeOffset OpenedAt, DateTimeOffset DueAt,
    int WorkingDays,
    bool AwaitingCorrection, bool Breached = false, int EscalationLevel = 0, int? RemainingWorkingDays = null,
    Officer? Holder = null, PendingApprovalView? PendingApproval = null);

public sealed record PendingApprovalView(Actor By, string Reason, string? Comment, DateTimeOffset At);

public sealed record RecusalView(Officer Officer, string? Agency, string Reason, DateTimeOffset At);

/// <param name="Steps">The steps the delegating officer held when granting it.</param>
public sealed record DelegationView(Officer Delegator, Officer To, IReadOnlyList<string> Steps, DateTimeOffset From, DateTimeOffset Until,
    string Reason, DateTimeOffset GrantedAt, DateTimeOffset? RevokedAt = null, Actor? RevokedBy = null);

/// <param name="Late">Decided after its due time: the lateness belongs to <paramref name="Agency"/>.</param>
public sealed record CompletedStepView(string StepId, string Agency, string Outcome, DateTimeOffset At, Actor? By, string? Reason,
    string? Comment,
    DateTimeOffset? DueAt = null, bool Late = false);

public sealed record BreachView(string StepId, string Agency, DateTimeOffset DueAt, DateTimeOffset At);

public sealed record EscalationView(string StepId, string Agency, int Level, IReadOnlyList<string> Notified, DateTimeOffset At,
    Actor? AcknowledgedBy = null, DateTimeOffset? AcknowledgedAt = null);

/// <summary>
/// The legal clock as people read it. <c>State</c> is not-started (before the completeness check), running, stopped
/// (the file is with the citizen) or finished. <c>Missed</c> and <c>Timeliness</c> follow <see cref="CaseTimeliness"/>:
/// on time means by the legal deadline, extended only by time the citizen held the file (rule 6 of Core/README.md); an apology's
/// new date does not make a late case on time; a lapsed or withdrawn case has no timeliness.
/// </summary>
public sealed record ClockView(string State, DateTimeOffset? DueAt, DateTimeOffset? CorrectionDueAt, bool Missed,
    DateTimeOffset? NewExpectedAt,
    bool DeemedApproval, string? Timeliness, string? CalendarVersion, int? RemainingWorkingDays = null);

/// <summary>What people read about one application: its status, open and completed steps, and the version for ETags.</summary>
public sealed record ApplicationDetails
{
    public Guid Id { get; init; }
    public string TrackingNumber { get; init; } = "";
    public string WorkflowId { get; init; } = "";
    public int WorkflowVersion { get; init; }
    public string DefinitionHash { get; init; } = "";
    public string Centre { get; init; } = "";
    public string Channel { get; init; } = "";
    public ApplicationStatus Status { get; init; }
    public Applicant Applicant { get; init; } = new("");
    public IReadOnlyDictionary<string, JsonElement> Data { get; init; } = new Dictionary<string, JsonElement>();
    public IReadOnlyList<string> Documents { get; init; } = [];
    public DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public DateTimeOffset? DueAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public IReadOnlyList<OpenStepView> OpenSteps { get; init; } = [];
    public IReadOnlyList<CompletedStepView> CompletedSteps { get; init; } = [];

    /// <summary>Every agency that has held a step of this application: an officer of one of them may read it.</summary>
    public IReadOnlyList<string> Agencies { get; init; } = [];

    public int Returns { get; init; }
    public ClockView Clock { get; init; } = new("not-started", null, null, false, null, false, null, null);
    public IReadOnlyList<BreachView> Breaches { get; init; } = [];
    public IReadOnlyList<EscalationView> Escalations { get; init; } = [];

    /// <summary>Officers who recused themselves from the case: they can no longer claim, decide or confirm any of its steps.</summary>
    public IReadOnlyList<RecusalView> Recusals { get; init; } = [];

    /// <summary>Every delegation recorded in the case, including those ended.</summary>
    public IReadOnlyList<DelegationView> Delegations { get; init; } = [];
    public long Version { get; init; }
}

/// <summary>How the details follow the events: written in each command's transaction by <see cref="CaseDocumentsProjection"/>.</summary>
public static class ApplicationDetailsProjection
{
    /// <summary>
    /// One event of the stream folded into the details. It reads the event's data only (never its metadata), so the
    /// as-of replay (<see cref="ApplicationReplay"/>) folds the stored data through this same function.
    /// </summary>
    public static ApplicationDetails? Fold(ApplicationDetails? snapshot, object @event)
    {
        // Every event of the stream passes here in order, so counting them gives the stream version, whatever
        // the append mode tells the projection.
        var next = Project(snapshot, @event);
        return next is null ? null : next with { Version = (snapshot?.Version ?? 0) + 1, Clock = Timed(snapshot, next.Clock, @event) };
    }

    /// <summary>
    /// Whether the legal deadline was missed, and the verdict when the case ends: the one rule of <see
    /// cref="CaseTimeliness"/>.
    /// </summary>
    private static ClockView Timed(ApplicationDetails? before, ClockView clock, object @event)
    {
        var was = before?.Clock ?? clock;
        var timeliness = new CaseTimeliness(was.DueAt, was.State == "running", was.Missed, was.NewExpectedAt is not null, was.Timeliness)
            .Evolve(@event);
        return clock with { Missed = timeliness.Missed, Timeliness = timeliness.Verdict };
    }

    private static ApplicationDetails? Project(ApplicationDetails? d, object @event) => (d, @event) switch
    {
        (null, ApplicationSubmitted e) => new ApplicationDetails
        {
            Id = e.ApplicationId,
            TrackingNumber = e.TrackingNumber,
            WorkflowId = e.WorkflowId,
            WorkflowVersion = e.WorkflowVersion,
            DefinitionHash = e.DefinitionHash,
            Centre = e.Centre,
            Channel = e.Channel,
            Status = ApplicationStatus.Submitted,
            Applicant = e.Applicant,
            Data = e.Data,
            Documents = e.Documents,
            SubmittedAt = e.At,
        },
        (null, _) => null,
        (_, StepOpened e) => d with
        {
            OpenSteps = [.. d.OpenSteps.Where(s => s.StepId != e.StepId), new OpenStepView(e.StepId, e.Title, e.Agency, e.OpenedAt,
                e.DueAt, e.WorkingDays, false)],
            Agencies = d.Agencies.Contains(e.Agency) ? d.Agencies : [.. d.Agencies, e.Agency],
        },
        (_, StepApproved e) => Close(d, e.StepId, e.Agency, "approved", e.At, e.By, e.Reason, e.Comment),
        (_, StepRejected e) => Close(d, e.StepId, e.Agency, "rejected", e.At, e.By, e.Reason, e.Comment),
        (_, StepSkipped e) => Close(d, e.StepId, e.Agency, "skipped", e.At, null, $"condition not met: {e.Condition}", null),
        (_, StepCancelled e) => Close(d, e.StepId, e.Agency, "cancelled", e.At, null, e.Reason, null),
        (_, StepReturned e) => d with
        {
            Status = ApplicationStatus.AwaitingCorrection,
            Returns = d.Returns + 1,
            OpenSteps = [.. d.OpenSteps.Select(s => s.StepId == e.StepId ? s with { AwaitingCorrection = true } : s)],
        },
        (_, CorrectionSubmitted e) => d with
        {
            Status = d.CompletedAt is null ? ApplicationStatus.Submitted : ApplicationStatus.InProgress,
            Data = d.Data.Concat(e.Data).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value),
            Documents = [.. d.Documents.Union(e.Documents)],
        },
        (_, ApplicationDeclaredComplete e) => d with
        {
            Status = ApplicationStatus.InProgress,
            CompletedAt = e.At,
            DueAt = e.DueAt,
            Clock = d.Clock with { State = "running", DueAt = e.DueAt, CalendarVersion = e.CalendarVersion },
        },
        (_, CaseClockStopped e) => d with
        {
            Clock = d.Clock with { State = d.Clock.State == "running" ? "stopped" : d.Clock.State, CorrectionDueAt = e.CorrectionDueAt },
        },
        (_, CaseClockResumed e) => d with
        {
            DueAt = e.DueAt,
            Clock = d.Clock with { State = "running", DueAt = e.DueAt, CorrectionDueAt = null, CalendarVersion = e.CalendarVersion },
        },
        (_, DeadlineBreached e) => d with
        {
            Breaches = [.. d.Breaches, new BreachView(e.StepId, e.Agency, e.DueAt, e.At)],
            OpenSteps = [.. d.OpenSteps.Select(s => s.StepId == e.StepId ? s with { Breached = true } : s)],
        },
        (_, StepEscalated e) => d with
        {
            Escalations = [.. d.Escalations, new EscalationView(e.StepId, e.Agency, e.Level, e.Notified, e.At)],
            OpenSteps = [.. d.OpenSteps.Select(s => s.StepId == e.StepId ? s with { EscalationLevel = e.Level } : s)],
        },
        (_, EscalationAcknowledged e) => d with
        {
            Escalations = [.. d.Escalations.Select(x => x.StepId == e.StepId && x.Level == e.Level
                ? x with { AcknowledgedBy = e.By, AcknowledgedAt = e.At } : x)],
        },
        (_, CaseDeadlineMissed e) => d with { Clock = d.Clock with { NewExpectedAt = e.NewExpectedAt } },
        (_, DeadlineRecalculated { Scope: DeadlineScopes.Case } e) => d with
        {
            DueAt = e.DueAt,
            Clock = d.Clock with { DueAt = e.DueAt, CalendarVersion = e.CalendarVersion },
        },
        (_, DeadlineRecalculated e) => d with
        {
            OpenSteps = [.. d.OpenSteps.Select(s => s.StepId == e.Scope ? s with { DueAt = e.DueAt } : s)],
        },
        (_, ApplicationMigrated e) => d with
        {
            WorkflowVersion = e.ToVersion,
            DefinitionHash = e.ToHash,
            OpenSteps = [.. d.OpenSteps.Select(s => e.Moved.FirstOrDefault(m => m.From == s.StepId) is { } m
                ? s with { StepId = m.To, Agency = m.Agency, Title = m.Title }
                : s)],
            Agencies = [.. d.Agencies.Union(e.Moved.Select(m => m.Agency))],
        },
        (_, ApplicationDeemedApproved e) => Finish(d with { Clock = d.Clock with { DeemedApproval = true } },
            ApplicationStatus.Approved, e.At),
        (_, ApplicationLapsed e) => Finish(d, ApplicationStatus.Lapsed, e.At),
        (_, ApplicationApproved e) => Finish(d, ApplicationStatus.Approved, e.At),
        (_, ApplicationRejected e) => Finish(d, ApplicationStatus.Rejected, e.At),
        (_, ApplicationWithdrawn e) => Finish(d, ApplicationStatus.Withdrawn, e.At),
        (_, IDeskEvent e) => Desk(d, e),
        _ => d,
    };

    private static ApplicationDetails Desk(ApplicationDetails d, IDeskEvent @event)
    {
        ApplicationDetails Step(string stepId, Func<OpenStepView, OpenStepView> change) =>
            d with { OpenSteps = [.. d.OpenSteps.Select(s => s.StepId == stepId ? change(s) : s)] };
        return @event switch
        {
            StepClaimed e => Step(e.StepId, s => s with { Holder = Officer.Of(e.By) }),
            StepReleased e => Step(e.StepId, s => s with { Holder = null }),
            StepReassigned e => Step(e.StepId, s => s with { Holder = e.To }),
            StepApprovedPendingConfirmation e => Step(e.StepId, s => s with { PendingApproval = new(e.By, e.Reason, e.Comment, e.At) }),
            StepApprovalConfirmed e => Step(e.StepId, s => s with { PendingApproval = null }),
            StepApprovalWithdrawn e => Step(e.StepId, s => s with { PendingApproval = null }),
            OfficerRecused e => d with { Recusals = [.. d.Recusals, new RecusalView(e.Officer, e.Agency, e.Reason, e.At)] },
            DelegationGranted e => d with
            {
                Delegations = [.. d.Delegations.Select(x => x.Delegator.UserId == e.Delegator.UserId && x.RevokedAt is null
                    ? x with { RevokedAt = e.At, RevokedBy = e.By } : x),
                    new DelegationView(e.Delegator, e.To, e.Steps, e.From, e.Until, e.Reason, e.At)],
            },
            DelegationRevoked e => d with
            {
                Delegations = [.. d.Delegations.Select(x => x.Delegator.UserId == e.Delegator.UserId && x.RevokedAt is null
                    ? x with { RevokedAt = e.At, RevokedBy = e.By } : x)],
            },
            _ => d,
        };
    }

    private static ApplicationDetails Close(ApplicationDetails d, string stepId, string agency, string outcome, DateTimeOffset at,
        Actor? by, string? reason, string? comment)
    {
        var open = d.OpenSteps.FirstOrDefault(s => s.StepId == stepId);
        return d with
        {
            OpenSteps = [.. d.OpenSteps.Where(s => s.StepId != stepId)],
            CompletedSteps = [.. d.CompletedSteps, new CompletedStepView(stepId, agency, outcome, at, by, reason, comment, open?.DueAt,
                open is not null && by is not null && Lateness.IsLate(at, open.DueAt))],
            Agencies = d.Agencies.Contains(agency) ? d.Agencies : [.. d.Agencies, agency],
        };
    }

    /// <summary>Steps still open when the application ends are closed with it; none stays in an inbox.</summary>
    private static ApplicationDetails Finish(ApplicationDetails d, ApplicationStatus status, DateTimeOffset at) => d with
    {
        Status = status,
        FinishedAt = at,
        Clock = d.Clock with { State = "finished" },
        OpenSteps = [],
        CompletedSteps = [.. d.CompletedSteps, .. d.OpenSteps.Select(s =>
            new CompletedStepView(s.StepId, s.Agency, "cancelled", at, null, $"application {status.ToString().ToLowerInvariant()}", null))],
    };
}
