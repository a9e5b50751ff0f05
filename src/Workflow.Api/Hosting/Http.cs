using FluentValidation;
using FluentValidation.Results;
using Workflow.Core.Applications;
using Workflow.Store.Applications;
using Workflow.Store.Identity;

namespace Workflow.Api.Hosting;

/// <summary>What every endpoint needs from HTTP: the actor, the correlation, the expected version, the ETag.</summary>
public static class Http
{
    public static Actor Actor(this HttpContext http) => Tokens.ActorOf(http.User);

    private static readonly string[] Channels = ["counter", "web", "api"];

    /// <summary>
    /// Correlation and causation ids, the channel (header X-Channel: counter, web or api; a clerk's default is the counter)
    /// and, when the actor acts for someone else, X-On-Behalf-Of.
    /// </summary>
    public static CommandContext CommandContext(this HttpContext http)
    {
        var channel = http.Request.Headers["X-Channel"].FirstOrDefault()?.ToLowerInvariant();
        if (channel is not null && !Channels.Contains(channel))
            throw Invalid("X-Channel", "X-Channel is counter, web or api");
        var onBehalfOf = http.Request.Headers["X-On-Behalf-Of"].FirstOrDefault();
        if (onBehalfOf is { Length: > 200 })
            throw Invalid("X-On-Behalf-Of", "at most 200 characters");
        // Stored with every event of the command: bounded like any name.
        var causation = http.Request.Headers["X-Causation-Id"].FirstOrDefault();
        if (causation is { Length: > 200 })
            throw Invalid("X-Causation-Id", "at most 200 characters");
        // Without the header, a command comes from the counter when its sender is one who receives applications there.
        var channelOrDefault = channel ?? (AccessPolicy.Allows(http.Actor(), Permission.Counter) ? "counter" : "api");
        return new(http.CorrelationId(), causation, channelOrDefault, string.IsNullOrWhiteSpace(onBehalfOf) ? null : onBehalfOf);
    }

    private static ValidationException Invalid(string header, string message) => new([new ValidationFailure(header, message)]);

    /// <summary>The stream version the caller expects, from <c>If-Match: "7"</c>; null when absent.</summary>
    public static long? ExpectedVersion(this HttpRequest request)
    {
        var value = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(value)) return null;
        var trimmed = value.Trim();
        if (trimmed.StartsWith("W/", StringComparison.Ordinal)) trimmed = trimmed[2..];
        return long.TryParse(trimmed.Trim('"'), out var version) && version >= 0
            ? version
            : throw new InvalidIfMatch($"If-Match must be the ETag of the application, such as \"3\"; got {value}");
    }

    public static void SetVersion(this HttpResponse response, long version) => response.Headers.ETag = $"\"{version}\"";

    /// <summary>A stable application id for an Idempotency-Key, so that a retried submission finds the first one.</summary>
    public static Guid IdFor(string idempotencyKey, Actor actor) => Core.NameBasedIds.From($"{actor.UserId}\n{idempotencyKey}");

    /// <summary>The highest page number any list accepts: page x pageSize stays a 32-bit offset.</summary>
    public const int MaxPage = 100_000;

    /// <summary>Field errors for a page and page size out of range, or null; pages start at 1 and hold up to 500 items.</summary>
    public static Dictionary<string, string[]>? PageErrors(int page, int pageSize)
    {
        var errors = new Dictionary<string, string[]>();
        if (page is < 1 or > MaxPage) errors["page"] = [$"page is between 1 and {MaxPage:N0}"];
        if (pageSize is < 1 or > 500) errors["pageSize"] = ["pageSize is between 1 and 500"];
        return errors.Count > 0 ? errors : null;
    }

    public static async Task Check<T>(this IValidator<T> validator, T request, CancellationToken cancellation) =>
        await validator.ValidateAndThrowAsync(request, cancellation);
}
