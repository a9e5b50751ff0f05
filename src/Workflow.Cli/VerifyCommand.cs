using System.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Workflow.Store.Applications;
using Workflow.Store.Audit;
using Workflow.Store.Definitions;

namespace Workflow.Cli;

public static class VerifyCommand
{
    public static Command Create()
    {
        var application = new Option<Guid?>("--application")
        {
            Description = "verify one application; default: the whole store and its seals",
        };
        var projections = new Option<bool>("--projections")
        {
            Description = "also fold the verified events again and name every read model that differs from them " +
                          "(case documents, inbox items, deadline timers)",
        };
        var export = new Option<FileInfo?>("--export")
        {
            Description = "check an evaluation export (workflow export-evaluation) instead of the store: no database, no secret key",
        };
        var publicKey = new Option<FileInfo?>("--public-key")
        {
            Description = "with --export: the operator's published public key (PEM); default: the key the file names",
        };
        var sealRoot = new Option<string?>("--seal-root") { Description = "with --export: the seal root the operator published" };
        var figures = new Option<string?>("--figures")
        {
            Arity = ArgumentArity.ZeroOrOne,
            Description = "with --export: also print the indicators of the file's period computed from its events, broken down by " +
                          "these dimensions (centre, agency, procedure, step; comma separated; default centre,procedure), " +
                          "when the file is intact; calendars from --workflows",
        };
        var workflows = Connection.Workflows();
        var key = AuditOptions.ChainKey();
        var connection = Connection.Option();
        var command = new Command("verify", "Re-derive the keyed chains (and seals) from the stored events, or check an evaluation " +
                                            "export; exit code 0 when intact, 1 otherwise, 2 for usage or connection errors")
            { application, projections, export, publicKey, sealRoot, figures, workflows, key, connection };
        command.SetAction(async (parse, cancellation) =>
        {
            if (parse.GetValue(export) is { } file)
                return await VerifyExportCommand.RunAsync(file, parse.GetValue(publicKey), parse.GetValue(sealRoot),
                    parse.GetResult(figures) is null ? null : (parse.GetValue(figures) ?? "", parse.GetValue(workflows)!), cancellation);
            using var keyScope = AuditOptions.UseKey(parse, key);
            if (keyScope is null) return 2;
            await using var provider = await Connection.OpenAsync(parse.GetValue(connection), cancellation);
            if (provider is null) return 2;
            try
            {
                return await RunAsync(provider, parse.GetValue(application), parse.GetValue(projections), cancellation);
            }
            catch (NpgsqlException e)
            {
                Console.Error.WriteLine($"cannot reach the store: {e.Message}. Check --connection or {Connection.Variable}.");
                return 2;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(ServiceProvider provider, Guid? one, bool projections, CancellationToken cancellation)
    {
        var chain = provider.GetRequiredService<AuditChain>();
        await using var session = provider.GetRequiredService<IDocumentStore>().QuerySession();
        async Task<string> Tracking(Guid id) => (await session.LoadAsync<ApplicationDetails>(id, cancellation))?.TrackingNumber ?? "-";
        var broken = new List<Guid>();
        async Task Report(StreamVerification result)
        {
            broken.Add(result.StreamId);
            var b = result.FirstBreak!;
            Console.WriteLine($"BROKEN {b.StreamId} {await Tracking(b.StreamId)} version {b.Version}: " +
                              $"{b.Kind.ToString().ToLowerInvariant()} - {b.Detail}");
        }
        int streams;
        long events;
        if (one is { } id)
        {
            var result = await chain.VerifyAsync(id, cancellation);
            if (result is { Intact: true, Events: 0 }) throw new CommandError($"no application {id}");
            if (!result.Intact) await Report(result);
            (streams, events) = (1, result.Events);
        }
        else (streams, events) = await chain.VerifyAllAsync(Report, cancellation);
        var sealsBroken = 0;
        if (one is null)
            foreach (var seal in await provider.GetRequiredService<Seals>().VerifyAsync(cancellation))
            {
                if (!seal.HeadsIntact)
                    Console.WriteLine($"SEAL {seal.Version} of {seal.At:O}: the heads recorded beside it no longer add up to its root");
                if (seal.Holds && seal.HeadsIntact) continue;
                sealsBroken++;
                if (seal.Holds) continue;
                Console.WriteLine($"SEAL {seal.Version} of {seal.At:O} no longer holds: " +
                                  $"recorded {seal.Root}, recomputed {seal.Recomputed}");
                foreach (var change in seal.Changed)
                    Console.WriteLine($"  {change.Kind} since the seal: {change.StreamId} {await Tracking(change.StreamId)} " +
                                      $"(sealed at version {change.SealedVersion?.ToString() ?? "-"}, " +
                                      $"now {change.CurrentVersion?.ToString() ?? "-"})");
            }
        var altered = 0;
        var definitions = provider.GetRequiredService<PinnedDefinitions>();
        // The whole store: every procedure version; one application: the version its events record it follows.
        var followed = one is { } application && broken.Count == 0
            ? (await provider.GetRequiredService<ApplicationReplay>().AsOfAsync(application, cancellation: cancellation))?.Details
            : null;
        IReadOnlyList<AlteredDefinition> changed = one is null ? await definitions.AlteredAsync(cancellation)
            : followed is null ? []
            : [.. new[] { await definitions.AlteredAsync(followed.WorkflowId, followed.WorkflowVersion, followed.DefinitionHash,
                cancellation) }.OfType<AlteredDefinition>()];
        foreach (var rules in changed)
        {
            altered++;
            Console.WriteLine($"RULES {rules.WorkflowId} version {rules.Version} ({rules.Hash}) changed since publication: {rules.Detail}");
        }
        var differences = 0;
        if (projections)
            foreach (var d in await provider.GetRequiredService<ProjectionCheck>().RunAsync(broken, one, cancellation))
            {
                differences++;
                Console.WriteLine($"DIFFERS {d.Document} {d.ApplicationId} {d.TrackingNumber ?? "-"}: {d.Detail}");
            }
        var problems = broken.Count + sealsBroken + altered + differences;
        Console.WriteLine($"{streams} stream(s), {events} event(s): " +
                          (problems == 0 ? "intact" : $"{broken.Count} broken stream(s), {sealsBroken} broken seal(s)" +
                                                      $", {altered} altered procedure version(s)" +
                                                      (projections ? $", {differences} differing document(s)" : "")));
        return problems == 0 ? 0 : 1;
    }
}
