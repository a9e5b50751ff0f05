using Workflow.Store.Audit;

namespace Workflow.Api.Oversight;

/// <summary>
/// Seals the store periodically (setting <c>Workflow:Audit:SealInterval</c>, default one hour; zero turns it off).
/// Each node checks the latest seal's age first, so nodes rarely seal twice, and an extra seal is harmless.
/// </summary>
public sealed class SealService(Seals seals, IConfiguration configuration, TimeProvider clock, ILogger<SealService> log) : BackgroundService
{
    private TimeSpan Interval => configuration.GetValue("Workflow:Audit:SealInterval", TimeSpan.FromHours(1));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Interval <= TimeSpan.Zero) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SealIfDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "Sealing the store failed; retrying in a minute");
            }
            try { await Task.Delay(TimeSpan.FromMinutes(1), stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One pass: seals the store when it has no seal yet or the latest is at least one interval old.</summary>
    public async Task<ChainsSealed?> SealIfDueAsync(CancellationToken cancellation = default)
    {
        var all = await seals.AllAsync(cancellation);
        if (all.Count > 0 && clock.GetUtcNow() - all[^1].Seal.At < Interval) return null;
        var seal = await seals.SealAsync("system", cancellation);
        log.LogInformation("Sealed {Streams} streams through event {ThroughSequence}: root {Root}",
            seal.Streams, seal.ThroughSequence, seal.Root);
        return seal;
    }
}
