namespace Workflow.Core.Applications;

/// <summary>
/// The input limits every command on a case meets, whatever channel sent it: the API checks its requests against them
/// first (each field named in its problem details), and the command shell checks every command again, so that a page,
/// the workflow tool or any later channel cannot record a 300,000-character comment the API would have refused.
/// </summary>
public static class CommandLimits
{
    /// <summary>Throws <see cref="InvalidApplicationData"/> naming each text over its limit or holding a NUL character.</summary>
    public static void Ensure(ApplicationCommand command, InputLimits limits)
    {
        var errors = new List<FieldError>();
        foreach (var (field, value, isName) in Texts(command))
        {
            if (value is null) continue;
            var max = isName ? limits.MaxNameLength : limits.MaxTextLength;
            if (value.Length > max) errors.Add(new(field, $"must be {max} characters or fewer"));
            else if (InputLimits.Unstorable(value) is { } unstorable) errors.Add(new(field, unstorable));
        }
        foreach (var (field, count) in Lists(command))
            if (count > limits.MaxItems) errors.Add(new(field, $"at most {limits.MaxItems} entries"));
        if (errors.Count > 0) throw new InvalidApplicationData(errors);
    }

    private static IEnumerable<(string Field, string? Value, bool IsName)> Texts(ApplicationCommand command) => command switch
    {
        DecideStep c => [("stepId", c.StepId, true), ("reason", c.Reason, false), ("comment", c.Comment, false),
            ("reasonCode", c.ReasonCode, true)],
        SubmitCorrection c => [("comment", c.Comment, false), .. c.Documents.Select(d => ("documents", (string?)d, true))],
        WithdrawApplication c => [("reason", c.Reason, false)],
        AcknowledgeEscalation c => [("stepId", c.StepId, true), ("comment", c.Comment, false)],
        MigrateApplication c => [("reason", c.Reason, false)],
        RecalculateDeadlines c => [("reason", c.Reason, false)],
        ClaimStep c => [("stepId", c.StepId, true), ("reason", c.Reason, false)],
        ReleaseStep c => [("stepId", c.StepId, true), ("reason", c.Reason, false)],
        ReassignStep c => [("stepId", c.StepId, true), ("to", c.To.UserId, true), ("reason", c.Reason, false)],
        DelegateSteps c => [("to", c.To.UserId, true), ("reason", c.Reason, false)],
        RevokeDelegation c => [("of", c.Of, true), ("reason", c.Reason, false)],
        RecuseFromCase c => [("reason", c.Reason, false)],
        ConfirmStepApproval c => [("stepId", c.StepId, true), ("reason", c.Reason, false), ("comment", c.Comment, false)],
        Citizens.RateService c => [("comment", c.Comment, false)],
        _ => [],
    };

    private static IEnumerable<(string Field, int Count)> Lists(ApplicationCommand command) => command switch
    {
        SubmitCorrection c => [("documents", c.Documents.Count), ("data", c.Data.Count)],
        MigrateApplication c => [("mapping", c.Mapping.Count)],
        _ => [],
    };
}
