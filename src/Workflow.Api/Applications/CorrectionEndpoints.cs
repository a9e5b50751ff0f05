using System.Text.Json;
using FluentValidation;
using Workflow.Api.Hosting;
using Workflow.Core;
using Workflow.Core.Applications;
using Workflow.Store.Applications;

namespace Workflow.Api.Applications;

public sealed record ResubmissionRequest(Dictionary<string, JsonElement>? Data, List<string>? Documents, string? Comment);

public sealed record WithdrawalRequest(string? Reason);

public sealed class ResubmissionValidator : AbstractValidator<ResubmissionRequest>
{
    public ResubmissionValidator(InputLimits limits)
    {
        RuleFor(r => r)
            .Must(r => r.Data is { Count: > 0 } || r.Documents is { Count: > 0 } || !string.IsNullOrWhiteSpace(r.Comment))
            .WithMessage("a resubmission brings changed data, documents or at least a comment").OverridePropertyName("body");
        RuleFor(r => r.Comment).Text(limits.MaxTextLength);
        this.Data(r => r.Data, limits);
        this.Names(r => r.Documents!, limits);
    }
}

public sealed class WithdrawalValidator : AbstractValidator<WithdrawalRequest>
{
    public WithdrawalValidator(InputLimits limits) =>
        RuleFor(r => r.Reason).NotEmpty().WithMessage("a withdrawal needs a reason").Text(CommandLimits.ReasonLength(limits));
}

public static class CorrectionEndpoints
{
    public static void MapCorrections(this RouteGroupBuilder applications)
    {
        applications.MapPost("/{id:guid}/resubmission", Resubmit)
            .WithSummary("The citizen's corrections after a return, received by a clerk; reopens the returned steps")
            .Produces<CommandResponse>().ProducesValidationProblem().ProducesProblem(409).RequireAuthorization(Policies.Counter);
        applications.MapPost("/{id:guid}/withdrawal", Withdraw)
            .WithSummary("The citizen withdraws the application, received by a clerk")
            .Produces<CommandResponse>().ProducesValidationProblem().ProducesProblem(409).RequireAuthorization(Policies.Counter);
    }

    private static async Task<IResult> Resubmit(Guid id, ResubmissionRequest request, HttpContext http,
        IValidator<ResubmissionRequest> validator, ApplicationCommands commands, CancellationToken cancellation)
    {
        await validator.Check(request, cancellation);
        var command = new SubmitCorrection(request.Data ?? [], request.Documents ?? [], request.Comment, http.Actor());
        return await commands.SendAsync(id, command, http, cancellation);
    }

    private static async Task<IResult> Withdraw(Guid id, WithdrawalRequest request, HttpContext http,
        IValidator<WithdrawalRequest> validator, ApplicationCommands commands, CancellationToken cancellation)
    {
        await validator.Check(request, cancellation);
        return await commands.SendAsync(id, new WithdrawApplication(request.Reason!, http.Actor()), http, cancellation);
    }
}
