using System.Text.Json;

namespace Workflow.Core.Applications;

public enum StepOutcome { Approve, Reject, Return }

public abstract record ApplicationCommand(Actor By);

/// <param name="AccessCode">The salted hash of the citizen's access code, made at the edge (the core draws no random numbers).</param>
public sealed record SubmitApplication(
    Guid ApplicationId,
    string TrackingNumber,
    string Centre,
    string Channel,
    Applicant Applicant,
    IReadOnlyDictionary<string, JsonElement> Data,
    IReadOnlyList<string> Documents,
    Actor By,
    string? AccessCode = null) : ApplicationCommand(By);

/// <param name="ReasonCode">For a return past the cap: the listed document or data field the return is about.</param>
public sealed record DecideStep(string StepId, StepOutcome Outcome, string Reason, string? Comment, Actor By,
    string? ReasonCode = null) : ApplicationCommand(By);

public sealed record SubmitCorrection(IReadOnlyDictionary<string, JsonElement> Data, IReadOnlyList<string> Documents, string? Comment,
    Actor By) : ApplicationCommand(By);

public sealed record WithdrawApplication(string Reason, Actor By) : ApplicationCommand(By);

/// <summary>
/// From the deadline sweeper: check what has come due for one scope (a step id, <see cref="DeadlineScopes.Case"/> or
/// <see cref="DeadlineScopes.Correction"/>). Idempotent by state: what already fired or no longer applies gives no events.
/// </summary>
/// <param name="ScheduledFor">
/// The instant of the timer the sweeper claimed. Nothing is fired before that instant has passed, and what fires is
/// recorded at, and computed from, the instant it came due, never from the moment the sweeper got to it.
/// </param>
public sealed record ReachDeadline(string Scope, Actor By, DateTimeOffset? ScheduledFor = null) : ApplicationCommand(By);

public sealed record AcknowledgeEscalation(string StepId, int Level, string? Comment, Actor By) : ApplicationCommand(By);

/// <summary>
/// Move a running application to another version of its procedure (a designer's act). The decider asks the migration
/// planner with the version pinned to the application and <paramref name="Target"/>; a plan with problems is refused.
/// </summary>
/// <param name="Mapping">Open step of the pinned version -> step of the target; unmapped steps keep their id.</param>
public sealed record MigrateApplication(Definitions.WorkflowDefinition Target, IReadOnlyDictionary<string, string> Mapping, string Reason,
    Actor By) : ApplicationCommand(By);

/// <summary>Recompute open deadlines with the calendar now in force, recording each one that moves.</summary>
public sealed record RecalculateDeadlines(string Reason, Actor By) : ApplicationCommand(By);

public static class DeadlineScopes
{
    public const string Case = "case";
    public const string Correction = "correction";

    public const string Warning = "warning";
    public const string Breach = "breach";
    public const string Escalation = "escalation";
    public const string CaseDue = "case-due";
    public const string CorrectionDue = "correction-due";

    public static readonly Actor System = new("system", "Deadline clock", null, "system");
}

/// <summary>A command that breaks a rule of the procedure or of the case's state. The edge answers 409.</summary>
public sealed class RuleViolation(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

public sealed record FieldError(string Field, string Message);

/// <summary>Application data that does not fit the procedure's fields. The edge answers 400 naming each field.</summary>
public sealed class InvalidApplicationData(IReadOnlyList<FieldError> errors)
    : Exception(string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}
