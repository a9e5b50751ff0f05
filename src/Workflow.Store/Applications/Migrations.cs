using JasperFx;
using Marten;
using Workflow.Core.Access;
using Workflow.Core.Applications;
using Workflow.Store.Definitions;

namespace Workflow.Store.Applications;

public sealed record MigrationReport(Guid ApplicationId, string TrackingNumber, bool Applied, IReadOnlyList<string> Changes,
    IReadOnlyList<string> Problems);

public sealed class UnknownVersion(string message) : Exception(message);

/// <summary>
/// Moves the running applications of one version of a procedure to another. A dry run reports, per application, what
/// would change or why it cannot; applying sends <see cref="MigrateApplication"/> through the command shell for each
/// application that can move (the access policy, the decider's own plan, the audit headers and optimistic concurrency
/// of every command), and leaves the others untouched.
/// </summary>
public sealed class Migrations(IDocumentStore store, PinnedDefinitions definitions, ApplicationCommands commands)
{
    public async Task<IReadOnlyList<MigrationReport>> RunAsync(string workflowId, int fromVersion, int toVersion,
        IReadOnlyDictionary<string, string> mapping, string reason, Actor by, bool apply, CancellationToken cancellation = default)
    {
        // The shell asks the policy for each application; asking first also keeps a dry run from others' eyes.
        if (!AccessPolicy.Allows(by, Permission.ChangeProcedures))
            throw new AccessDenied("running applications are migrated between versions by a designer");
        var target = await definitions.VersionAsync(workflowId, toVersion, cancellation)
            ?? throw new UnknownVersion($"{workflowId} has no version {toVersion}");
        await using var query = store.QuerySession();
        var running = await query.Query<ApplicationDetails>()
            .Where(d => d.WorkflowId == workflowId && d.WorkflowVersion == fromVersion && d.Status.IsOneOf(ApplicationStatuses.Running))
            .OrderBy(d => d.SubmittedAt).Select(d => d.Id).ToListAsync(cancellation);

        var reports = new List<MigrationReport>();
        foreach (var id in running)
        {
            var state = (await query.Events.AggregateStreamAsync<Application>(id, token: cancellation))!;
            var source = await definitions.PinnedAsync(state.WorkflowId, state.WorkflowVersion, state.DefinitionHash, cancellation);
            var plan = Migration.Plan(state, source, target, mapping);
            if (!apply || !plan.CanApply)
            {
                reports.Add(new MigrationReport(id, state.TrackingNumber, false, plan.Changes, plan.Problems));
                continue;
            }
            try
            {
                // The decider plans again on the state it loads: what it records is what holds when it is recorded.
                await commands.HandleAsync(id, null, new MigrateApplication(target, mapping, reason, by),
                    new CommandContext($"migration:{workflowId}:{fromVersion}->{toVersion}"), cancellation);
                reports.Add(new MigrationReport(id, state.TrackingNumber, true, plan.Changes, []));
            }
            catch (RuleViolation refused)
            {
                reports.Add(new MigrationReport(id, state.TrackingNumber, false, plan.Changes, [refused.Message]));
            }
            catch (ConcurrencyException)
            {
                reports.Add(new MigrationReport(id, state.TrackingNumber, false, plan.Changes,
                    ["the application changed meanwhile; run the migration again"]));
            }
        }
        return reports;
    }
}
