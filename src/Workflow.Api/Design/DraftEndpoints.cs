using FluentValidation;
using Workflow.Api.Hosting;
using Workflow.Core;
using Workflow.Design;
using Workflow.Store.Definitions;

namespace Workflow.Api.Design;

/// <param name="Source">The definition's text (YAML); or, instead, <paramref name="ElsaFlowchart"/>.</param>
/// <param name="ElsaFlowchart">An Elsa 3 flowchart (JSON), imported into a definition text that becomes the draft's.</param>
public sealed record DraftRequest(string? FileName, string? Source, string? ElsaFlowchart);

public sealed class DraftValidator : AbstractValidator<DraftRequest>
{
    public DraftValidator(InputLimits limits)
    {
        RuleFor(r => r.Source).NotEmpty().When(r => r.ElsaFlowchart is null)
            .WithMessage("the draft's text (source) or an Elsa flowchart (elsaFlowchart) is required")
            .Text(limits.MaxDefinitionLength);
        RuleFor(r => r.Source).Null().When(r => r.ElsaFlowchart is not null).WithMessage("give source or elsaFlowchart, not both");
        RuleFor(r => r.ElsaFlowchart).Text(ElsaImport.MaxLength).When(r => r.ElsaFlowchart is not null);
        RuleFor(r => r.FileName).Matches(@"^[A-Za-z0-9._-]+\.ya?ml$").When(r => r.FileName is not null)
            .WithMessage("a file name such as my-procedure.yaml");
    }
}

/// <summary>
/// Drafts (designers only): each designer's own working copies, checked on every save (the answer lists every problem
/// with line and column) and never in force. Another designer's draft is not found (404).
/// </summary>
public static class DraftEndpoints
{
    public static void MapDesign(this IEndpointRouteBuilder api)
    {
        var drafts = api.MapGroup("/drafts").WithTags("Drafts").RequireAuthorization(Policies.Designer);
        drafts.MapGet("/", async (HttpContext http, Drafts store, CancellationToken cancellation) =>
                (await store.OfAsync(http.Actor().UserId, cancellation)).Select(d => d with { Source = "" }).ToList())
            .WithSummary("The caller's drafts, newest first, with their problems (without their text)")
            .Produces<List<Draft>>();
        drafts.MapPost("/", async (DraftRequest request, HttpContext http, IValidator<DraftRequest> validator, Drafts store,
                CancellationToken cancellation) =>
            {
                await validator.Check(request, cancellation);
                var draft = await store.SaveAsync(null, http.Actor().UserId, FileName(request), Text(request), cancellation);
                return Results.Created($"/api/drafts/{draft!.Id}", draft);
            })
            .WithSummary("Save a new draft from a text or an Elsa 3 flowchart; the answer lists its problems with line and column")
            .Produces<Draft>(201).ProducesValidationProblem().ProducesProblem(403);
        drafts.MapGet("/{id:guid}", async (Guid id, HttpContext http, Drafts store, CancellationToken cancellation) =>
                await store.FindAsync(id, http.Actor().UserId, cancellation) is { } draft ? Results.Ok(draft) : NotFound(id))
            .WithSummary("One of the caller's drafts with its text and problems")
            .Produces<Draft>().ProducesProblem(404);
        drafts.MapPut("/{id:guid}", async (Guid id, DraftRequest request, HttpContext http, IValidator<DraftRequest> validator,
                Drafts store, CancellationToken cancellation) =>
            {
                await validator.Check(request, cancellation);
                return await store.SaveAsync(id, http.Actor().UserId, FileName(request), Text(request), cancellation) is { } draft
                    ? Results.Ok(draft)
                    : NotFound(id);
            })
            .WithSummary("Save a new text of one of the caller's drafts; the answer lists its problems with line and column")
            .Produces<Draft>().ProducesValidationProblem().ProducesProblem(404);
        drafts.MapDelete("/{id:guid}", async (Guid id, HttpContext http, Drafts store, CancellationToken cancellation) =>
                await store.DeleteAsync(id, http.Actor().UserId, cancellation) ? Results.NoContent() : NotFound(id))
            .WithSummary("Delete one of the caller's drafts")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(404);
        api.MapPublicationRequests();
    }

    private static string FileName(DraftRequest request) => request.FileName ?? "draft.yaml";

    /// <summary>
    /// The draft's text: as given, or the Elsa flowchart imported (a flowchart that cannot be read is a 400 on its field).
    /// </summary>
    private static string Text(DraftRequest request)
    {
        if (request.ElsaFlowchart is null) return request.Source!;
        try
        {
            return ElsaImport.Convert(request.ElsaFlowchart).Yaml;
        }
        catch (ElsaImportException e)
        {
            throw new ValidationException([new FluentValidation.Results.ValidationFailure("elsaFlowchart", e.Message)]);
        }
    }

    private static IResult NotFound(Guid id) =>
        Results.Problem(statusCode: 404, title: "Not found", detail: $"You have no draft {id}.");
}
