using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Store.Applications;
using Workflow.Store.Audit;

namespace Workflow.Cli;

public static class ReplayCommand
{
    // The events are printed for a person on a terminal, not embedded in a web page: Lao text stays Lao, not \u escapes.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var application = new Option<Guid>("--application") { Description = "the application id", Required = true };
        var at = new Option<DateTimeOffset?>("--at") { Description = "stop at this instant (as recorded by the store)" };
        var version = new Option<long?>("--version") { Description = "stop at this version" };
        var key = AuditOptions.ChainKey();
        var reader = AuditOptions.Operator();
        var connection = Connection.Option();
        var command = new Command("replay",
                "Print an application's timeline from its events, optionally stopping at a time or version, and its state then")
            { application, at, version, key, reader, connection };
        command.SetAction(async (parse, cancellation) =>
        {
            using var keyScope = AuditOptions.UseKey(parse, key);
            if (keyScope is null) return 2;
            await using var provider = await Connection.OpenAsync(parse.GetValue(connection), cancellation);
            if (provider is null) return 2;
            await using var session = provider.GetRequiredService<IDocumentStore>().QuerySession();
            var id = parse.GetValue(application);
            var stop = parse.GetValue(version) ?? 0;
            if (stop < 0)
            {
                Console.Error.WriteLine("--version: a version is 1 or more");
                return 2;
            }
            var when = parse.GetValue(at)?.ToUniversalTime();
            var events = await session.Events.FetchStreamAsync(id, stop, when, token: cancellation);
            if (events.Count == 0)
            {
                Console.Error.WriteLine($"application {id} has no events {(stop > 0 || when is not null ? "by then" : "")}");
                return 2;
            }
            if (stop > events[^1].Version && when is null)
            {
                Console.Error.WriteLine($"application {id} has {events[^1].Version} events: there is no version {stop}");
                return 2;
            }
            // Reading a case from the command line is recorded like a reading through the server.
            await provider.GetRequiredService<AccessLog>().RecordAsync(id, "replay", AuditOptions.Reader(parse.GetValue(reader)!),
                $"cli:{Guid.NewGuid()}", cancellation, channel: "cli");
            foreach (var e in events)
            {
                var actor = AuditHeaders.Of(e).Describe();
                Console.WriteLine($"{e.Version,4}  {e.Timestamp.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z  {e.EventTypeName,-30} {actor}");
                Console.WriteLine($"      {JsonSerializer.Serialize(e.Data, e.Data.GetType(), Readable)}");
            }
            var state = (await provider.GetRequiredService<ApplicationReplay>().AsOfAsync(id, stop, when, cancellation))?.Details;
            Console.WriteLine();
            if (state is null)
            {
                Console.Error.WriteLine($"application {id} had not reached version {stop} by then");
                return 2;
            }
            var open = state.OpenSteps.Count == 0
                ? "none"
                : string.Join(", ", state.OpenSteps.Select(s => $"{s.StepId} ({s.Agency}, due {s.DueAt:yyyy-MM-dd HH:mm zzz})"));
            Console.WriteLine($"{state.TrackingNumber} at version {state.Version}: {state.Status}, " +
                              $"procedure {state.WorkflowId} v{state.WorkflowVersion}; open steps: {open}");
            return 0;
        });
        return command;
    }
}
