using System.Text.RegularExpressions;
using Microsoft.Extensions.Localization;

namespace Workflow.Api.Workspace.Design;

/// <summary>
/// The kind of a definition problem, read from its English message (the checker gives no code), with the values the message
/// names. A Lao page explains each kind in Lao (resource <c>Problem.{kind}</c>, the values filled in) beside the English
/// detail; a message of no known kind gets the general explanation <c>Problem.other</c>.
/// </summary>
public static partial class ProblemKinds
{
    private static readonly (string Kind, Regex Pattern)[] Known =
    [
        ("deadline-words", DeadlineWords()),
        ("too-long", TooLong()),
        ("too-many-steps", TooManySteps()),
        ("over-legal", OverLegal()),
        ("unknown-agency", UnknownAgency()),
        ("unknown-key", UnknownKey()),
        ("missing-key", MissingKey()),
        ("twice", Twice()),
        ("not-a-date", NotADate()),
        ("unknown-step", UnknownStep()),
        ("unreachable", Unreachable()),
        ("loop", Loop()),
        ("no-end", NoEnd()),
        ("condition", Condition()),
        ("variant-longer", VariantLonger()),
        ("variant-step-longer", VariantStepLonger()),
        ("variant-required", VariantRequired()),
        ("variant-unknown", VariantUnknown()),
        ("whole-number", WholeNumber()),
        ("empty", Empty()),
        ("yes-no", YesNo()),
    ];

    /// <summary>The kind of a message and the values it names, in order; ("other", []) when no known kind matches.</summary>
    public static (string Kind, string[] Values) Of(string message)
    {
        foreach (var (kind, pattern) in Known)
            if (pattern.Match(message) is { Success: true } match)
                return (kind, [.. match.Groups.Cast<Group>().Skip(1).Select(g => g.Value)]);
        return ("other", []);
    }

    /// <summary>The explanation of a problem in the page's language, its values filled in.</summary>
    public static string Explain(IStringLocalizer<DesignTexts> texts, string message)
    {
        var (kind, values) = Of(message);
        return texts[$"Problem.{kind}", [.. values.Select(v => Part(texts, v))]];
    }

    /// <summary>The part of a definition a message names ("step 'seal'", "a definition"), in the page's language.</summary>
    private static string Part(IStringLocalizer<DesignTexts> texts, string value)
    {
        if (value == "a definition") return texts["Part.definition"];
        return NamedPart().Match(value) is { Success: true } part && texts[$"Part.{part.Groups[1].Value}", part.Groups[2].Value] is
            { ResourceNotFound: false } said ? said.Value : value;
    }

    [GeneratedRegex(@"^(step|field|agency) '(.+)'$")] private static partial Regex NamedPart();

    [GeneratedRegex(@"^'(.*)' is not a deadline in working days$")] private static partial Regex DeadlineWords();
    [GeneratedRegex(@"^'(.*)' is too long: a deadline is at most (\d+) days$")] private static partial Regex TooLong();
    [GeneratedRegex(@"^a procedure has at most (\d+) steps; this one has (\d+)$")] private static partial Regex TooManySteps();
    [GeneratedRegex(@"^step deadlines after '(.+)' add up to (\d+) working days on the path .*, more than the legal deadline of (\d+)$")]
    private static partial Regex OverLegal();
    [GeneratedRegex(@"^step '(.+)' names unknown agency '(.+)'$")] private static partial Regex UnknownAgency();
    [GeneratedRegex(@"^unknown key '(.+)' in (.+)$")] private static partial Regex UnknownKey();
    [GeneratedRegex(@"^(.+) has no '(.+)'$")] private static partial Regex MissingKey();
    [GeneratedRegex(@"^'(.+)' is written twice$")] private static partial Regex Twice();
    [GeneratedRegex(@"^'(.*)' is not a date$")] private static partial Regex NotADate();
    [GeneratedRegex(@"^step '(.+)' (?:approves|rejects) into unknown step '?([^']+)'?$")] private static partial Regex UnknownStep();
    [GeneratedRegex(@"^step '(.+)' is unreachable")] private static partial Regex Unreachable();
    [GeneratedRegex(@"^step '(.+)' leads back to itself")] private static partial Regex Loop();
    [GeneratedRegex(@"^no path from step '(.+)' ends in")] private static partial Regex NoEnd();
    [GeneratedRegex(@"^condition of (?:step|document) '(.+)': ")] private static partial Regex Condition();
    [GeneratedRegex(@"^the legal deadline of (\d+) working days is longer than the (\d+) of the standard '(.+)'$")]
    private static partial Regex VariantLonger();
    [GeneratedRegex(@"^step '(.+)' takes (\d+) working days, longer than the (\d+) of the standard '(.+)'$")]
    private static partial Regex VariantStepLonger();
    [GeneratedRegex(@"^step '(.+)' is left out, but the standard '(.+)' marks it required$")]
    private static partial Regex VariantRequired();
    [GeneratedRegex(@"^'(.+)' extends unknown procedure '(.+)'$")] private static partial Regex VariantUnknown();
    [GeneratedRegex(@"^(.+) must be a whole number")] private static partial Regex WholeNumber();
    [GeneratedRegex(@"^(.+) must be a non-empty value$")] private static partial Regex Empty();
    [GeneratedRegex(@"^expected true or false$")] private static partial Regex YesNo();
}
