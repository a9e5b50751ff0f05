using System.Data;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using JasperFx.Events;
using Npgsql;

namespace Workflow.Store.Audit;

/// <summary>
/// What a chain break means. <c>Inserted</c>: an event without a link (the application did not write it); <c>Forged</c>: an
/// event whose link was not made with the chain key; <c>Unlinked</c>: a genuine event whose link row was deleted;
/// <c>Hidden</c>: an event marked archived, so history no longer shows it; <c>Miscounted</c>: every event holds, but the
/// stream's own row no longer records the version they end at (the next command would collide or leave a gap).
/// </summary>
public enum Tampering { Altered, Removed, Reordered, Inserted, Forged, Unlinked, Hidden, Miscounted }

/// <summary>The first place where a stream's events no longer match their keyed chain.</summary>
public sealed record ChainBreak(Guid StreamId, long Version, Tampering Kind, string Detail);

public sealed record StreamVerification(Guid StreamId, int Events, bool Intact, ChainBreak? FirstBreak);

public sealed record ChainHead(Guid StreamId, long Version, byte[] Hash);

/// <summary>One row of Marten's event table as stored, with what the chain needs of it.</summary>
public sealed record StoredEvent(Guid StreamId, long Version, long Sequence, string Type, string Data, bool Archived, byte[] Content);

/// <summary>
/// Tamper evidence for the event store. Every event the application writes gets, in the same transaction, a link in
/// <see cref="Table"/>: the SHA-256 of its canonical form (built here, in C#, from the raw columns) and an HMAC keyed by
/// <see cref="ChainKey"/> over the stream, the version, that hash and the stream's previous link. The database holds
/// neither the key nor any code the verifier relies on: verification reads the raw columns, rebuilds the canonical form
/// and re-derives each link. Without the key nobody can append, alter, reorder or relink an event unseen; removing the
/// newest events of a stream together with their links is what seals (see <see cref="Seals"/>) catch.
/// </summary>
public sealed class AuditChain(NpgsqlDataSource database, ChainKey key)
{
    /// <summary>A stream's links by version: the hash of each event's canonical form, the keyed link, and the event's place in
    /// the global sequence when it was linked.</summary>
    private sealed class Links : SortedDictionary<long, (byte[] Content, byte[] Link, long Sequence)>;

    /// <summary>What verification keeps of a stored event until its stream is checked: not its data, only the hash of its
    /// canonical form, so that a long stream is checked without holding its events.</summary>
    private sealed record Checked(long Sequence, bool Archived, byte[] Content)
    {
        public static Checked Of(StoredEvent e) => new(e.Sequence, e.Archived, e.Content);
    }

    public const string Table = "event_links";
    private static readonly string Schema = WorkflowStore.Schema;

    /// <summary>The raw columns the canonical form is built from, in the order <see cref="Read"/> expects.</summary>
    public const string Columns =
        "e.stream_id, e.version, e.seq_id, e.id, e.type, e.data, e.headers, e.user_name, e.correlation_id, e.causation_id, e.timestamp, " +
        "e.mt_dotnet_type, e.is_archived, e.bdata";

    /// <summary>Marten's stand-ins for appends that failed after their sequence numbers were taken (see VerifyAllAsync).</summary>
    public static Guid TombstoneStream => Tombstone.StreamId;

    public ChainKey Key => key;

    /// <summary>
    /// Installs the link table and removes the unkeyed trigger of earlier versions; safe to run on every start. Events
    /// written before keyed links existed have no link and verify as inserted.
    /// </summary>
    public async Task InstallAsync(CancellationToken cancellation = default)
    {
        await using var command = database.CreateCommand(
            $"""
            create table if not exists {Schema}.{Table} (
              stream_id uuid not null,
              version bigint not null,
              seq_id bigint not null,
              content_hash bytea not null,
              link bytea not null,
              primary key (stream_id, version));
            create table if not exists {Schema}.{Seals.HeadsTable} (
              root text not null,
              stream_id uuid not null,
              version bigint not null,
              link bytea not null,
              primary key (root, stream_id));
            drop trigger if exists chain_event on {Schema}.mt_events;
            drop function if exists {Schema}.chain_event();
            drop function if exists {Schema}.event_canonical({Schema}.mt_events);
            """);
        await command.ExecuteNonQueryAsync(cancellation);
    }

    /// <summary>Reads one event row (<see cref="Columns"/>, from column <paramref name="at"/> on) and hashes its canonical form.</summary>
    public static StoredEvent Read(NpgsqlDataReader reader, int at = 0)
    {
        var parts = EventParts.Read(reader, at);
        return new StoredEvent(reader.GetGuid(at), reader.GetInt64(at + 1), reader.GetInt64(at + 2), parts.Type, parts.Data,
            !reader.IsDBNull(at + 12) && reader.GetBoolean(at + 12), parts.Hash());
    }

    /// <summary>Re-derives one stream's chain from its stored events and compares it with the recorded links.</summary>
    public async Task<StreamVerification> VerifyAsync(Guid streamId, CancellationToken cancellation = default)
    {
        // One statement, so that a command committing meanwhile is seen whole (its events, links and stream row) or not at all.
        await using var command = database.CreateCommand(
            $"""
             select coalesce(e.stream_id, c.stream_id), coalesce(e.version, c.version), e.seq_id is not null,
                    c.content_hash, c.link, (select s.version from {Schema}.mt_streams s where s.id = @id), c.seq_id, {Columns}
             from (select * from {Schema}.mt_events where stream_id = @id) e
             full outer join (select * from {Schema}.{Table} where stream_id = @id) c on c.version = e.version
             order by 2
             """);
        command.Parameters.AddWithValue("id", streamId);
        var verification = new StreamVerification(streamId, 0, true, null);
        await ScanAsync(command, true, null, v => { verification = v; return Task.CompletedTask; }, cancellation);
        return verification;
    }

    /// <summary>
    /// Reads the rows of <see cref="VerifyAsync"/> and <see cref="VerifyAllAsync"/> (stream, version, whether an event is
    /// there, its link's hash and link, the version the stream's row records, the sequence the link recorded, the event's
    /// columns), ordered by stream and version, and gives each stream's verification; how many streams and events there were.
    /// </summary>
    /// <param name="rowVersions">Whether the rows carry the stream's own recorded version, to be compared with its events.</param>
    /// <param name="orphans">Links whose events are gone, by stream, read beforehand: each stream's are taken into it, and the
    /// streams left with links only are verified last.</param>
    private async Task<(int Streams, long Events)> ScanAsync(NpgsqlCommand command, bool rowVersions, Dictionary<Guid, Links>? orphans,
        Func<StreamVerification, Task> each, CancellationToken cancellation)
    {
        var streams = 0;
        long total = 0;
        Guid? current = null;
        long? recorded = null;
        var events = new SortedDictionary<long, Checked>();
        var links = new Links();
        async Task Finish()
        {
            if (current is not { } id) return;
            if (orphans is not null && orphans.Remove(id, out var lost))
                foreach (var (version, link) in lost) links[version] = link;
            streams++;
            total += events.Count;
            var first = FirstBreak(id, events, links) ??
                        (rowVersions && events.Count > 0 ? Miscount(id, events.Keys.Last(), recorded) : null);
            await each(new StreamVerification(id, events.Count, first is null, first));
            events.Clear();
            links.Clear();
        }
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
        {
            while (await reader.ReadAsync(cancellation))
            {
                var id = reader.GetGuid(0);
                if (id != current)
                {
                    await Finish();
                    current = id;
                    recorded = reader.IsDBNull(5) ? null : reader.GetInt64(5);
                }
                var version = reader.GetInt64(1);
                if (reader.GetBoolean(2)) events[version] = Checked.Of(Read(reader, 7));
                if (!reader.IsDBNull(3)) links[version] = ((byte[])reader[3], (byte[])reader[4], reader.GetInt64(6));
            }
        }
        await Finish();
        foreach (var id in orphans?.Keys.ToList() ?? [])
        {
            current = id;
            await Finish();
        }
        return (streams, total);
    }

    private ChainBreak? FirstBreak(Guid streamId, SortedDictionary<long, Checked> events, Links links)
    {
        var last = Math.Max(events.Keys.LastOrDefault(), links.Keys.LastOrDefault());
        var previous = Array.Empty<byte>();
        for (var version = 1L; version <= last; version++)
        {
            var hasEvent = events.TryGetValue(version, out var e);
            var hasLink = links.TryGetValue(version, out var link);
            if (!hasEvent && hasLink) return new(streamId, version, Tampering.Removed, $"the event at version {version} is missing");
            if (!hasEvent) return new(streamId, version, Tampering.Removed, $"versions jump past {version - 1}");
            if (e!.Archived)
                return new(streamId, version, Tampering.Hidden,
                    $"the event at version {version} is marked archived, which hides it from history");
            var expected = key.Link(streamId, version, e.Content, previous);
            if (!hasLink)
            {
                // A genuine event whose link row alone was deleted still carries the next link, which chains over this one.
                var relinks = links.TryGetValue(version + 1, out var next) && events.TryGetValue(version + 1, out var after)
                              && key.Link(streamId, version + 1, after.Content, expected).AsSpan().SequenceEqual(next.Link);
                return relinks
                    ? new(streamId, version, Tampering.Unlinked,
                        $"the link of version {version} was deleted; the event itself is the one recorded")
                    : new(streamId, version, Tampering.Inserted,
                        $"the event at version {version} has no link: the application did not write it (or its link was deleted)");
            }
            if (!e.Content.AsSpan().SequenceEqual(link.Content))
            {
                var movedFrom = links.FirstOrDefault(c => c.Key != version && c.Value.Content.AsSpan().SequenceEqual(e.Content)).Key;
                return movedFrom != 0
                    ? new(streamId, version, Tampering.Reordered, $"the event at version {version} was recorded at version {movedFrom}")
                    : new(streamId, version, Tampering.Altered,
                        $"the event at version {version} differs from what was recorded (data or metadata)");
            }
            if (!expected.AsSpan().SequenceEqual(link.Link))
                return new(streamId, version, Tampering.Forged,
                    $"the link at version {version} was not made with the chain key: the event was written outside the application");
            // Its place among all events (what seals, exports and the projections' progress count by) as it was when linked.
            if (e.Sequence != link.Sequence)
                return new(streamId, version, Tampering.Altered,
                    $"the event at version {version} was moved in the global sequence from {link.Sequence} to {e.Sequence}");
            previous = expected;
        }
        return null;
    }

    /// <summary>
    /// Where every event holds, the stream's own row (Marten's <c>mt_streams</c>, from which the next command numbers its
    /// events) must end where they do. Set back, the next command collides with a recorded version and every later one is
    /// refused; set forward, the next command leaves a gap; missing, Marten knows no such stream.
    /// </summary>
    /// <param name="recorded">The version the row records; null without a row.</param>
    private static ChainBreak? Miscount(Guid streamId, long last, long? recorded) =>
        recorded == last ? null
            : new(streamId, last, Tampering.Miscounted, recorded is { } row
                ? $"the stream's row records version {row} but its events end at version {last}"
                : $"the stream has events up to version {last} but no row of its own");

    /// <summary>
    /// Verifies every stream in one ordered scan of the events beside their links (rather than two queries per stream),
    /// calling <paramref name="broken"/> for each stream whose chain breaks. Marten's tombstones (written in their own
    /// stream when an append failed after taking sequence numbers, for example when PostgreSQL restarts mid-commit) are
    /// not part of any chain; each must look exactly as Marten writes it and stand for a sequence number that no linked
    /// event holds, so a real event turned into a "tombstone" is still caught.
    /// </summary>
    public async Task<(int Streams, long Events)> VerifyAllAsync(Func<StreamVerification, Task> broken,
        CancellationToken cancellation = default)
    {
        // The events in stream order beside their links, read from both primary keys in order (a full join of the two had to
        // be sorted whole before its first row, on disk at 100,000 streams), and the links whose events are gone, read first
        // in the same snapshot.
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellation);
        var orphans = await OrphanLinksAsync(connection, cancellation);
        await using var command = new NpgsqlCommand(
            $"""
             select e.stream_id, e.version, true, c.content_hash, c.link, null::bigint, c.seq_id, {Columns}
             from {Schema}.mt_events e left join {Schema}.{Table} c on c.stream_id = e.stream_id and c.version = e.version
             where e.stream_id <> @tombstones
             order by e.stream_id, e.version
             """, connection);
        command.Parameters.AddWithValue("tombstones", TombstoneStream);
        command.CommandTimeout = 0;
        // The streams' own rows are compared with their events by a statement of its own, on another connection meanwhile
        // (joined into the scan, they made it dearer by a fifth); each answer is consistent in itself, so a command committing
        // between the two is no alarm.
        var miscounts = MiscountedAsync(cancellation);
        var named = new HashSet<Guid>();
        var (streams, total) = await ScanAsync(command, false, orphans, v =>
        {
            if (v.Intact) return Task.CompletedTask;
            named.Add(v.StreamId);
            return broken(v);
        }, cancellation);
        foreach (var miscounted in await miscounts)
            if (!named.Contains(miscounted.StreamId))
                await broken(new StreamVerification(miscounted.StreamId, (int)miscounted.Version, false, miscounted));
        var (tombstones, wrong) = await TombstonesAsync(cancellation);
        if (wrong is not null) await broken(new StreamVerification(TombstoneStream, tombstones, false, wrong));
        return (streams + (tombstones > 0 ? 1 : 0), total + tombstones);
    }

    /// <summary>The links whose events are gone (none, unless events were deleted), by stream.</summary>
    private static async Task<Dictionary<Guid, Links>> OrphanLinksAsync(NpgsqlConnection connection, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(
            $"select c.stream_id, c.version, c.content_hash, c.link, c.seq_id from {Schema}.{Table} c where not exists " +
            $"(select 1 from {Schema}.mt_events e where e.stream_id = c.stream_id and e.version = c.version)", connection);
        command.CommandTimeout = 0;
        var orphans = new Dictionary<Guid, Links>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            var id = reader.GetGuid(0);
            if (!orphans.TryGetValue(id, out var links)) orphans[id] = links = [];
            links[reader.GetInt64(1)] = ((byte[])reader[2], (byte[])reader[3], reader.GetInt64(4));
        }
        return orphans;
    }

    /// <summary>Every stream with events whose own row does not record the version they end at, or that has no row.</summary>
    private async Task<IReadOnlyList<ChainBreak>> MiscountedAsync(CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"""
             select m.stream_id, m.last, s.version
             from (select stream_id, max(version) as last from {Schema}.mt_events where stream_id <> @tombstones group by stream_id) m
             left join {Schema}.mt_streams s on s.id = m.stream_id
             where s.version is distinct from m.last
             """);
        command.Parameters.AddWithValue("tombstones", TombstoneStream);
        command.CommandTimeout = 0;
        var miscounted = new List<ChainBreak>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
            miscounted.Add(Miscount(reader.GetGuid(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2))!);
        return miscounted;
    }

    private async Task<(int Count, ChainBreak? First)> TombstonesAsync(CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"""
             select t.version, t.seq_id, t.type, t.data, t.is_archived, l.stream_id, l.version
             from {Schema}.mt_events t left join {Schema}.{Table} l on l.seq_id = t.seq_id
             where t.stream_id = @tombstones order by t.version
             """);
        command.Parameters.AddWithValue("tombstones", TombstoneStream);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var count = 0;
        ChainBreak? first = null;
        while (await reader.ReadAsync(cancellation))
        {
            count++;
            if (first is not null) continue;
            var version = reader.GetInt64(0);
            if (!reader.IsDBNull(5))
                first = new(TombstoneStream, version, Tampering.Hidden,
                    $"a tombstone claims sequence {reader.GetInt64(1)}, "
                    + $"which belongs to version {reader.GetInt64(6)} of stream {reader.GetGuid(5)}");
            else if (reader.GetString(2) != "tombstone" || reader.GetString(3) != "{}" || version != reader.GetInt64(1)
                     || reader.GetBoolean(4))
                first = new(TombstoneStream, version, Tampering.Inserted, $"the tombstone at version {version} is not one Marten wrote");
        }
        return (count, first);
    }

    /// <summary>The last link of each stream, as of an event sequence number: what a seal commits to.</summary>
    public async Task<IReadOnlyList<ChainHead>> HeadsAsync(long throughSequence, Guid excluding, CancellationToken cancellation = default)
    {
        await using var command = database.CreateCommand(
            $"""
             select distinct on (stream_id) stream_id, version, link from {Schema}.{Table}
             where seq_id <= @through and stream_id <> @excluding
             order by stream_id, version desc
             """);
        command.Parameters.AddWithValue("through", throughSequence);
        command.Parameters.AddWithValue("excluding", excluding);
        var heads = new List<ChainHead>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation)) heads.Add(new ChainHead(reader.GetGuid(0), reader.GetInt64(1), (byte[])reader[2]));
        return heads;
    }

    private static byte[] BigEndian(long value)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>A Merkle root over the heads in stream order: leaves hash stream id, version and link.</summary>
    public static byte[] MerkleRoot(IReadOnlyList<ChainHead> heads)
    {
        var level = heads.OrderBy(h => h.StreamId)
            .Select(h => SHA256.HashData([.. h.StreamId.ToByteArray(bigEndian: true), .. BigEndian(h.Version), .. h.Hash]))
            .ToList();
        if (level.Count == 0) return SHA256.HashData([]);
        while (level.Count > 1)
            level = [.. level.Chunk(2).Select(pair => pair.Length == 2 ? SHA256.HashData([.. pair[0], .. pair[1]]) : pair[0])];
        return level[0];
    }
}
