using System.Text.Json.Serialization;
using Workflow.Api.Hosting;
using Workflow.Core.Applications;
using Workflow.Store.Applications;

namespace Workflow.Api.Applications;

/// <summary>What every command on an application answers: the case, its status and version, the events it recorded.</summary>
/// <param name="AccessCode">On the receipt of a new application only: the citizen's code for the tracking page, never shown again.</param>
public sealed record CommandResponse(Guid Id, string TrackingNumber, ApplicationStatus Status, long Version, IReadOnlyList<string> Events,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AccessCode = null)
{
    public static CommandResponse Of(CommandResult result) =>
        new(result.Id, result.TrackingNumber, result.Status, result.Version, [.. result.Events.Select(e => e.GetType().Name)],
            result.AccessCode);
}

/// <summary>
/// The one way an endpoint sends a command on an existing application: the version in <c>If-Match</c> guards it, and the
/// answer is 200 with what was recorded and the new version as the ETag, so the caller's next command can be guarded.
/// Commands that arrive while others are being written are committed together (<see cref="CommandBatcher"/>), each with
/// the answer it would have had alone.
/// </summary>
public static class CommandAnswer
{
    public static async Task<IResult> SendAsync(this ApplicationCommands commands, Guid id, ApplicationCommand command, HttpContext http,
        CancellationToken cancellation)
    {
        var batcher = http.RequestServices.GetRequiredService<CommandBatcher>();
        var result = await batcher.HandleAsync(id, http.Request.ExpectedVersion(), command, http.CommandContext(), cancellation);
        http.Response.SetVersion(result.Version);
        return Results.Ok(CommandResponse.Of(result));
    }
}
