using FluentValidation;
using Workflow.Api.Hosting;
using Workflow.Core.Applications;
using Workflow.Store.Applications;

namespace Workflow.Api.Applications;

public sealed record DecisionRequest(StepOutcome? Outcome, string? Reason, string? Comment);

public sealed class DecisionValidator : AbstractValidator<DecisionRequest>
{
    public DecisionValidator()
    {
        RuleFor(r => r.Outcome).NotNull().WithMessage("outcome must be approve, reject or return");
        RuleFor(r => r.Reason).NotEmpty().WithMessage("every decision needs a reason").MaximumLength(2000);
        RuleFor(r => r.Comment).MaximumLength(4000);
    }
}

public static class DecideStepEndpoint
{
    public static void MapDecideStep(this IEndpointRouteBuilder api) =>
        api.MapPost("/applications/{id:guid}/steps/{stepId}/decision", Handle).WithTags("Applications")
            .WithSummary("Approve, reject or return a step for correction (an officer of the step's agency); If-Match guards the version")
            .Produces<CommandResponse>().ProducesValidationProblem().ProducesProblem(403).ProducesProblem(409).ProducesProblem(412);

    private static async Task<IResult> Handle(Guid id, string stepId, DecisionRequest request, HttpContext http,
        IValidator<DecisionRequest> validator, ApplicationCommands commands, CancellationToken cancellation)
    {
        await validator.Check(request, cancellation);
        var expected = http.Request.ExpectedVersion();
        var result = await commands.HandleAsync(id, expected,
            new DecideStep(stepId, request.Outcome!.Value, request.Reason!, request.Comment, http.Actor()), http.CommandContext(), cancellation);
        http.Response.SetVersion(result.Version);
        return Results.Ok(SubmitApplicationEndpoint.Response(result));
    }
}
