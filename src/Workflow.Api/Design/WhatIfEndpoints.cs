using FluentValidation;
using Workflow.Api.Hosting;
using Workflow.Core;
using Workflow.Core.WhatIf;
using Workflow.Store.WhatIf;

namespace Workflow.Api.Design;

/// <param name="Source">The draft's text (YAML), as a designer would save it as a file of workflows/.</param>
/// <param name="FileName">The name its problems are reported under; default draft.yaml.</param>
/// <param name="From">First day of the period (local date); cases decided from its start count.</param>
/// <param name="To">Last day of the period, included.</param>
/// <param name="WorkflowId">The procedure whose history is replayed; default the draft's own id.</param>
public sealed record WhatIfRequest(string? Source, string? FileName, DateOnly? From, DateOnly? To, string? WorkflowId);

public sealed class WhatIfValidator : AbstractValidator<WhatIfRequest>
{
    public WhatIfValidator(InputLimits limits, WhatIfRuns runs)
    {
        RuleFor(r => r.Source).NotEmpty().WithMessage("the draft's text is required").Text(limits.MaxDefinitionLength);
        RuleFor(r => r.FileName).Matches(@"^[A-Za-z0-9._-]+\.ya?ml$").When(r => r.FileName is not null)
            .WithMessage("a file name such as my-procedure.yaml");
        RuleFor(r => r.From).NotNull().WithMessage("the first day of the period is required (from, e.g. 2024-01-01)")
            .InclusiveBetween(new DateOnly(1900, 1, 1), new DateOnly(2999, 12, 31));
        RuleFor(r => r.To).NotNull().WithMessage("the last day of the period is required (to, e.g. 2024-03-31)")
            .InclusiveBetween(new DateOnly(1900, 1, 1), new DateOnly(2999, 12, 31))
            .GreaterThanOrEqualTo(r => r.From).When(r => r.From is not null).WithMessage("the period ends before it starts")
            .Must((r, to) => r.From is null || to is null || to.Value.DayNumber - r.From.Value.DayNumber < runs.MaxDays)
            .WithMessage($"a period spans at most {runs.MaxDays} days");
        RuleFor(r => r.WorkflowId).MaximumLength(limits.MaxNameLength).Matches("^[a-z0-9][a-z0-9-]*$").When(r => r.WorkflowId is not null)
            .WithMessage("a procedure id such as enterprise-registration");
    }
}

public static class WhatIfEndpoints
{
    public static void MapWhatIf(this IEndpointRouteBuilder api)
    {
        api.MapPost("/what-if", async (WhatIfRequest request, HttpContext http, IValidator<WhatIfRequest> validator, WhatIfRuns runs,
                CancellationToken cancellation) =>
            {
                await validator.Check(request, cancellation);
                var draft = runs.Check(request.FileName ?? "draft.yaml", request.Source!);
                try
                {
                    return Results.Ok(await runs.RunAsync(draft, request.From!.Value, request.To!.Value, request.WorkflowId,
                        http.Actor().UserId, cancellation));
                }
                catch (WhatIfTooLarge tooLarge)
                {
                    return Results.ValidationProblem(new Dictionary<string, string[]> { ["to"] = [tooLarge.Message] });
                }
            })
            .WithTags("Procedures")
            .WithSummary("What-if from history (designers): replay the cases of a period through a draft and compare on-time rate, " +
                         "median and 90th percentile working days and the bottleneck agency with what happened; unmappable cases listed")
            .Produces<WhatIfResult>().ProducesValidationProblem().ProducesProblem(403)
            .RequireAuthorization(Policies.Designer);
    }
}
