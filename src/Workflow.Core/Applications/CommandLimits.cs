namespace Workflow.Core.Applications;

/// <summary>
/// The input limits every command on a case meets, whatever channel sent it: the API checks its requests against them
/// first (each field named in its problem details), and the command shell checks every command again, so that a page,
/// the workflow tool or any later channel cannot record a 300,000-character comment the API would have refused.
/// </summary>
public static class CommandLimits
{
    /// <summary>The longest reason a decision, a desk act, a withdrawal or a migration may give (the API's own limit too).</summary>
    public const int MaxReasonLength = 2000;

    public static int ReasonLength(InputLimits limits) => Math.Min(MaxReasonLength, limits.MaxTextLength);

    private enum Kind { Name, Reason, Text }

    /// <summary>Throws <see cref="InvalidApplicationData"/> naming each text over its limit or holding a NUL character.</summary>
    public static void Ensure(ApplicationCommand command, InputLimits limits)
    {
        var errors = new List<FieldError>();
        foreach (var (field, value, kind) in Texts(command))
        {
            if (value is null) continue;
            var max = kind switch { Kind.Name => limits.MaxNameLength, Kind.Reason => ReasonLength(limits), _ => limits.MaxTextLength };
            if (value.Length > max) errors.Add(new(field, $"must be {max} characters or fewer"));
            else if (InputLimits.Unstorable(value) is { } unstorable) errors.Add(new(field, unstorable));
        }
        foreach (var (field, count) in Lists(command))
            if (count > limits.MaxItems) errors.Add(new(field, $"at most {limits.MaxItems} entries"));
        if (errors.Count > 0) throw new InvalidApplicationData(errors);
    }

    private static IEnumerable<(string Field, string? Value, Kind Kind)> Texts(ApplicationCommand command) => command switch
    {
        DecideStep c => [("stepId", c.StepId, Kind.Name), ("reason", c.Reason, Kind.Reason), ("comment", c.Comment, Kind.Text),
            ("reasonCode", c.ReasonCode, Kind.Name)],
        SubmitCorrection c => [("comment", c.Comment, Kind.Text), .. c.Documents.Select(d => ("documents", (string?)d, Kind.Name))],
        WithdrawApplication c => [("reason", c.Reason, Kind.Reason)],
        AcknowledgeEscalation c => [("stepId", c.StepId, Kind.Name), ("comment", c.Comment, Kind.Text)],
        MigrateApplication c => [("reason", c.Reason, Kind.Reason)],
        RecalculateDeadlines c => [("reason", c.Reason, Kind.Reason)],
        ClaimStep c => [("stepId", c.StepId, Kind.Name), ("reason", c.Reason, Kind.Reason)],
        ReleaseStep c => [("stepId", c.StepId, Kind.Name), ("reason", c.Reason, Kind.Reason)],
        ReassignStep c => [("stepId", c.StepId, Kind.Name), ("to", c.To.UserId, Kind.Name), ("reason", c.Reason, Kind.Reason)],
        DelegateSteps c => [("to", c.To.UserId, Kind.Name), ("reason", c.Reason, Kind.Reason)],
        RevokeDelegation c => [("of", c.Of, Kind.Name), ("reason", c.Reason, Kind.Reason)],
        RecuseFromCase c => [("reason", c.Reason, Kind.Reason)],
        ConfirmStepApproval c => [("stepId", c.StepId, Kind.Name), ("reason", c.Reason, Kind.Reason), ("comment", c.Comment, Kind.Text)],
        Citizens.RateService c => [("comment", c.Comment, Kind.Text)],
        _ => [],
    };

    private static IEnumerable<(string Field, int Count)> Lists(ApplicationCommand command) => command switch
    {
        SubmitCorrection c => [("documents", c.Documents.Count), ("data", c.Data.Count)],
        MigrateApplication c => [("mapping", c.Mapping.Count)],
        _ => [],
    };
}
