using JasperFx.Events;
using Marten;
using Workflow.Api.Hosting;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Store.Applications;
using Workflow.Store.Identity;

namespace Workflow.Api.Applications;

public sealed record HistoryActor(string? UserId, string? Name, string? Agency, string? Role, string? OnBehalfOf);

/// <param name="Procedure">The procedure version in force (id@version) and <paramref name="Calendar"/> the calendar version.</param>
public sealed record HistoryEntry(long Version, long Sequence, string Type, DateTimeOffset Time, HistoryActor Actor, string? Channel,
    string? Procedure, string? Calendar, string? CorrelationId, string? CausationId, object Data);

public sealed record ApplicationHistory(Guid Id, string TrackingNumber, string WorkflowId, int WorkflowVersion, string DefinitionHash,
    IReadOnlyList<HistoryEntry> Events);

public static class ReadEndpoints
{
    public static void MapApplicationReads(this IEndpointRouteBuilder api)
    {
        api.MapGet("/applications/{id:guid}", Get).WithTags("Applications")
            .WithSummary("An application: status, procedure version, open steps with agency and due date, completed steps; ETag is its version")
            .Produces<ApplicationDetails>().ProducesProblem(403).ProducesProblem(404);
        api.MapGet("/applications/{id:guid}/history", History).WithTags("Applications")
            .WithSummary("Every event of the application in order, with type, time, actor and data")
            .Produces<ApplicationHistory>().ProducesProblem(403).ProducesProblem(404);
    }

    private static async Task<IResult> Get(Guid id, HttpContext http, IQuerySession session, WorkflowCatalog catalog, TimeProvider clock,
        CancellationToken cancellation)
    {
        var details = await Readable(id, http, session, cancellation);
        http.Response.SetVersion(details.Version);
        return Results.Ok(WithRemainingDays(details, catalog, clock.GetUtcNow()));
    }

    /// <summary>Working days left (negative: overdue) for each open step and the case, counted now on the office's calendar.</summary>
    private static ApplicationDetails WithRemainingDays(ApplicationDetails details, WorkflowCatalog catalog, DateTimeOffset now)
    {
        var calendar = catalog.Calendars.ForCentre(details.Centre, now);
        return details with
        {
            OpenSteps = [.. details.OpenSteps.Select(s => s.AwaitingCorrection ? s : s with { RemainingWorkingDays = calendar.WorkingDaysBetween(now, s.DueAt) })],
            Clock = details.Clock is { State: "running", DueAt: { } due }
                ? details.Clock with { RemainingWorkingDays = calendar.WorkingDaysBetween(now, due) }
                : details.Clock,
        };
    }

    private static async Task<IResult> History(Guid id, HttpContext http, IQuerySession session, CancellationToken cancellation)
    {
        var details = await Readable(id, http, session, cancellation);
        var events = await session.Events.FetchStreamAsync(id, token: cancellation);
        http.Response.SetVersion(details.Version);
        return Results.Ok(new ApplicationHistory(details.Id, details.TrackingNumber, details.WorkflowId, details.WorkflowVersion,
            details.DefinitionHash, [.. events.Select(Entry)]));
    }

    /// <summary>The actor is read from the metadata written with every event, so system events show who caused them.</summary>
    private static HistoryEntry Entry(IEvent e)
    {
        string? Header(string name) => e.Headers?.TryGetValue(name, out var value) == true ? value?.ToString() : null;
        return new HistoryEntry(e.Version, e.Sequence, e.EventTypeName, e.Timestamp,
            new HistoryActor(e.UserName, Header("actor-name"), Header("actor-agency"), Header("actor-role"), Header("on-behalf-of")),
            Header("channel"), Header("procedure"), Header("calendar"), e.CorrelationId, e.CausationId, e.Data);
    }

    private static async Task<ApplicationDetails> Readable(Guid id, HttpContext http, IQuerySession session, CancellationToken cancellation)
    {
        var details = await session.LoadAsync<ApplicationDetails>(id, cancellation) ?? throw new ApplicationNotFound(id);
        if (!Access.CanRead(http.Actor(), details.Agencies))
            throw new AccessDenied($"application {details.TrackingNumber} has no step of your agency");
        return details;
    }
}
