using System.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Store.Applications;
using Workflow.Store.Audit;

namespace Workflow.Cli;

public static class VerifyCommand
{
    public static Command Create()
    {
        var application = new Option<Guid?>("--application") { Description = "verify one application; default: the whole store and its seals" };
        var connection = Connection.Option();
        var command = new Command("verify", "Re-derive the hash chains (and seals) from the stored events; exit code 0 when intact, 1 otherwise")
            { application, connection };
        command.SetAction(async (parse, cancellation) =>
        {
            await using var provider = await Connection.OpenAsync(parse.GetValue(connection), cancellation);
            if (provider is null) return 2;
            var chain = provider.GetRequiredService<AuditChain>();
            await using var session = provider.GetRequiredService<IDocumentStore>().QuerySession();
            var broken = 0;
            async Task Report(StreamVerification result)
            {
                broken++;
                var b = result.FirstBreak!;
                var tracking = (await session.LoadAsync<ApplicationDetails>(b.StreamId, cancellation))?.TrackingNumber ?? "-";
                Console.WriteLine($"BROKEN {b.StreamId} {tracking} version {b.Version}: {b.Kind.ToString().ToLowerInvariant()} - {b.Detail}");
            }
            int streams;
            long events;
            if (parse.GetValue(application) is { } one)
            {
                var result = await chain.VerifyAsync(one, cancellation);
                if (result is { Intact: true, Events: 0 }) throw new CommandError($"no application {one}");
                if (!result.Intact) await Report(result);
                (streams, events) = (1, result.Events);
            }
            else (streams, events) = await chain.VerifyAllAsync(Report, cancellation);
            var sealsBroken = 0;
            if (parse.GetValue(application) is null)
                foreach (var seal in await provider.GetRequiredService<Seals>().VerifyAsync(cancellation))
                {
                    if (seal.Holds) continue;
                    sealsBroken++;
                    Console.WriteLine($"SEAL {seal.Version} of {seal.At:O} no longer holds: recorded {seal.Root}, recomputed {seal.Recomputed}");
                }
            Console.WriteLine($"{streams} stream(s), {events} event(s): {(broken + sealsBroken == 0 ? "intact" : $"{broken} broken stream(s), {sealsBroken} broken seal(s)")}");
            return broken + sealsBroken == 0 ? 0 : 1;
        });
        return command;
    }
}
