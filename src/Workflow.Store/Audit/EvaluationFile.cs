using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Workflow.Core.Applications;

namespace Workflow.Store.Audit;

/// <summary>What is wrong with an evaluation export, in the terms of the chain (see <see cref="Tampering"/>).</summary>
/// <remarks>
/// <c>Altered</c>: an event or link differs from what was exported; <c>Removed</c>: an event, a link or a whole stream is
/// missing; <c>Reordered</c>: records out of their order, or an event's content at another version; <c>Inserted</c>: a
/// record the export did not write; <c>Unlinked</c>: an event whose link is missing; <c>Unsealed</c>: the seal or a
/// stream's head does not match the seal; <c>Unsigned</c>: the signature is missing or does not match the file or key;
/// <c>Malformed</c>: a line that is not a record of the format.
/// </remarks>
public enum ExportFault { Altered, Removed, Reordered, Inserted, Unlinked, Unsealed, Unsigned, Malformed }

public sealed record ExportProblem(ExportFault Kind, Guid? Stream, long? Version, int Line, string Detail)
{
    public override string ToString() =>
        $"{Kind.ToString().ToLowerInvariant()}{(Stream is null ? "" : $" {Stream}")}{(Version is null ? "" : $" version {Version}")}" +
        $" (line {Line}): {Detail}";
}

/// <param name="Fingerprint">SHA-256 of the public key the signature was checked with (compare it with the operator's).</param>
public sealed record ExportVerification(int Streams, long Events, string? From, string? To, string Fingerprint, string? SealRoot,
    DateTimeOffset? SealedAt, IReadOnlyList<ExportProblem> Problems)
{
    public bool Intact => Problems.Count == 0;
}

/// <summary>
/// The evaluation export: JSON lines, in this order. An <c>export</c> header (period, selection rule, the signing key's
/// public half, and every exported stream with its head version); per stream its <c>event</c> records (raw columns, the
/// data pseudonymised) from version 1, then its <c>link</c> records; the <c>seal</c> the export rests on with every head it
/// covers; last, the <c>signature</c> (ECDSA P-256 over the SHA-256 of every byte before it).
/// </summary>
/// <remarks>
/// A link record carries the event's original content hash and keyed link exactly as the store holds them, the public
/// hash (the same canonical form, with the pseudonymised data) and a public chain value, SHA-256 over the previous one
/// and the record's fields. Everything here can be checked without the database or any secret: see
/// <see cref="Verify"/>, and the README's trust model for what that proves and what it cannot.
/// </remarks>
public static class EvaluationFile
{
    public const string Format = "workflow-evaluation-export/1";
    public const string Algorithm = "ECDSA-P256-SHA256";

    /// <summary>As Marten stores the events: camel case, enums as text.</summary>
    private static readonly JsonSerializerOptions EventJson =
        new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static readonly Dictionary<string, Type> EventTypes = ApplicationEvents.Aliases.Concat(DeskEvents.Aliases)
        .ToDictionary(kv => kv.Value, kv => kv.Key);

    /// <summary>Lines as a person reads them: Lao text, quotes and signs written as themselves, not as \u escapes.</summary>
    public static readonly JsonSerializerOptions Lines = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    public static string Fingerprint(ECDsa key) => Hex(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    /// <summary>The public chain value of a link record: SHA-256 over the previous value and the record's fields.</summary>
    public static byte[] Chain(byte[] previous, string stream, long version, string contentHash, string publicHash, string link) =>
        SHA256.HashData([.. previous, .. Encoding.UTF8.GetBytes($"{stream}\n{version}\n{contentHash}\n{publicHash}\n{link}")]);

    public static JsonObject EventRecord(EventParts parts, long version, long sequence, IReadOnlyList<string> pseudonymised) => new()
    {
        ["record"] = "event", ["stream"] = parts.Stream, ["version"] = version, ["sequence"] = sequence, ["id"] = parts.Id,
        ["type"] = parts.Type, ["timestamp"] = parts.Timestamp, ["data"] = parts.Data, ["headers"] = parts.Headers,
        ["user"] = parts.User, ["correlation"] = parts.Correlation, ["causation"] = parts.Causation, ["dotnetType"] = parts.DotnetType,
        ["body"] = parts.Body, ["pseudonymised"] = new JsonArray([.. pseudonymised.Select(p => (JsonNode)p)]),
    };

    private static EventParts PartsOf(JsonObject e) => new(S(e, "id"), S(e, "stream"), S(e, "type"), S(e, "data"), S(e, "headers"),
        S(e, "user"), S(e, "correlation"), S(e, "causation"), S(e, "timestamp"), S(e, "dotnetType"), S(e, "body"));

    private static string S(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var text) ? text : throw new FormatException($"no text '{name}'");

    private static long N(JsonNode? o, string name) =>
        o?[name] is JsonValue v && v.TryGetValue<long>(out var number) ? number : throw new FormatException($"no number '{name}'");

    private static JsonObject O(JsonNode? node) => node as JsonObject ?? throw new FormatException("not an object");

    /// <summary>Writes the lines of an export and keeps the digest of every byte written, for the signature at the end.</summary>
    public sealed class Writer(Stream output) : IDisposable
    {
        private readonly IncrementalHash _digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public async Task WriteAsync(JsonObject record, CancellationToken cancellation)
        {
            var bytes = Encoding.UTF8.GetBytes(record.ToJsonString(Lines) + "\n");
            _digest.AppendData(bytes);
            await output.WriteAsync(bytes, cancellation);
        }

        /// <summary>The last line: the signature over the digest of everything before it.</summary>
        public async Task SignAsync(ECDsa key, CancellationToken cancellation)
        {
            var digest = _digest.GetHashAndReset();
            var signature = new JsonObject
            {
                ["record"] = "signature", ["algorithm"] = Algorithm, ["fingerprint"] = Fingerprint(key), ["digest"] = Hex(digest),
                ["value"] = Convert.ToBase64String(key.SignHash(digest)),
            };
            await output.WriteAsync(Encoding.UTF8.GetBytes(signature.ToJsonString(Lines) + "\n"), cancellation);
        }

        public void Dispose() => _digest.Dispose();
    }

    private sealed record EventLine(int Line, long Version, EventParts Parts);

    private sealed record LinkLine(int Line, long Version, string Content, string Public, string Link, string Chain);

    /// <summary>
    /// Checks an export without the database: the signature over the whole file, every stream complete from version 1 to
    /// the head the header lists with one link per event in order, each event's public hash against its link, the public
    /// chain of the links, and the seal (its heads add up to its root; each stream's last link is the head it sealed).
    /// <paramref name="publicKey"/> is the operator's published key (else the key the file names, which proves only that
    /// the file is whole); <paramref name="publishedRoot"/> the seal root published when the seal was made.
    /// </summary>
    public static ExportVerification Verify(byte[] file, ECDsa? publicKey = null, string? publishedRoot = null)
    {
        var problems = new List<ExportProblem>();
        JsonObject? header = null, seal = null, signature = null;
        var events = new Dictionary<Guid, List<EventLine>>();
        var links = new Dictionary<Guid, List<LinkLine>>();
        var signedLength = -1;
        var (offset, number) = (0, 0);
        while (offset < file.Length)
        {
            var end = Array.IndexOf(file, (byte)'\n', offset);
            if (end < 0) end = file.Length;
            number++;
            var text = Encoding.UTF8.GetString(file, offset, end - offset);
            if (signature is not null && text.Length > 0)
                problems.Add(new(ExportFault.Inserted, null, null, number, "a line after the signature"));
            try
            {
                var record = O(JsonNode.Parse(text));
                switch (S(record, "record"))
                {
                    case "export" when number == 1: header = record; break;
                    case "seal": seal = record; break;
                    case "signature" when signature is null:
                        (signature, signedLength) = (record, offset);
                        break;
                    case "event":
                        var parts = PartsOf(record);
                        events.TryAdd(Guid.Parse(parts.Stream), []);
                        events[Guid.Parse(parts.Stream)].Add(new(number, N(record, "version"), parts));
                        break;
                    case "link":
                        var stream = Guid.Parse(S(record, "stream"));
                        links.TryAdd(stream, []);
                        links[stream].Add(new(number, N(record, "version"), S(record, "contentHash"), S(record, "publicHash"),
                            S(record, "link"), S(record, "chain")));
                        break;
                    default: throw new FormatException("not a record of the export");
                }
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException)
            {
                if (text.Length > 0 || end < file.Length) problems.Add(new(ExportFault.Malformed, null, null, number, e.Message));
            }
            offset = end + 1;
        }
        var listed = new List<(Guid Stream, long Head)>();
        try
        {
            if (header is null || S(header, "format") != Format)
                throw new FormatException($"the first line is not the header of a {Format} file");
            foreach (var s in header["streams"] as JsonArray ?? throw new FormatException("the header lists no streams"))
                listed.Add((Guid.Parse(S(O(s), "stream")), N(s, "head")));
        }
        catch (FormatException e)
        {
            problems.Add(new(ExportFault.Malformed, null, null, 1, e.Message));
        }
        Dictionary<Guid, ChainHead> sealedHeads = [];
        try
        {
            sealedHeads = CheckSeal(seal, publishedRoot, problems);
        }
        catch (FormatException e)
        {
            problems.Add(new(ExportFault.Malformed, null, null, 1, $"the seal: {e.Message}"));
        }
        foreach (var (stream, head) in listed)
            if (CheckStream(stream, head, events.GetValueOrDefault(stream) ?? [], links.GetValueOrDefault(stream) ?? []) is { } problem)
                problems.Add(problem);
            else if (!sealedHeads.TryGetValue(stream, out var sealedHead))
                problems.Add(new(ExportFault.Unsealed, stream, null, 1, "the stream is not covered by the seal"));
            else if (sealedHead.Version != head || links[stream][^1].Link != Hex(sealedHead.Hash))
                problems.Add(new(ExportFault.Unsealed, stream, head, links[stream][^1].Line,
                    $"the stream's last link is not the head the seal recorded (version {sealedHead.Version})"));
        var known = listed.Select(l => l.Stream).ToHashSet();
        foreach (var stray in events.Keys.Union(links.Keys).Where(s => !known.Contains(s)))
            problems.Add(new(ExportFault.Inserted, stray, null, (events.GetValueOrDefault(stray)?[0].Line ?? links[stray][0].Line),
                "a stream the export's header does not list"));
        var fingerprint = CheckSignature(file, signedLength, signature, header, publicKey, problems);
        return new ExportVerification(listed.Count, events.Values.Sum(e => (long)e.Count), header?["from"]?.ToString(),
            header?["to"]?.ToString(), fingerprint, seal?["root"]?.ToString(),
            DateTimeOffset.TryParse(seal?["at"]?.ToString(), out var at) ? at : null, problems);
    }

    /// <summary>The first fault of one stream, walking its versions from 1 as the chain does.</summary>
    private static ExportProblem? CheckStream(Guid stream, long head, List<EventLine> events, List<LinkLine> links)
    {
        ExportProblem Fault(ExportFault kind, long version, int line, string detail) => new(kind, stream, version, line, detail);
        if (events.Count == 0 && links.Count == 0) return Fault(ExportFault.Removed, 1, 1, "every event of the stream is missing");
        foreach (var (records, what) in new[] { (events.Select(e => (e.Line, e.Version)).ToList(), "event"),
                     (links.Select(l => (l.Line, l.Version)).ToList(), "link") })
            for (var i = 1; i < records.Count; i++)
                if (records[i].Version == records[i - 1].Version)
                    return Fault(ExportFault.Inserted, records[i].Version, records[i].Line,
                        $"a second {what} claims version {records[i].Version}");
                else if (records[i].Version < records[i - 1].Version)
                    return Fault(ExportFault.Reordered, records[i].Version, records[i].Line,
                        $"the {what} of version {records[i].Version} comes after that of version {records[i - 1].Version}");
        var byVersion = events.ToDictionary(e => e.Version);
        var linked = links.ToDictionary(l => l.Version);
        var last = Math.Max(head, Math.Max(events.Max(e => (long?)e.Version) ?? 0, links.Max(l => (long?)l.Version) ?? 0));
        var previous = Array.Empty<byte>();
        for (var version = 1L; version <= last; version++)
        {
            var hasEvent = byVersion.TryGetValue(version, out var e);
            var hasLink = linked.TryGetValue(version, out var l);
            var line = e?.Line ?? l?.Line ?? 1;
            if (version > head)
                return Fault(ExportFault.Inserted, version, line,
                    $"a {(hasEvent ? "event" : "link")} past the stream's head, version {head}");
            if (!hasEvent)
                return hasLink
                    ? Fault(ExportFault.Removed, version, line, $"the event at version {version} is missing")
                    : Fault(ExportFault.Removed, version, line, $"versions jump past {version - 1}");
            if (!hasLink) return Fault(ExportFault.Unlinked, version, line, $"the link of version {version} is missing");
            var publicHash = Hex(e!.Parts.Hash());
            if (publicHash != l!.Public)
                return links.FirstOrDefault(o => o.Version != version && o.Public == publicHash) is { } moved
                    ? Fault(ExportFault.Reordered, version, e.Line,
                        $"the event at version {version} was exported at version {moved.Version}")
                    : Fault(ExportFault.Altered, version, e.Line, $"the event at version {version} differs from what was exported");
            var chain = Chain(previous, stream.ToString(), version, l.Content, l.Public, l.Link);
            if (Hex(chain) != l.Chain)
                return Fault(ExportFault.Altered, version, l.Line, $"the link of version {version} differs from what was exported");
            previous = chain;
        }
        return null;
    }

    private static Dictionary<Guid, ChainHead> CheckSeal(JsonObject? seal, string? publishedRoot, List<ExportProblem> problems)
    {
        if (seal is null)
        {
            problems.Add(new(ExportFault.Unsealed, null, null, 1, "the file holds no seal"));
            return [];
        }
        var heads = (seal["heads"] as JsonArray ?? []).Select(h => new ChainHead(Guid.Parse(S(O(h), "stream")), N(h, "version"),
            Convert.FromHexString(S(O(h), "link")))).ToList();
        var root = S(seal, "root");
        if (Hex(AuditChain.MerkleRoot(heads)) != root)
            problems.Add(new(ExportFault.Unsealed, null, null, 1, "the seal's heads do not add up to its root"));
        if (publishedRoot is not null && !string.Equals(publishedRoot, root, StringComparison.OrdinalIgnoreCase))
            problems.Add(new(ExportFault.Unsealed, null, null, 1, $"the seal's root {root} is not the published root {publishedRoot}"));
        return heads.GroupBy(h => h.StreamId).ToDictionary(g => g.Key, g => g.First());
    }

    private static string CheckSignature(byte[] file, int signedLength, JsonObject? signature, JsonObject? header, ECDsa? publicKey,
        List<ExportProblem> problems)
    {
        using var named = ECDsa.Create();
        var key = publicKey;
        if (key is null && header?["publicKey"] is JsonValue spki && spki.TryGetValue<string>(out var text))
            try
            {
                named.ImportSubjectPublicKeyInfo(Convert.FromBase64String(text), out _);
                key = named;
            }
            catch (Exception e) when (e is FormatException or CryptographicException)
            {
                problems.Add(new(ExportFault.Malformed, null, null, 1, "the header's public key is not a key"));
            }
        if (key is null)
        {
            problems.Add(new(ExportFault.Unsigned, null, null, 1, "no public key to check the signature with"));
            return "";
        }
        var fingerprint = Fingerprint(key);
        if (signature is null || signedLength < 0)
        {
            problems.Add(new(ExportFault.Unsigned, null, null, 1, "the file has no signature"));
            return fingerprint;
        }
        var digest = SHA256.HashData(file.AsSpan(0, signedLength));
        var value = signature["value"] is JsonValue v && v.TryGetValue<string>(out var base64) && Base64(base64) is { } bytes ? bytes : [];
        if (signature["algorithm"] is not JsonValue a || !a.TryGetValue<string>(out var algorithm) || algorithm != Algorithm
            || !key.VerifyHash(digest, value))
        {
            var otherKey = publicKey is not null && header?["fingerprint"]?.ToString() != fingerprint;
            problems.Add(new(ExportFault.Unsigned, null, null, 1, otherKey
                ? "the file was not signed with the given key"
                : "the signature does not match: the file was changed after it was signed"));
        }
        return fingerprint;
    }

    private static byte[]? Base64(string text)
    {
        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out var written) ? bytes[..written] : null;
    }

    /// <summary>The exported events as the decider's event types, per stream in version order, for computing figures.</summary>
    public static IReadOnlyDictionary<Guid, IReadOnlyList<object>> Events(byte[] file)
    {
        var streams = new Dictionary<Guid, List<(long Version, object Event)>>();
        foreach (var line in Encoding.UTF8.GetString(file).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var record = JsonNode.Parse(line)!.AsObject();
            if (S(record, "record") != "event") continue;
            var type = S(record, "type");
            object? e = type == ApplicationDeclaredCompleteV1.StoredAs
                ? JsonSerializer.Deserialize<ApplicationDeclaredCompleteV1>(S(record, "data"), EventJson)!.Upcast()
                : EventTypes.TryGetValue(type, out var clr) ? JsonSerializer.Deserialize(S(record, "data"), clr, EventJson) : null;
            if (e is null) continue;
            var stream = Guid.Parse(S(record, "stream"));
            streams.TryAdd(stream, []);
            streams[stream].Add((N(record, "version"), e));
        }
        return streams.ToDictionary(s => s.Key, s => (IReadOnlyList<object>)[.. s.Value.OrderBy(v => v.Version).Select(v => v.Event)]);
    }
}
