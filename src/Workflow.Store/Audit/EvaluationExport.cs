using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Npgsql;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Store.Definitions;

namespace Workflow.Store.Audit;

public sealed record EvaluationExported(int Streams, long Events, long SealVersion, string SealRoot, string Fingerprint);

/// <summary>An export that cannot be made as asked (no seal covering the period, a broken chain): nothing is written.</summary>
public sealed class EvaluationRefused(string message) : Exception(message);

/// <summary>
/// Writes the third-party evaluation export of a period (<see cref="EvaluationFile"/>): the applications the period's
/// figures depend on, each stream whole from version 1 to the head the seal recorded, applicants pseudonymised with the
/// operator's key (<see cref="Pseudonyms"/>), each event's link as the store holds it, the seal with its heads, and the
/// operator's signature. Every exported stream is verified with the chain key first: a broken stream is not exported.
/// </summary>
public sealed class EvaluationExports(
    NpgsqlDataSource database,
    AuditChain chain,
    Seals seals,
    PinnedDefinitions definitions,
    ILogger<EvaluationExports> log)
{
    /// <summary>Periods are days in Vientiane (no daylight saving time).</summary>
    public static readonly TimeSpan Offset = TimeSpan.FromHours(7);

    /// <summary>
    /// Which applications: those whose figures the period can count. An application received before the period's end
    /// counts when it had an event in the period (received, decided, late, rated) or was still open at its start
    /// (pending, possibly overdue, at the period's end); one finished before the period with nothing after is left out.
    /// </summary>
    public const string Selection =
        "every application received before the period's end that had an event during the period or was not finished at its start, " +
        "each with all its events from version 1 up to the seal";

    private static readonly string[] Ends =
        ["application_approved", "application_rejected", "application_withdrawn", "application_lapsed", "application_deemed_approved"];

    private static readonly string Schema = WorkflowStore.Schema;

    public async Task<EvaluationExported> WriteAsync(Stream output, DateOnly from, DateOnly to, Pseudonyms pseudonyms, ECDsa signer,
        string by, bool sealNow, CancellationToken cancellation = default)
    {
        if (to < from) throw new EvaluationRefused($"the period ends ({to:yyyy-MM-dd}) before it starts ({from:yyyy-MM-dd})");
        var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), Offset);
        var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), Offset);
        var (sealVersion, seal) = await SealCoveringAsync(end, by, sealNow, cancellation);
        var heads = await chain.HeadsAsync(seal.ThroughSequence, Seals.Stream, cancellation);
        if (EvaluationFile.Hex(AuditChain.MerkleRoot(heads)) != seal.Root)
            throw new EvaluationRefused($"seal {sealVersion} no longer holds: run 'workflow verify' to see which streams changed");
        var headOf = heads.ToDictionary(h => h.StreamId);
        var streams = await SelectAsync(start, end, seal.ThroughSequence, cancellation);
        foreach (var stream in streams)
            if (await chain.VerifyAsync(stream, cancellation) is { Intact: false, FirstBreak: { } broken })
                throw new EvaluationRefused($"application {stream} is broken at version {broken.Version} " +
                                            $"({broken.Kind.ToString().ToLowerInvariant()}): run 'workflow verify'; nothing was exported");

        using var writer = new EvaluationFile.Writer(output);
        await writer.WriteAsync(new JsonObject
        {
            ["record"] = "export", ["format"] = EvaluationFile.Format, ["from"] = $"{from:yyyy-MM-dd}", ["to"] = $"{to:yyyy-MM-dd}",
            ["timeZone"] = "Asia/Vientiane (+07:00)", ["selection"] = Selection, ["exportedBy"] = by,
            ["pseudonyms"] = "HMAC-SHA256 (128 bits) keyed by the operator; the same value of a field gives the same pseudonym",
            ["algorithm"] = EvaluationFile.Algorithm, ["publicKey"] = Convert.ToBase64String(signer.ExportSubjectPublicKeyInfo()),
            ["fingerprint"] = EvaluationFile.Fingerprint(signer),
            ["streams"] = new JsonArray([.. streams.Select(s =>
                (JsonNode)new JsonObject { ["stream"] = $"{s}", ["head"] = headOf[s].Version })]),
        }, cancellation);
        var events = await WriteStreamsAsync(writer, streams, seal.ThroughSequence, pseudonyms, cancellation);
        await writer.WriteAsync(new JsonObject
        {
            ["record"] = "seal", ["version"] = sealVersion, ["root"] = seal.Root, ["streams"] = seal.Streams,
            ["throughSequence"] = seal.ThroughSequence, ["at"] = seal.At,
            ["heads"] = new JsonArray([.. heads.OrderBy(h => h.StreamId).Select(h => (JsonNode)new JsonObject
            {
                ["stream"] = $"{h.StreamId}", ["version"] = h.Version, ["link"] = EvaluationFile.Hex(h.Hash),
            })]),
        }, cancellation);
        await writer.SignAsync(signer, cancellation);
        var fingerprint = EvaluationFile.Fingerprint(signer);
        log.LogInformation("Evaluation export of {From}..{To} by {Actor}: {Applications} applications, {Events} events, " +
                           "seal {SealVersion} ({SealRoot}), signed by key {Fingerprint}",
            from, to, by, streams.Count, events, sealVersion, seal.Root, fingerprint);
        return new EvaluationExported(streams.Count, events, sealVersion, seal.Root, fingerprint);
    }

    /// <summary>The latest seal, which must cover every event before the period's end; a new one when asked to seal now.</summary>
    private async Task<(long Version, ChainsSealed Seal)> SealCoveringAsync(DateTimeOffset end, string by, bool sealNow,
        CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"select coalesce(max(seq_id), 0) from {Schema}.mt_events where timestamp < @end and stream_id <> @seals");
        command.Parameters.AddWithValue("end", end.UtcDateTime);
        command.Parameters.AddWithValue("seals", Seals.Stream);
        var needed = (long)(await command.ExecuteScalarAsync(cancellation))!;
        if (sealNow) await seals.SealAsync(by, cancellation);
        var all = await seals.AllAsync(cancellation);
        if (all.Count == 0 || all[^1].Seal.ThroughSequence < needed)
            throw new EvaluationRefused(all.Count == 0
                ? "the store has no seal yet: seal it (--seal, or POST /api/oversight/seals) and publish the root"
                : $"the latest seal ({all[^1].Seal.At:O}) does not cover the period's end: seal the store (--seal) and publish the root");
        return all[^1];
    }

    private async Task<List<Guid>> SelectAsync(DateTimeOffset start, DateTimeOffset end, long through, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"""
             select e.stream_id from {Schema}.mt_events e
             where e.version = 1 and e.type = 'application_submitted' and e.timestamp < @end and e.seq_id <= @through
               and (exists (select 1 from {Schema}.mt_events x
                            where x.stream_id = e.stream_id and x.timestamp >= @start and x.seq_id <= @through)
                    or not exists (select 1 from {Schema}.mt_events x
                                   where x.stream_id = e.stream_id and x.type = any(@ends) and x.timestamp < @start))
             order by e.stream_id
             """);
        command.Parameters.AddWithValue("start", start.UtcDateTime);
        command.Parameters.AddWithValue("end", end.UtcDateTime);
        command.Parameters.AddWithValue("through", through);
        command.Parameters.AddWithValue("ends", Ends);
        var streams = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation)) streams.Add(reader.GetGuid(0));
        return streams;
    }

    /// <summary>Each stream's events (pseudonymised), then its links; returns how many events were written.</summary>
    private async Task<long> WriteStreamsAsync(EvaluationFile.Writer writer, List<Guid> streams, long through, Pseudonyms pseudonyms,
        CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"""
             select {AuditChain.Columns}, c.content_hash, c.link
             from {Schema}.mt_events e join {Schema}.{AuditChain.Table} c on c.stream_id = e.stream_id and c.version = e.version
             where e.stream_id = any(@streams) and e.seq_id <= @through
             order by e.stream_id, e.version
             """);
        command.Parameters.AddWithValue("streams", streams.ToArray());
        command.Parameters.AddWithValue("through", through);
        command.CommandTimeout = 0;
        long count = 0;
        Guid? current = null;
        WorkflowDefinition? definition = null;
        var links = new List<JsonObject>();
        var chainValue = Array.Empty<byte>();
        async Task FlushLinks()
        {
            foreach (var link in links) await writer.WriteAsync(link, cancellation);
            links.Clear();
        }
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            var parts = EventParts.Read(reader);
            var stream = reader.GetGuid(0);
            if (stream != current)
            {
                await FlushLinks();
                (current, definition, chainValue) = (stream, await PinnedAsync(parts, cancellation), []);
            }
            var (data, replaced) = pseudonyms.Apply(parts.Type, parts.Data, definition);
            var published = parts with { Data = data };
            var version = reader.GetInt64(1);
            await writer.WriteAsync(EvaluationFile.EventRecord(published, version, reader.GetInt64(2), replaced), cancellation);
            count++;
            var (content, link, publicHash) = (EvaluationFile.Hex((byte[])reader[14]), EvaluationFile.Hex((byte[])reader[15]),
                EvaluationFile.Hex(published.Hash()));
            chainValue = EvaluationFile.Chain(chainValue, parts.Stream, version, content, publicHash, link);
            links.Add(new JsonObject
            {
                ["record"] = "link", ["stream"] = parts.Stream, ["version"] = version, ["contentHash"] = content,
                ["publicHash"] = publicHash, ["link"] = link, ["chain"] = EvaluationFile.Hex(chainValue),
            });
        }
        await FlushLinks();
        return count;
    }

    /// <summary>The procedure pinned to the case (from its submission), which says which data fields are free text.</summary>
    private async Task<WorkflowDefinition?> PinnedAsync(EventParts first, CancellationToken cancellation)
    {
        if (first.Type != "application_submitted") return null;
        try
        {
            var submitted = JsonSerializer.Deserialize<ApplicationSubmitted>(first.Data, JsonSerializerOptions.Web)!;
            return await definitions.PinnedAsync(submitted.WorkflowId, submitted.WorkflowVersion, submitted.DefinitionHash, cancellation);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or DefinitionException)
        {
            // Without the procedure every data text is replaced, which hides more, never less.
            return null;
        }
    }
}
