using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workflow.Core.Applications;

/// <summary>Who acted: taken from the authenticated principal and recorded on every event a person causes.</summary>
/// <param name="Centre">A clerk's centre (token claim <c>centre</c>); absent on events recorded before it was kept.</param>
public sealed record Actor(string UserId, string Name, string? Agency, string Role, string? Centre = null);

/// <param name="Language">The language the applicant reads (lo or en): notifications and the tracking page use it.</param>
public sealed record Applicant(string Name, string? IdNumber = null, string? Phone = null, string? Email = null, string? Language = null);

// Events are the case history. They record outcomes (which step opened, for which agency, due when) so that
// replaying a stream never depends on today's definition files. Never change a shipped event: add a new one.

/// <param name="AccessCode">
/// The salted hash of the citizen's access code (never the code itself), checked by the tracking page. Added later: null in
/// older histories, whose applications cannot be tracked with a code.
/// </param>
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
    DateTimeOffset At,
    string? AccessCode = null);

/// <summary>
/// What the deadline sweeper must check next for one scope of an application (a step, the case, the correction
/// window): carried by each deadline event so that the open-deadlines projection never needs a calendar.
/// </summary>
public sealed record DeadlineTimer(string Kind, int Level, DateTimeOffset At);

public sealed record StepOpened(
    string StepId,
    string Title,
    string Agency,
    string? Role,
    DateTimeOffset OpenedAt,
    DateTimeOffset DueAt,
    int WorkingDays,
    string CalendarVersion,
    bool Reopened,
    [property: JsonPropertyName("next")] DeadlineTimer? NextTimer);

/// <summary>A step whose condition did not hold: not waited for, and its branch goes on as if it had been approved.</summary>
public sealed record StepSkipped(string StepId, string Agency, string Condition,
    [property: JsonPropertyName("next")] IReadOnlyList<string> NextSteps, DateTimeOffset At);

public sealed record StepApproved(string StepId, string Agency, string Reason, string? Comment,
    [property: JsonPropertyName("next")] IReadOnlyList<string> NextSteps, Actor By, DateTimeOffset At);

public sealed record StepRejected(string StepId, string Agency, string Reason, string? Comment,
    [property: JsonPropertyName("next")] IReadOnlyList<string> NextSteps, Actor By, DateTimeOffset At);

/// <param name="BeyondCap">A return past the procedure's cap, allowed to a supervisor citing a listed requirement.</param>
public sealed record StepReturned(string StepId, string Agency, string Reason, string? ReasonCode, string? Comment, bool BeyondCap,
    Actor By, DateTimeOffset At);

/// <summary>A branch no longer needed because the step it led to went ahead without it (an any-of or n-of-m join).</summary>
public sealed record StepCancelled(string StepId, string Agency, string Reason, DateTimeOffset At);

/// <summary>The completeness check passed: the legal clock starts here (rule 1 of Core/README.md).</summary>
public sealed record ApplicationDeclaredComplete(DateTimeOffset At, DateTimeOffset DueAt, int WorkingDays, string CalendarVersion,
    Actor By);

/// <summary>
/// The first shape of <see cref="ApplicationDeclaredComplete"/>, stored as "application_declared_complete" before
/// calendars were versioned: it named the calendar by id only. Kept so old histories stay readable; code reads the
/// current shape through <see cref="Upcast"/>.
/// </summary>
public sealed record ApplicationDeclaredCompleteV1(DateTimeOffset At, DateTimeOffset DueAt, int WorkingDays, string CalendarId, Actor By)
{
    public const string StoredAs = "application_declared_complete";

    /// <summary>The id of an unversioned calendar stands for its version: it was the only version there was.</summary>
    public ApplicationDeclaredComplete Upcast() => new(At, DueAt, WorkingDays, CalendarId, By);
}

/// <summary>
/// The file went back to the citizen: the legal clock stops (rule 3 of Core/README.md) and the citizen's correction window opens.
/// <paramref name="RemainingWorkingDays"/> is null when the legal clock had not started (a return at the completeness check).
/// </summary>
/// <param name="AfterDeadline">
/// The legal deadline had already passed when the clock stopped (a return after closing time counts as made at closing
/// time): the case stays late whatever follows. Added later: null in older histories, where readers compare the instants.
/// </param>
public sealed record CaseClockStopped(DateTimeOffset At, int? RemainingWorkingDays, DateTimeOffset CorrectionDueAt,
    bool? AfterDeadline = null);

/// <summary>The citizen resubmitted: the legal clock runs again with the remaining time (pause) or a fresh deadline (restart).</summary>
public sealed record CaseClockResumed(DateTimeOffset At, DateTimeOffset DueAt, int WorkingDays, string Policy, string CalendarVersion);

public sealed record DeadlineWarningReached(string StepId, string Agency, DateTimeOffset DueAt, IReadOnlyList<string> Notified,
    DateTimeOffset At, [property: JsonPropertyName("next")] DeadlineTimer? NextTimer);

/// <summary>A step passed its due time: the lateness belongs to the agency holding it (rule 4 of Core/README.md).</summary>
public sealed record DeadlineBreached(string StepId, string Agency, DateTimeOffset DueAt, IReadOnlyList<string> Notified,
    DateTimeOffset At, [property: JsonPropertyName("next")] DeadlineTimer? NextTimer);

public sealed record StepEscalated(string StepId, string Agency, int Level, int OverdueWorkingDays, IReadOnlyList<string> Notified,
    DateTimeOffset At, [property: JsonPropertyName("next")] DeadlineTimer? NextTimer);

public sealed record EscalationAcknowledged(string StepId, int Level, string? Comment, Actor By, DateTimeOffset At);

/// <summary>
/// The legal deadline passed undecided: the citizen gets an apology and a new expected date; the case stays late
/// (rule 6 of Core/README.md).
/// </summary>
public sealed record CaseDeadlineMissed(DateTimeOffset DueAt, DateTimeOffset NewExpectedAt, IReadOnlyList<string> Notified,
    DateTimeOffset At);

/// <summary>The authority missed the legal deadline of a procedure that grants deemed approval (rule 7 of Core/README.md).</summary>
public sealed record ApplicationDeemedApproved(DateTimeOffset DueAt, DateTimeOffset At);

/// <summary>The citizen did not correct the file within the correction window.</summary>
public sealed record ApplicationLapsed(DateTimeOffset CorrectionDueAt, DateTimeOffset At);

/// <summary>A calendar change (a holiday announced later) moved a deadline that was already set; never a silent change.</summary>
public sealed record DeadlineRecalculated(string Scope, DateTimeOffset PreviousDueAt, DateTimeOffset DueAt, string CalendarVersion,
    string Reason, DateTimeOffset At, [property: JsonPropertyName("next")] DeadlineTimer? NextTimer);

public sealed record CorrectionSubmitted(IReadOnlyDictionary<string, JsonElement> Data, IReadOnlyList<string> Documents,
    string? Comment, Actor By, DateTimeOffset At);

public sealed record ApplicationApproved(DateTimeOffset At);

public sealed record ApplicationRejected(string StepId, string Reason, DateTimeOffset At);

public sealed record ApplicationWithdrawn(string Reason, Actor By, DateTimeOffset At);

/// <summary>An open step carried over to a step of another version of the procedure, keeping its due time and timers.</summary>
public sealed record MovedStep(string From, string To, string Agency, string Title, DateTimeOffset DueAt,
    [property: JsonPropertyName("next")] DeadlineTimer? NextTimer, bool AwaitingCorrection);

/// <summary>
/// A designer moved a running application to another version of its procedure: who, why, and how its open steps map.
/// Finished steps stay as they were decided; nothing is re-run.
/// </summary>
public sealed record ApplicationMigrated(int FromVersion, string FromHash, int ToVersion, string ToHash,
    IReadOnlyDictionary<string, string> Mapping,
    IReadOnlyList<MovedStep> Moved, string Reason, Actor By, DateTimeOffset At);

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
        // Renamed field (CalendarId became CalendarVersion): a new name; "application_declared_complete" is read through
        // the upcaster from ApplicationDeclaredCompleteV1.
        [typeof(ApplicationDeclaredComplete)] = "application_declared_complete_v2",
        [typeof(CorrectionSubmitted)] = "correction_submitted",
        [typeof(ApplicationApproved)] = "application_approved",
        [typeof(ApplicationRejected)] = "application_rejected",
        [typeof(ApplicationWithdrawn)] = "application_withdrawn",
        [typeof(CaseClockStopped)] = "case_clock_stopped",
        [typeof(CaseClockResumed)] = "case_clock_resumed",
        [typeof(DeadlineWarningReached)] = "deadline_warning_reached",
        [typeof(DeadlineBreached)] = "deadline_breached",
        [typeof(StepEscalated)] = "step_escalated",
        [typeof(EscalationAcknowledged)] = "escalation_acknowledged",
        [typeof(CaseDeadlineMissed)] = "case_deadline_missed",
        [typeof(ApplicationDeemedApproved)] = "application_deemed_approved",
        [typeof(ApplicationLapsed)] = "application_lapsed",
        [typeof(DeadlineRecalculated)] = "deadline_recalculated",
        [typeof(ApplicationMigrated)] = "application_migrated",
        [typeof(Citizens.ServiceRated)] = "service_rated",
    };
}
