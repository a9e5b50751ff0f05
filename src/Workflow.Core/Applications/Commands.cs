using System.Text.Json;

namespace Workflow.Core.Applications;

public enum StepOutcome { Approve, Reject, Return }

public abstract record ApplicationCommand(Actor By);

public sealed record SubmitApplication(
    Guid ApplicationId,
    string TrackingNumber,
    string Centre,
    string Channel,
    Applicant Applicant,
    IReadOnlyDictionary<string, JsonElement> Data,
    IReadOnlyList<string> Documents,
    Actor By) : ApplicationCommand(By);

public sealed record DecideStep(string StepId, StepOutcome Outcome, string Reason, string? Comment, Actor By) : ApplicationCommand(By);

public sealed record SubmitCorrection(IReadOnlyDictionary<string, JsonElement> Data, IReadOnlyList<string> Documents, string? Comment, Actor By) : ApplicationCommand(By);

public sealed record WithdrawApplication(string Reason, Actor By) : ApplicationCommand(By);

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
