using Workflow.Api.Hosting;
using Workflow.Store.Notifications;

namespace Workflow.Api.Notifications;

/// <summary>The outbox as oversight reads it: what was sent, what waits for a retry, what was given up (<c>status=dead</c>).</summary>
public static class NotificationEndpoints
{
    private static readonly string[] Statuses = [Outbox.Pending, Outbox.Sent, Outbox.Dead];

    public static void MapNotifications(this IEndpointRouteBuilder api) =>
        api.MapGroup("/notifications").WithTags("Notifications").RequireAuthorization(Policies.AuditorOrAdmin)
            .MapGet("", List)
            .WithSummary("Messages to applicants, newest first: status pending, sent or dead; applicationId to follow one case")
            .Produces<IReadOnlyList<OutboxEntry>>().ProducesValidationProblem();

    private static async Task<IResult> List(string? status, Guid? applicationId, int? limit, OutboxRows rows,
        CancellationToken cancellation)
    {
        if (!string.IsNullOrEmpty(status) && !Statuses.Contains(status))
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["status is pending, sent or dead"] });
        if (limit is < 1 or > 1000)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit is between 1 and 1000"] });
        return Results.Ok(await rows.ListAsync(string.IsNullOrEmpty(status) ? null : status, applicationId, limit ?? 100, cancellation));
    }
}
