using System.Text.Json;
using Workflow.Core.Applications;

namespace Workflow.Core.Tests;

/// <summary>Every command on a case meets the input limits, whatever channel sent it.</summary>
public class when_a_command_carries_more_than_the_limits_allow
{
    private static readonly Actor Clerk = new("clerk-vte", "Khamla", "odsc", "clerk", "VTE");
    private static readonly InputLimits Limits = InputLimits.Default;

    private static SubmitCorrection Correction(string comment, int documents = 1) =>
        new(new Dictionary<string, JsonElement>(), [.. Enumerable.Range(0, documents).Select(i => $"doc-{i}")], comment, Clerk);

    [Fact]
    public void a_comment_at_the_limit_passes_and_one_character_more_is_refused_naming_the_field()
    {
        CommandLimits.Ensure(Correction(new string('x', Limits.MaxTextLength)), Limits);

        Should.Throw<InvalidApplicationData>(() => CommandLimits.Ensure(Correction(new string('x', 300_000)), Limits))
            .Errors.ShouldBe([new FieldError("comment", $"must be {Limits.MaxTextLength} characters or fewer")]);
    }

    [Fact]
    public void a_NUL_a_step_id_past_a_name_and_too_many_documents_are_each_named()
    {
        Should.Throw<InvalidApplicationData>(() => CommandLimits.Ensure(
                new DecideStep(new string('s', Limits.MaxNameLength + 1), StepOutcome.Approve, "fine\0", null, Clerk), Limits))
            .Errors.Select(e => e.Field).ShouldBe(["stepId", "reason"]);
        Should.Throw<InvalidApplicationData>(() => CommandLimits.Ensure(Correction("added", Limits.MaxItems + 1), Limits))
            .Errors.Single().Field.ShouldBe("documents");
    }

    [Fact]
    public void a_server_that_allows_longer_texts_lets_them_through()
    {
        CommandLimits.Ensure(Correction(new string('x', 8_000)), Limits with { MaxTextLength = 8_000 });
    }
}
