using Workflow.Store.Audit;

namespace Workflow.Api.Oversight;

/// <summary>
/// Seals the store periodically (setting <c>Workflow:Audit:SealInterval</c>, default one hour; zero turns it off).
/// Each node checks the latest seal's age first, so nodes rarely seal twice, and an extra seal is harmless.
/// </summary>
public sealed class SealService(Seals seals, IConfiguration configuration, TimeProvider clock, ILogger<SealService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("Workflow:Audit:SealInterval", TimeSpan.FromHours(1));
        if (interval <= TimeSpan.Zero) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var all = await seals.AllAsync(stoppingToken);
                if (all.Count == 0 || clock.GetUtcNow() - all[^1].Seal.At >= interval)
                {
                    var seal = await seals.SealAsync("system", stoppingToken);
                    log.LogInformation("Sealed {Streams} streams through event {ThroughSequence}: root {Root}", seal.Streams, seal.ThroughSequence, seal.Root);
                }
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
}
