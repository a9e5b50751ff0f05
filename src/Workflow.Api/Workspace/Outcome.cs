using Microsoft.Extensions.Localization;
using Workflow.Core.Access;
using Workflow.Core.Applications;

namespace Workflow.Api.Workspace;

/// <summary>A refused command said in the reader's words: the rule's code picks the sentence, the engine's text is the fallback.</summary>
public static class Outcome
{
    public static string Refusal(IStringLocalizer<Texts> texts, Exception e) => e switch
    {
        RuleViolation rule when texts[$"Rule.{rule.Code}"] is { ResourceNotFound: false } text => text.Value,
        RuleViolation rule => rule.Message,
        AccessDenied => texts["Rule.denied"],
        JasperFx.ConcurrencyException => texts["Rule.stale"],
        InvalidApplicationData => texts["Rule.limits"],
        _ => texts["Rule.other"],
    };
}
