using JasperFx;
using Marten;
using Microsoft.Extensions.Logging;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;

namespace Workflow.Store.Applications;

/// <summary>The calendar versions in force when open deadlines were last checked against the calendars.</summary>
public sealed record CalendarVersionsInForce
{
    public string Id { get; init; } = "calendars";
    public Dictionary<string, string> Versions { get; init; } = [];
    public DateTimeOffset CheckedAt { get; init; }
}

/// <summary>
/// When a new calendar version comes into force (a holiday announced after deadlines were set), every running
/// application is asked to recalculate its open deadlines; each deadline that moves is recorded as its own
/// <see cref="DeadlineRecalculated"/> event with the reason. Several nodes may run this at once: the decider changes
/// nothing twice and a concurrent change is retried.
/// </summary>
public sealed class CalendarChanges(IDocumentStore store, WorkflowCatalog catalog, ApplicationCommands commands, TimeProvider clock,
    ILogger<CalendarChanges> log)
{
    public async Task<int> RecalculateIfChangedAsync(CancellationToken cancellation = default)
    {
        var now = clock.GetUtcNow();
        // Effective dates are local dates of each calendar's own time zone.
        var calendars = catalog.Calendars;
        var inForce = calendars.Ids.ToDictionary(id => id, id => calendars.InForce(id, calendars.LocalDay(id, now))!.Tag);

        await using var session = store.LightweightSession();
        var seen = await session.LoadAsync<CalendarVersionsInForce>("calendars", cancellation);
        var changed = seen is null
            ? []
            : inForce.Where(kv => seen.Versions.GetValueOrDefault(kv.Key) != kv.Value).Select(kv => kv.Value).ToList();
        var recalculated = 0;
        if (changed.Count > 0)
        {
            var reason = "calendar change: " + string.Join(", ", changed.Select(tag =>
            {
                var file = catalog.Calendars.Files.First(f => f.Tag == tag);
                return $"{tag} ({file.Title}) in force since {file.Effective:yyyy-MM-dd}";
            }));
            log.LogInformation("New calendar versions in force: {Calendars}; recalculating open deadlines", changed);
            var running = await session.Query<ApplicationDetails>()
                .Where(d => d.Status.IsOneOf(ApplicationStatuses.Running))
                .Select(d => d.Id).ToListAsync(cancellation);
            foreach (var id in running)
                recalculated += await Recalculate(id, reason, cancellation);
        }
        session.Store(new CalendarVersionsInForce { Versions = inForce, CheckedAt = now });
        await session.SaveChangesAsync(cancellation);
        return recalculated;
    }

    private async Task<int> Recalculate(Guid id, string reason, CancellationToken cancellation)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await commands.HandleAsync(id, null, new RecalculateDeadlines(reason, DeadlineScopes.System),
                    new CommandContext($"recalculate:{id}", Channel: "system"), cancellation);
                return result.Events.Count;
            }
            catch (ConcurrencyException) when (attempt < 3)
            {
            }
        }
    }
}
