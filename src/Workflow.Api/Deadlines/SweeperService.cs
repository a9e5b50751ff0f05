using Workflow.Store.Applications;

namespace Workflow.Api.Deadlines;

public sealed record SweeperOptions
{
    public bool Enabled { get; init; } = true;
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
    public int BatchSize { get; init; } = 500;
    public int Parallelism { get; init; } = 4;
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// Runs the deadline sweep on every node: a full batch is followed at once by the next, otherwise it waits for the poll
/// interval (setting <c>Workflow:Deadlines:PollInterval</c>). Start-up does no work proportional to open deadlines.
/// </summary>
public sealed class SweeperService(DeadlineSweeper sweeper, CalendarChanges calendars, SweeperOptions options, ILogger<SweeperService> log)
    : BackgroundService
{
    public static void AddDeadlineSweeper(WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Workflow:Deadlines").Get<SweeperOptions>() ?? new SweeperOptions();
        if (options.PollInterval <= TimeSpan.Zero || options.BatchSize < 1 || options.Parallelism < 1)
            throw new InvalidOperationException("Workflow:Deadlines needs a positive PollInterval, BatchSize and Parallelism.");
        builder.Services.AddSingleton(options);
        if (options.Enabled) builder.Services.AddHostedService<SweeperService>();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        log.LogInformation("Deadline sweeper polling every {PollInterval} in batches of {BatchSize}", options.PollInterval,
            options.BatchSize);
        var calendarsCheckedAt = DateTime.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                // A calendar version can come into force while the server runs (its effective date arrives): check hourly.
                if (DateTime.UtcNow - calendarsCheckedAt > TimeSpan.FromHours(1))
                {
                    var moved = await calendars.RecalculateIfChangedAsync(stoppingToken);
                    if (moved > 0) log.LogInformation("Calendar change recalculated {Deadlines} open deadline(s)", moved);
                    calendarsCheckedAt = DateTime.UtcNow;
                }
                claimed = await sweeper.SweepOnceAsync(options.BatchSize, options.Parallelism, options.Lease, stoppingToken);
                if (claimed > 0) log.LogInformation("Deadline sweep fired {Claimed} due deadline(s)", claimed);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "Deadline sweep failed; retrying after {PollInterval}", options.PollInterval);
            }
            if (claimed < options.BatchSize)
                try { await Task.Delay(options.PollInterval, stoppingToken); }
                catch (OperationCanceledException) { return; }
        }
    }
}
