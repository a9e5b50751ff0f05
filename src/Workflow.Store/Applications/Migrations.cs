using JasperFx;
using Marten;
using Microsoft.Extensions.Logging;
using Workflow.Core.Applications;
using Workflow.Store.Definitions;

namespace Workflow.Store.Applications;

public sealed record MigrationReport(Guid ApplicationId, string TrackingNumber, bool Applied, IReadOnlyList<string> Changes, IReadOnlyList<string> Problems);

public sealed class UnknownVersion(string message) : Exception(message);

/// <summary>
/// Moves the running applications of one version of a procedure to another. A dry run reports, per application, what
/// would change or why it cannot; applying records <see cref="ApplicationMigrated"/> in each stream that can move, with
/// optimistic concurrency, and leaves the others untouched.
/// </summary>
public sealed class Migrations(IDocumentStore store, PinnedDefinitions definitions, TimeProvider clock, ILogger<Migrations> log)
{
    public async Task<IReadOnlyList<MigrationReport>> RunAsync(string workflowId, int fromVersion, int toVersion, IReadOnlyDictionary<string, string> mapping,
        string reason, Actor by, bool apply, CancellationToken cancellation = default)
    {
        var target = await definitions.VersionAsync(workflowId, toVersion, cancellation)
            ?? throw new UnknownVersion($"{workflowId} has no version {toVersion}");
        List<Guid> running;
        await using (var query = store.QuerySession())
            running = [.. await query.Query<ApplicationDetails>()
                .Where(d => d.WorkflowId == workflowId && d.WorkflowVersion == fromVersion
                            && (d.Status == ApplicationStatus.Submitted || d.Status == ApplicationStatus.InProgress || d.Status == ApplicationStatus.AwaitingCorrection))
                .OrderBy(d => d.SubmittedAt).Select(d => d.Id).ToListAsync(cancellation)];

        var reports = new List<MigrationReport>();
        foreach (var id in running)
        {
            await using var session = store.LightweightSession();
            session.LastModifiedBy = by.UserId;
            session.CorrelationId = $"migration:{workflowId}:{fromVersion}->{toVersion}";
            session.SetHeader("actor-name", by.Name);
            session.SetHeader("actor-role", by.Role);
            session.SetHeader("channel", "api");
            var stream = await session.Events.FetchForWriting<Application>(id, cancellation);
            var state = stream.Aggregate!;
            var source = await definitions.PinnedAsync(state.WorkflowId, state.WorkflowVersion, state.DefinitionHash, cancellation);
            var plan = Migration.Plan(state, source, target, mapping);
            var applied = false;
            if (apply && plan.CanApply)
            {
                session.SetHeader("procedure", $"{target.Id}@{target.Version}");
                session.SetHeader("procedure-hash", target.Hash);
                stream.AppendOne(new ApplicationMigrated(state.WorkflowVersion, state.DefinitionHash, target.Version, target.Hash,
                    new Dictionary<string, string>(mapping), plan.Moved, reason, by, clock.GetUtcNow()));
                try
                {
                    await session.SaveChangesAsync(cancellation);
                    applied = true;
                    log.LogInformation("Migrated {TrackingNumber} ({ApplicationId}) of {WorkflowId} from version {From} to {To} by {Actor}: {Reason}",
                        state.TrackingNumber, id, workflowId, state.WorkflowVersion, target.Version, by.UserId, reason);
                }
                catch (ConcurrencyException)
                {
                    reports.Add(new MigrationReport(id, state.TrackingNumber, false, plan.Changes, ["the application changed meanwhile; run the migration again"]));
                    continue;
                }
            }
            reports.Add(new MigrationReport(id, state.TrackingNumber, applied, plan.Changes, plan.Problems));
        }
        return reports;
    }
}
