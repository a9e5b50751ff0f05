using Workflow.Api.Hosting;
using Workflow.Design;
using Workflow.Store.Definitions;

namespace Workflow.Api.Workspace.Design;

/// <summary>A published version's files for the designers' pages (cookie sign-in): its YAML text, BPMN 2.0 and Mermaid.</summary>
public static class DesignDownloads
{
    public static WebApplication MapDesignDownloads(this WebApplication app)
    {
        app.MapGet("/design/{id}/versions/{version:int}/download/{format}", async (string id, int version, string format,
                PinnedDefinitions definitions, CancellationToken cancellation) =>
            {
                if (await definitions.VersionAsync(id, version, cancellation) is not { } d)
                    return Results.Problem(statusCode: 404, title: "Not found", detail: $"{id} has no version {version}");
                return format switch
                {
                    "yaml" => Results.File(System.Text.Encoding.UTF8.GetBytes(d.SourceText), "application/yaml", $"{id}-v{version}.yaml"),
                    "bpmn" => Results.File(System.Text.Encoding.UTF8.GetBytes(Bpmn.Export(d, definitions.Catalog)), "application/xml",
                        $"{id}-v{version}.bpmn"),
                    "mermaid" => Results.File(System.Text.Encoding.UTF8.GetBytes(Diagram.Mermaid(d, definitions.Catalog)), "text/plain",
                        $"{id}-v{version}.mmd"),
                    _ => Results.Problem(statusCode: 404, title: "Not found", detail: "yaml, bpmn or mermaid"),
                };
            })
            .RequireAuthorization(Policies.Designer).ExcludeFromDescription();
        return app;
    }
}
