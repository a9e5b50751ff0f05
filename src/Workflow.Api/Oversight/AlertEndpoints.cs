using Workflow.Api.Hosting;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Store.Oversight;

namespace Workflow.Api.Oversight;

/// <param name="OverdueWorkingDays">Working days past the step's due date today, on the centre's calendar.</param>
public sealed record AlertView(Guid ApplicationId, string TrackingNumber, string WorkflowId, string Centre, string StepId, string Title,
    string Agency, int Level, IReadOnlyList<string> Notified, DateTimeOffset EscalatedAt, DateTimeOffset DueAt, int OverdueWorkingDays,
    string? AcknowledgedBy, DateTimeOffset? AcknowledgedAt);

/// <summary>
/// <c>/api/alerts</c>: the escalations that named a watched target (the provincial home-affairs department, the national
/// dashboard), the most overdue first. Read by the target's watchers and by oversight; acknowledged with the escalation
/// acknowledgement under <c>/applications</c>, through the one command shell.
/// </summary>
public static class AlertEndpoints
{
    public static void MapAlerts(this IEndpointRouteBuilder api) =>
        api.MapGroup("/alerts").WithTags("Oversight").MapGet("", List)
            .WithSummary("Live alerts for an escalation target (target: national-dashboard or provincial-home-affairs; a watcher's " +
                         "own by default), the most overdue first")
            .Produces<IReadOnlyList<AlertView>>().ProducesValidationProblem().ProducesProblem(403);

    private static async Task<IResult> List(HttpContext http, Alerts alerts, WorkflowCatalog catalog, TimeProvider clock,
        CancellationToken cancellation, string? target = null)
    {
        var actor = http.Actor();
        target ??= AccessPolicy.WatchedTarget(actor) ?? AccessPolicy.NationalDashboard;
        if (!AccessPolicy.WatchedTargets.Contains(target))
            return Results.ValidationProblem(new Dictionary<string, string[]>
            {
                ["target"] = [$"target is one of {string.Join(", ", AccessPolicy.WatchedTargets)}"],
            });
        if (!AccessPolicy.MayReadAlerts(actor, target)) throw new AccessDenied("alerts are read by their watchers and by oversight");
        return Results.Ok(await ReadAsync(alerts, catalog, clock.GetUtcNow(), target, AccessPolicy.AlertCentreScope(actor), cancellation));
    }

    /// <summary>The alerts with their lateness counted today: the API and the workspace's alert list read them here.</summary>
    public static async Task<IReadOnlyList<AlertView>> ReadAsync(Alerts alerts, WorkflowCatalog catalog, DateTimeOffset now, string target,
        string? centre, CancellationToken cancellation = default) =>
        [.. (await alerts.ForAsync(target, centre, cancellation: cancellation)).Select(a => new AlertView(a.ApplicationId,
            a.TrackingNumber, a.WorkflowId, a.Centre, a.StepId, a.Title, a.Agency, a.Level, a.Notified, a.EscalatedAt, a.DueAt,
            Math.Max(0, -catalog.Calendars.ForCentre(a.Centre, now).WorkingDaysBetween(now, a.DueAt)), a.AcknowledgedBy,
            a.AcknowledgedAt))];
}
