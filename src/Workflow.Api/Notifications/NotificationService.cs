using Workflow.Api.Tracking;
using Workflow.Store.Notifications;

namespace Workflow.Api.Notifications;

/// <summary>
/// Runs the dispatcher on every node (setting <c>Workflow:Notifications:Enabled</c>): a full batch is followed at once
/// by the next, otherwise it waits for the poll interval. Channels without settings are not claimed: their messages wait.
/// </summary>
public sealed class NotificationService(NotificationDispatcher dispatcher, NotificationOptions options, ILogger<NotificationService> log)
    : BackgroundService
{
    public static WebApplicationBuilder AddNotifications(WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Workflow:Notifications").Get<NotificationOptions>() ?? new NotificationOptions();
        options.Check();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<Messages>();
        builder.Services.AddSingleton<NotificationDispatcher>();
        builder.Services.AddHttpClient(SmsSender.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(15));
        if (options.Enabled) builder.Services.AddHostedService<NotificationService>();
        return builder;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Channels.Count == 0)
        {
            log.LogWarning(
                "No notification channel is configured (Workflow:Notifications:Smtp:Host, Sms:Url): messages wait in the outbox");
            return;
        }
        log.LogInformation("Notification dispatcher sending {Channels} every {PollInterval}", options.Channels, options.PollInterval);
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                claimed = await dispatcher.DispatchOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "Notification dispatch failed; retrying after {PollInterval}", options.PollInterval);
            }
            if (claimed < options.BatchSize)
                try { await Task.Delay(options.PollInterval, stoppingToken); }
                catch (OperationCanceledException) { return; }
        }
    }
}
