using FluentValidation;
using Workflow.Api.Hosting;
using Workflow.Core;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Store.Definitions;

namespace Workflow.Api.Workflows;

public sealed record FieldView(string Name, string Type, bool Required, IReadOnlyList<string>? Of, string? Title);

public sealed record DocumentView(string Name, string? When);

/// <param name="Required">A local variant may not leave the step out (rule 16 of Core/README.md).</param>
public sealed record StepView(string Id, string Title, string Agency, string AgencyName, string? Role, int DeadlineDays, string? When,
    string After, IReadOnlyList<string> Approve, string? Reject, bool CanReturn, bool Required = false);

/// <param name="Extends">For a local variant, the standard it varies (rule 16 of Core/README.md); null for a standard.</param>
/// <param name="Centres">For a local variant, the centres it applies to.</param>
public sealed record WorkflowSummary(string Id, int Version, string Title, string? LegalBasis, int DeadlineDays, string Hash,
    string? Extends = null, IReadOnlyList<string>? Centres = null);

/// <param name="Extends">For a local variant, the standard it varies; null for a standard.</param>
/// <param name="Centres">For a local variant, the centres it applies to.</param>
public sealed record WorkflowView(string Id, int Version, string Title, string? LegalBasis, int DeadlineDays, string OnReturn, string Hash,
    DateOnly? Effective, string StartStep, IReadOnlyList<FieldView> Data, IReadOnlyList<DocumentView> Documents,
    IReadOnlyList<StepView> Steps, string? Extends = null, IReadOnlyList<string>? Centres = null);

/// <param name="Mapping">Open step of the old version -> step of the new one; unmapped steps keep their id.</param>
/// <param name="Apply">false: a dry run that only reports; true: record the migration in each application that can move.</param>
public sealed record MigrationRequest(int? FromVersion, int? ToVersion, Dictionary<string, string>? Mapping, string? Reason,
    bool Apply = false);

public sealed class MigrationValidator : AbstractValidator<MigrationRequest>
{
    public MigrationValidator(InputLimits limits)
    {
        RuleFor(r => r.FromVersion).NotNull().GreaterThan(0);
        RuleFor(r => r.ToVersion).NotNull().GreaterThan(0).NotEqual(r => r.FromVersion)
            .WithMessage("toVersion must differ from fromVersion");
        RuleFor(r => r.Reason).NotEmpty().WithMessage("a migration needs a reason").Text(CommandLimits.ReasonLength(limits));
        RuleFor(r => r.Mapping).Must(m => m is null || (m.Count <= limits.MaxItems && m.All(kv =>
                // JSON may send null for a value the type says is text.
                kv.Value is not null && kv.Key.Length <= limits.MaxNameLength && kv.Value.Length <= limits.MaxNameLength &&
                InputLimits.Unstorable(kv.Key) is null && InputLimits.Unstorable(kv.Value) is null)))
            .WithMessage($"at most {limits.MaxItems} step ids, each mapped to a step id, each at most {limits.MaxNameLength} " +
                         "characters without the NUL character");
    }
}

/// <param name="Source">The definition file's text (YAML).</param>
/// <param name="Effective">From which day new applications follow the version (sets the text's <c>effective:</c>).</param>
public sealed record PublishRequest(string? FileName, string? Source, DateOnly? Effective = null);

public sealed class PublishValidator : AbstractValidator<PublishRequest>
{
    public PublishValidator(InputLimits limits)
    {
        RuleFor(r => r.Source).NotEmpty().WithMessage("the definition's text is required").Text(limits.MaxDefinitionLength);
        RuleFor(r => r.FileName).Matches(@"^[A-Za-z0-9._-]+\.ya?ml$").When(r => r.FileName is not null)
            .WithMessage("a file name such as my-procedure.yaml");
    }
}

public static class WorkflowEndpoints
{
    public static void MapWorkflows(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/workflows").WithTags("Procedures");
        group.MapGet("/", async (PinnedDefinitions definitions, TimeProvider clock, CancellationToken cancellation) =>
            {
                var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
                var list = new List<WorkflowSummary>();
                foreach (var id in await definitions.WorkflowIdsAsync(cancellation))
                    if (await definitions.InForceAsync(id, today, cancellation) is { } d)
                        list.Add(new WorkflowSummary(d.Id, d.Version, d.Title, d.LegalBasis, d.DeadlineDays, d.Hash, d.Extends,
                            d.Extends is null ? null : d.Centres));
                return list;
            })
            .WithSummary("The procedures new applications can follow: the version of each in force today");
        group.MapGet("/{id}", async (string id, PinnedDefinitions definitions, TimeProvider clock, CancellationToken cancellation) =>
                await definitions.InForceAsync(id, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), cancellation) is { } d
                    ? Results.Ok(View(d, definitions.Catalog))
                    : Results.Problem(statusCode: 404, title: "Not found", detail: $"'{id}' is not a procedure in force"))
            .WithSummary("One procedure as in force today: its data fields, documents and steps with their agencies")
            .Produces<WorkflowView>();
        group.MapGet("/{id}/versions", async (string id, PinnedDefinitions definitions, TimeProvider clock,
                    CancellationToken cancellation) =>
                await definitions.VersionsAsync(id, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), cancellation) is
                    { Count: > 0 } versions
                    ? Results.Ok(versions)
                    : Results.Problem(statusCode: 404, title: "Not found", detail: $"'{id}' has no published version"))
            .WithSummary("Every published version with its hash, effective date, publisher and retirement, and which one is in force")
            .Produces<IReadOnlyList<VersionView>>();
        group.MapVariants();
        group.MapPost("/", Publish)
            .WithSummary("Ask to publish a new version (designers): checked like a file of workflows/, numbered above every earlier " +
                         "version; a second designer's approval (POST /api/publication-requests/{id}/approval) publishes it")
            .Produces<PublicationRequest>(202).ProducesValidationProblem().ProducesProblem(403).ProducesProblem(409)
            .RequireAuthorization(Policies.Designer);
        group.MapPost("/{id}/migrations", async (string id, MigrationRequest request, HttpContext http,
                IValidator<MigrationRequest> validator, Workflow.Store.Applications.Migrations migrations,
                CancellationToken cancellation) =>
            {
                await validator.Check(request, cancellation);
                return Results.Ok(await migrations.RunAsync(id, request.FromVersion!.Value, request.ToVersion!.Value, request.Mapping ?? [],
                    request.Reason!, http.Actor(), request.Apply, cancellation));
            })
            .WithSummary("Move running applications from one version to another (designers): a dry run reports per application " +
                         "what would change; apply records the migration in each stream and never re-runs a finished step")
            .Produces<IReadOnlyList<Workflow.Store.Applications.MigrationReport>>().ProducesValidationProblem().ProducesProblem(403)
            .RequireAuthorization(Policies.Designer);
        group.MapPost("/{id}/versions/{version:int}/retirement", async (string id, int version, HttpContext http,
                PinnedDefinitions definitions, CancellationToken cancellation) =>
            {
                return await definitions.RetireAsync(id, version, http.Actor().UserId, cancellation)
                    ? Results.NoContent()
                    : Results.Problem(statusCode: 404, title: "Not found", detail: $"{id} has no version {version}");
            })
            .WithSummary("Retire a version (designers): new applications no longer follow it; running ones finish on it")
            .Produces(StatusCodes.Status204NoContent)
            .RequireAuthorization(Policies.Designer);
    }

    /// <summary>
    /// Four eyes hold on every path that publishes through the server, this one included: the version is published only
    /// when a second designer approves the request. The workflows folder is the other path, reviewed in the repository.
    /// </summary>
    private static async Task<IResult> Publish(PublishRequest request, HttpContext http, IValidator<PublishRequest> validator,
        PublicationRequests publications, CancellationToken cancellation)
    {
        await validator.Check(request, cancellation);
        var asked = await publications.RequestAsync(request.FileName ?? "published.yaml", request.Source!, request.Effective, http.Actor(),
            cancellation);
        return Results.Accepted($"/api/publication-requests/{asked.Id}", asked);
    }

    private static WorkflowView View(WorkflowDefinition d, WorkflowCatalog catalog) => new(
        d.Id, d.Version, d.Title, d.LegalBasis, d.DeadlineDays, d.OnReturn.ToString().ToLowerInvariant(), d.Hash, d.Effective, d.Start.Id,
        [.. d.Data.Select(f => new FieldView(f.Name, TypeName(f.Type), f.Required, f.Of.IsEmpty ? null : f.Of, f.Title))],
        [.. d.Documents.Select(doc => new DocumentView(doc.Name, doc.When))],
        [.. d.Steps.Select(s => new StepView(s.Id, s.Title, s.Agency, catalog.FindAgency(s.Agency)?.Name ?? s.Agency, s.Role,
            s.DeadlineDays, s.When, s.After.ToString(), s.Approve, s.Reject, s.CanReturn, s.Required))],
        d.Extends, d.Extends is null ? null : d.Centres);

    private static string TypeName(FieldType type) => type switch
    {
        FieldType.YesNo => "yes-no",
        _ => type.ToString().ToLowerInvariant(),
    };
}
