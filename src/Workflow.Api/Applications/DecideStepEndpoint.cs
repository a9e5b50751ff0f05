using System.ComponentModel.DataAnnotations;
using FluentValidation;
using Workflow.Api.Hosting;
using Workflow.Core;
using Workflow.Core.Applications;
using Workflow.Store.Applications;

namespace Workflow.Api.Applications;

/// <param name="Outcome">approve, reject or return, written exactly so: numbers and other spellings are refused.</param>
/// <param name="ReasonCode">For a return past the procedure's cap: the listed requirement it cites, e.g. document:building-plans.</param>
public sealed record DecisionRequest(
    [property: AllowedValues("approve", "reject", "return")] string? Outcome,
    string? Reason,
    string? Comment,
    string? ReasonCode = null)
{
    public static readonly IReadOnlyDictionary<string, StepOutcome> Outcomes = new Dictionary<string, StepOutcome>
    {
        ["approve"] = StepOutcome.Approve, ["reject"] = StepOutcome.Reject, ["return"] = StepOutcome.Return,
    };
}

public sealed class DecisionValidator : AbstractValidator<DecisionRequest>
{
    public DecisionValidator(InputLimits limits)
    {
        RuleFor(r => r.Outcome).Must(o => o is not null && DecisionRequest.Outcomes.ContainsKey(o))
            .WithMessage("outcome must be approve, reject or return");
        RuleFor(r => r.Reason).NotEmpty().WithMessage("every decision needs a reason").Text(CommandLimits.ReasonLength(limits));
        RuleFor(r => r.Comment).Text(limits.MaxTextLength);
        RuleFor(r => r.ReasonCode).Text(limits.MaxNameLength);
    }
}

public sealed class AcknowledgementValidator : AbstractValidator<DecideStepEndpoint.AcknowledgementRequest>
{
    public AcknowledgementValidator(InputLimits limits) => RuleFor(r => r.Comment).Text(limits.MaxTextLength);
}

public static class DecideStepEndpoint
{
    public static void MapDecisions(this RouteGroupBuilder applications)
    {
        applications.MapPost("/{id:guid}/steps/{stepId}/escalations/{level:int}/acknowledgement", Acknowledge).WithTags("Deadlines")
            .WithSummary("A supervisor acknowledges an escalation (level 0 is the breach itself)")
            .Produces<CommandResponse>().ProducesProblem(403).ProducesProblem(409).RequireAuthorization(Policies.Supervisor);
        applications.MapPost("/{id:guid}/steps/{stepId}/decision", Decide)
            .WithSummary("Approve, reject or return a step for correction (an officer of the step's agency); If-Match guards the version")
            .Produces<CommandResponse>().ProducesValidationProblem().ProducesProblem(403).ProducesProblem(409).ProducesProblem(412)
            .RequireAuthorization(Policies.DecidesSteps);
    }

    public sealed record AcknowledgementRequest(string? Comment);

    private static async Task<IResult> Acknowledge(Guid id, string stepId, int level, AcknowledgementRequest? request, HttpContext http,
        IValidator<AcknowledgementRequest> validator, ApplicationCommands commands, CancellationToken cancellation)
    {
        if (request is not null) await validator.Check(request, cancellation);
        return await commands.SendAsync(id, new AcknowledgeEscalation(stepId, level, request?.Comment, http.Actor()), http, cancellation);
    }

    private static async Task<IResult> Decide(Guid id, string stepId, DecisionRequest request, HttpContext http,
        IValidator<DecisionRequest> validator, ApplicationCommands commands, CancellationToken cancellation)
    {
        await validator.Check(request, cancellation);
        var outcome = DecisionRequest.Outcomes[request.Outcome!];
        var command = new DecideStep(stepId, outcome, request.Reason!, request.Comment, http.Actor(), request.ReasonCode);
        return await commands.SendAsync(id, command, http, cancellation);
    }
}
