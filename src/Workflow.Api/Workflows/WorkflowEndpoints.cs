using Workflow.Core.Definitions;

namespace Workflow.Api.Workflows;

public sealed record FieldView(string Name, string Type, bool Required, IReadOnlyList<string>? Of, string? Title);

public sealed record DocumentView(string Name, string? When);

public sealed record StepView(string Id, string Title, string Agency, string AgencyName, string? Role, int DeadlineDays, string? When,
    string After, IReadOnlyList<string> Approve, string? Reject, bool CanReturn);

public sealed record WorkflowSummary(string Id, int Version, string Title, string? LegalBasis, int DeadlineDays, string Hash);

public sealed record WorkflowView(string Id, int Version, string Title, string? LegalBasis, int DeadlineDays, string OnReturn, string Hash,
    string StartStep, IReadOnlyList<FieldView> Data, IReadOnlyList<DocumentView> Documents, IReadOnlyList<StepView> Steps);

public static class WorkflowEndpoints
{
    public static void MapWorkflows(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/workflows").WithTags("Procedures");
        group.MapGet("/", (WorkflowCatalog catalog) =>
            catalog.Latest.Select(d => new WorkflowSummary(d.Id, d.Version, d.Title, d.LegalBasis, d.DeadlineDays, d.Hash)))
            .WithSummary("The procedures new applications can follow (newest version of each)");
        group.MapGet("/{id}", (string id, WorkflowCatalog catalog) =>
                catalog.Find(id) is { } d
                    ? Results.Ok(View(d, catalog))
                    : Results.Problem(statusCode: 404, title: "Not found", detail: $"'{id}' is not a procedure of this service"))
            .WithSummary("One procedure: its data fields, documents and steps with their agencies");
    }

    private static WorkflowView View(WorkflowDefinition d, WorkflowCatalog catalog) => new(
        d.Id, d.Version, d.Title, d.LegalBasis, d.DeadlineDays, d.OnReturn.ToString().ToLowerInvariant(), d.Hash, d.Start.Id,
        [.. d.Data.Select(f => new FieldView(f.Name, TypeName(f.Type), f.Required, f.Of.IsEmpty ? null : f.Of, f.Title))],
        [.. d.Documents.Select(doc => new DocumentView(doc.Name, doc.When))],
        [.. d.Steps.Select(s => new StepView(s.Id, s.Title, s.Agency, catalog.FindAgency(s.Agency)?.Name ?? s.Agency, s.Role, s.DeadlineDays,
            s.When, s.After.ToString(), s.Approve, s.Reject, s.CanReturn))]);

    private static string TypeName(FieldType type) => type switch
    {
        FieldType.YesNo => "yes-no",
        _ => type.ToString().ToLowerInvariant(),
    };
}
