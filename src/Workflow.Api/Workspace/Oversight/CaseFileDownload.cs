using Marten;
using Workflow.Api.Applications;
using Workflow.Api.Hosting;
using Workflow.Store.Applications;
using Workflow.Store.Audit;

namespace Workflow.Api.Workspace.Oversight;

/// <summary>
/// The case file for an auditor signed in to the workspace: the API's case file (<c>/api/applications/{id}/case-file</c>)
/// takes bearer tokens only, so the workspace serves the same file to its cookie, as a download, and records the read in
/// the case's access log as the API does.
/// </summary>
public static class CaseFileDownload
{
    public static void MapCaseFileDownload(this WebApplication app) =>
        app.MapGet("/oversight/cases/{id:guid}/case-file", DownloadAsync).RequireAuthorization(Policies.AuditorOrAdmin)
            .ExcludeFromDescription();

    private static async Task<IResult> DownloadAsync(Guid id, HttpContext http, IQuerySession session, CaseFiles files, AccessLog log,
        WholeCaseReads reads, ILogger<CaseFiles> logger, CancellationToken cancellation, string format = "html")
    {
        if (format is not ("json" or "html")) return Results.BadRequest();
        var details = await session.LoadAsync<ApplicationDetails>(id, cancellation);
        if (details is null) return Results.NotFound();
        var actor = http.Actor();
        if (!AccessPolicy.MayRead(actor, new(details.Centre, details.Agencies))) return Results.Forbid();
        if (AccessPolicy.RecordsReading(actor)) await log.RecordAsync(id, "case-file", actor, http.CorrelationId(), cancellation, "web");
        return await reads.AnswerAsync(http, async () =>
        {
            var file = await files.LoadAsync(id, cancellation);
            if (file is null) return Results.NotFound();
            logger.LogInformation("{Actor} downloaded the case file of {ApplicationId} as {Format}", actor.UserId, id, format);
            var name = $"{details.TrackingNumber}-case-file.{format}";
            if (format == "html")
                return Results.File(System.Text.Encoding.UTF8.GetBytes(CaseFileHtml.Render(file)), "text/html; charset=utf-8", name);
            http.Response.Headers.ContentDisposition =
                new System.Net.Http.Headers.ContentDispositionHeaderValue("attachment") { FileName = name }.ToString();
            return ReadEndpoints.CaseFileJson(file, http);
        }, cancellation);
    }
}
