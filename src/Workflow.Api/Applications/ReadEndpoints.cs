using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Workflow.Api.Hosting;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Store.Applications;
using Workflow.Store.Audit;

namespace Workflow.Api.Applications;

public sealed record HistoryActor(string? UserId, string? Name, string? Agency, string? Role, string? OnBehalfOf);

/// <param name="Procedure">The procedure version in force (id@version) and <paramref name="Calendar"/> the calendar version.</param>
public sealed record HistoryEntry(long Version, long Sequence, string Type, DateTimeOffset Time, HistoryActor Actor, string? Channel,
    string? Procedure, string? Calendar, string? CorrelationId, string? CausationId, object Data);

public sealed record ApplicationHistory(Guid Id, string TrackingNumber, string WorkflowId, int WorkflowVersion, string DefinitionHash,
    IReadOnlyList<HistoryEntry> Events);

public static class ReadEndpoints
{
    public static void MapReads(this RouteGroupBuilder applications)
    {
        applications.MapGet("/{id:guid}", GetDetails)
            .WithSummary("An application: status, procedure version, open steps with agency and due date, completed steps, the legal " +
                         "clock; ?asOf=INSTANT or ?atVersion=N replays it as it was then; ETag is its version")
            .Produces<ApplicationDetails>().ProducesProblem(403).ProducesProblem(404);
        applications.MapGet("/{id:guid}/access-log", GetAccessLog).WithTags("Oversight")
            .WithSummary("Who with oversight rights opened this case file, and when (auditors, admins)")
            .Produces<IReadOnlyList<CaseFileOpened>>().ProducesProblem(403).RequireAuthorization(Policies.AuditorOrAdmin);
        applications.MapGet("/{id:guid}/case-file", GetCaseFile).WithTags("Oversight")
            .WithSummary("The case file: timeline, every decision with reason and actor, deadlines met or missed, procedure version, " +
                         "verification result; ?format=json (default) or html (a printable report)")
            .Produces<string>(200, "text/html").Produces<CaseFile>().ProducesProblem(403).ProducesProblem(404);
        applications.MapGet("/{id:guid}/history", GetHistory)
            .WithSummary("Every event of the application in order, with type, time, actor and data")
            .Produces<ApplicationHistory>().ProducesProblem(403).ProducesProblem(404);
    }

    /// <summary>
    /// The application now, or as it was: <c>atVersion</c> replays its events up to that version, <c>asOf</c> up to that
    /// moment (as recorded by the store). Replay folds the stored events only, never today's definition files.
    /// </summary>
    private static async Task<IResult> GetDetails(Guid id, HttpContext http, IQuerySession session, ApplicationReplay replay,
        WorkflowCatalog catalog, TimeProvider clock, CancellationToken cancellation, DateTimeOffset? asOf = null, long? atVersion = null)
    {
        var current = await ReadRecordedAsync(id, asOf is null && atVersion is null ? "details" : "replay", http, session, cancellation);
        if (asOf is null && atVersion is null)
        {
            http.Response.SetVersion(current.Version);
            return Results.Ok(WithRemainingDays(current, catalog, clock.GetUtcNow()));
        }
        if (atVersion is < 1 || (asOf is not null && atVersion is not null))
            return Results.ValidationProblem(new Dictionary<string, string[]>
            {
                [atVersion is < 1 ? "atVersion" : "asOf"] = ["give either asOf (an instant) or atVersion (1 or more), not both"],
            });
        if (atVersion > current.Version)
            return Results.Problem(statusCode: 404, title: "Not found",
                detail: $"application {current.TrackingNumber} has {current.Version} events; there is no version {atVersion}");
        // Nothing has happened after now: a later instant replays the application as it is, on today's calendar.
        var now = clock.GetUtcNow();
        if (asOf > now) asOf = now;
        var then = await replay.AsOfAsync(id, atVersion ?? 0, asOf, cancellation);
        if (then is null)
            return Results.Problem(statusCode: 404, title: "Not found",
                detail: $"application {current.TrackingNumber} did not exist yet at that moment");
        http.Response.SetVersion(then.Details.Version);
        return Results.Ok(WithRemainingDays(then.Details, catalog, asOf ?? then.LastEventAt));
    }

    /// <summary>Working days left (negative: overdue) for each open step and the case, counted now on the office's calendar.</summary>
    private static ApplicationDetails WithRemainingDays(ApplicationDetails details, WorkflowCatalog catalog, DateTimeOffset now)
    {
        var calendar = catalog.Calendars.ForCentre(details.Centre, now);
        return details with
        {
            OpenSteps = [.. details.OpenSteps.Select(step => step.AwaitingCorrection
                ? step
                : step with { RemainingWorkingDays = calendar.WorkingDaysBetween(now, step.DueAt) })],
            Clock = details.Clock is { State: "running", DueAt: { } due }
                ? details.Clock with { RemainingWorkingDays = calendar.WorkingDaysBetween(now, due) }
                : details.Clock,
        };
    }

    private static async Task<IResult> GetHistory(Guid id, HttpContext http, IQuerySession session, WholeCaseReads reads,
        CancellationToken cancellation)
    {
        var details = await ReadRecordedAsync(id, "history", http, session, cancellation);
        return await reads.AnswerAsync(http, async () =>
        {
            var events = await session.Events.FetchStreamAsync(id, token: cancellation);
            http.Response.SetVersion(details.Version);
            return Results.Ok(new ApplicationHistory(details.Id, details.TrackingNumber, details.WorkflowId, details.WorkflowVersion,
                details.DefinitionHash, [.. events.Select(Entry)]));
        }, cancellation);
    }

    /// <summary>The actor is read from the metadata written with every event, so system events show who caused them.</summary>
    private static HistoryEntry Entry(IEvent e)
    {
        var audit = AuditHeaders.Of(e);
        return new HistoryEntry(e.Version, e.Sequence, e.EventTypeName, e.Timestamp,
            new HistoryActor(audit.ActorId, audit.ActorName, audit.ActorAgency, audit.ActorRole, audit.OnBehalfOf),
            audit.Channel, audit.Procedure, audit.Calendar, e.CorrelationId, e.CausationId, e.Data);
    }

    private static async Task<IResult> GetCaseFile(Guid id, HttpContext http, IQuerySession session, CaseFiles files,
        WholeCaseReads reads, CancellationToken cancellation, string format = "json")
    {
        if (format is not ("json" or "html"))
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["format is json or html"] });
        await ReadRecordedAsync(id, "case-file", http, session, cancellation);
        return await reads.AnswerAsync(http, async () =>
        {
            var file = await files.LoadAsync(id, cancellation) ?? throw new ApplicationNotFound(id);
            return format == "html" ? Results.Content(CaseFileHtml.Render(file), "text/html; charset=utf-8") : CaseFileJson(file, http);
        }, cancellation);
    }

    /// <summary>A case file as the API's JSON, every instant of its timeline's events written in its office's zone.</summary>
    public static IResult CaseFileJson(CaseFile file, HttpContext http) =>
        Results.Json(file, file.Writing(http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions));

    private static async Task<IResult> GetAccessLog(Guid id, AccessLog log, CancellationToken cancellation) =>
        Results.Ok(await log.ForAsync(id, cancellation));

    /// <summary>
    /// Loads an application the caller may read, and writes: an auditor's or admin's reading (<paramref name="what"/>:
    /// details, replay, history, case-file) is appended to the case's access log here. Every reader of a case on behalf
    /// of oversight goes through it, so the log cannot miss one.
    /// </summary>
    public static async Task<ApplicationDetails> ReadRecordedAsync(Guid id, string what, HttpContext http, IQuerySession session,
        CancellationToken cancellation)
    {
        var details = await session.LoadAsync<ApplicationDetails>(id, cancellation) ?? throw new ApplicationNotFound(id);
        var actor = http.Actor();
        if (!AccessPolicy.MayRead(actor, new(details.Centre, details.Agencies))) throw new AccessDenied(AccessDenied.Unreadable);
        if (AccessPolicy.RecordsReading(actor))
            await http.RequestServices.GetRequiredService<AccessLog>().RecordAsync(id, what, actor, http.CorrelationId(), cancellation);
        return details;
    }
}
