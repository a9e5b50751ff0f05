using System.Text.Json;

namespace Workflow.Core.Applications;

/// <summary>Who acted: taken from the authenticated principal and recorded on every event a person causes.</summary>
public sealed record Actor(string UserId, string Name, string? Agency, string Role);

public sealed record Applicant(string Name, string? IdNumber = null, string? Phone = null, string? Email = null);

// Events are the case history. They record outcomes (which step opened, for which agency, due when) so that
// replaying a stream never depends on today's definition files. Never change a shipped event: add a new one.

public sealed record ApplicationSubmitted(
    Guid ApplicationId,
    string TrackingNumber,
    string WorkflowId,
    int WorkflowVersion,
    string DefinitionHash,
    string Centre,
    string Channel,
    Applicant Applicant,
    IReadOnlyDictionary<string, JsonElement> Data,
    IReadOnlyList<string> Documents,
    Actor By,
    DateTimeOffset At);

public sealed record StepOpened(
    string StepId,
    string Title,
    string Agency,
    string? Role,
    DateTimeOffset OpenedAt,
    DateTimeOffset DueAt,
    int WorkingDays,
    string CalendarId,
    bool Reopened);

/// <summary>A step whose condition did not hold: not waited for, and its branch goes on as if it had been approved.</summary>
public sealed record StepSkipped(string StepId, string Agency, string Condition, IReadOnlyList<string> Next, DateTimeOffset At);

public sealed record StepApproved(string StepId, string Agency, string Reason, string? Comment, IReadOnlyList<string> Next, Actor By, DateTimeOffset At);

public sealed record StepRejected(string StepId, string Agency, string Reason, string? Comment, IReadOnlyList<string> Next, Actor By, DateTimeOffset At);

public sealed record StepReturned(string StepId, string Agency, string Reason, string? Comment, Actor By, DateTimeOffset At);

/// <summary>A branch no longer needed because the step it led to went ahead without it (an any-of or n-of-m join).</summary>
public sealed record StepCancelled(string StepId, string Agency, string Reason, DateTimeOffset At);

/// <summary>The completeness check passed: the legal clock starts here (DOMAIN rule 1).</summary>
public sealed record ApplicationDeclaredComplete(DateTimeOffset At, DateTimeOffset DueAt, int WorkingDays, string CalendarId, Actor By);

public sealed record CorrectionSubmitted(IReadOnlyDictionary<string, JsonElement> Data, IReadOnlyList<string> Documents, string? Comment, Actor By, DateTimeOffset At);

public sealed record ApplicationApproved(DateTimeOffset At);

public sealed record ApplicationRejected(string StepId, string Reason, DateTimeOffset At);

public sealed record ApplicationWithdrawn(string Reason, Actor By, DateTimeOffset At);

public static class ApplicationEvents
{
    /// <summary>Stable names under which events are stored; never reuse a name for a new meaning.</summary>
    public static readonly IReadOnlyDictionary<Type, string> Aliases = new Dictionary<Type, string>
    {
        [typeof(ApplicationSubmitted)] = "application_submitted",
        [typeof(StepOpened)] = "step_opened",
        [typeof(StepSkipped)] = "step_skipped",
        [typeof(StepApproved)] = "step_approved",
        [typeof(StepRejected)] = "step_rejected",
        [typeof(StepReturned)] = "step_returned",
        [typeof(StepCancelled)] = "step_cancelled",
        [typeof(ApplicationDeclaredComplete)] = "application_declared_complete",
        [typeof(CorrectionSubmitted)] = "correction_submitted",
        [typeof(ApplicationApproved)] = "application_approved",
        [typeof(ApplicationRejected)] = "application_rejected",
        [typeof(ApplicationWithdrawn)] = "application_withdrawn",
    };
}
