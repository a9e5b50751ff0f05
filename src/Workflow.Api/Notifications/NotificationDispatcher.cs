using Workflow.Store.Notifications;

namespace Workflow.Api.Notifications;

/// <summary>
/// Delivers the outbox at least once. Each pass claims due messages of the configured channels (SKIP LOCKED and a lease,
/// so several nodes never take the same message), sends each, and records the outcome under its claim: delivered, retried
/// after an exponentially growing wait, or dead after <see cref="NotificationOptions.MaxAttempts"/>. A dispatcher that is
/// down loses nothing: the rows wait, and a lease that ran out is claimed again.
/// </summary>
public sealed class NotificationDispatcher(
    OutboxRows rows,
    NotificationOptions options,
    Messages messages,
    IHttpClientFactory http,
    TimeProvider clock,
    ILogger<NotificationDispatcher> log)
{
    /// <summary>One pass: claims one batch and tries each message once; returns how many were claimed.</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken cancellation = default)
    {
        var claimed = await rows.ClaimAsync(options.Channels, options.BatchSize, options.Lease, clock.GetUtcNow(), cancellation);
        if (claimed.Count == 0) return 0;
        await using var email = new EmailSender(options.Smtp);
        var sms = new SmsSender(http.CreateClient(SmsSender.HttpClientName), options.Sms);
        foreach (var message in claimed)
        {
            try
            {
                var text = messages.Render(message);
                if (message.Channel == "email") await email.SendAsync(message, text, cancellation);
                else await sms.SendAsync(message, text, cancellation);
                if (await rows.DeliveredAsync(message, clock.GetUtcNow(), cancellation))
                    log.LogInformation("Sent {Kind} {Channel} message {MessageId} for {TrackingNumber} ({ApplicationId})",
                        message.Kind, message.Channel, message.Id, message.TrackingNumber, message.ApplicationId);
            }
            catch (Exception e) when (!cancellation.IsCancellationRequested)
            {
                var attempts = message.Attempts + 1;
                DateTimeOffset? retryAt = attempts >= options.MaxAttempts ? null : clock.GetUtcNow() + options.RetryAfter(attempts);
                await rows.FailedAsync(message, e.Message, retryAt, cancellation);
                if (retryAt is null)
                    log.LogError(
                        "Gave up {Kind} {Channel} message {MessageId} for {TrackingNumber} ({ApplicationId}) " +
                        "after {Attempts} attempts: {Error}",
                        message.Kind, message.Channel, message.Id, message.TrackingNumber, message.ApplicationId, attempts, e.Message);
                else
                    log.LogWarning(
                        "Could not send {Kind} {Channel} message {MessageId} for {TrackingNumber} ({ApplicationId}), attempt {Attempts}; " +
                        "retrying at {RetryAt}: {Error}",
                        message.Kind, message.Channel, message.Id, message.TrackingNumber, message.ApplicationId, attempts, retryAt,
                        e.Message);
            }
        }
        return claimed.Count;
    }
}
