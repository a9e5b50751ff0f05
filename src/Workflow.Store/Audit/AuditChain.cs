using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Workflow.Store.Audit;

public enum Tampering { Altered, Removed, Reordered, Inserted }

/// <summary>The first place where a stream's events no longer match their hash chain.</summary>
public sealed record ChainBreak(Guid StreamId, long Version, Tampering Kind, string Detail);

public sealed record StreamVerification(Guid StreamId, int Events, bool Intact, ChainBreak? FirstBreak);

public sealed record ChainHead(Guid StreamId, long Version, byte[] Hash);

/// <summary>
/// Tamper evidence for the event store. A trigger on Marten's event table writes, in the same transaction as each
/// event, a content hash of the event's canonical form (id, stream, version, type, data, headers with the actor,
/// user, correlation and causation ids, timestamp) and a chain hash over the previous chain hash of the stream and
/// that content: the content says what happened, the chain says in which order. The canonical form is one SQL
/// function used both to write and to verify, so it cannot drift.
/// Rewriting history consistently needs write access to both tables; a published seal (see <see cref="Seals"/>)
/// then still shows it.
/// </summary>
public sealed class AuditChain(NpgsqlDataSource database)
{
    public const string Table = "event_chain";
    private static readonly string Schema = WorkflowStore.Schema;

    /// <summary>Installs the chain table, the canonical form and the trigger; safe to run on every start.</summary>
    public async Task InstallAsync(CancellationToken cancellation = default)
    {
        await using var command = database.CreateCommand(
            $$"""
            create table if not exists {{Schema}}.{{Table}} (
              stream_id uuid not null,
              version bigint not null,
              seq_id bigint not null,
              content_hash bytea not null,
              chain_hash bytea not null,
              primary key (stream_id, version));

            create or replace function {{Schema}}.event_canonical(e {{Schema}}.mt_events) returns text
            language sql immutable as $f$
              select concat_ws(E'\n', e.id::text, e.stream_id::text, e.type, e.data::text,
                coalesce(e.headers::text, ''), coalesce(e.user_name, ''), coalesce(e.correlation_id, ''), coalesce(e.causation_id, ''),
                to_char(e.timestamp at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
            $f$;

            create or replace function {{Schema}}.chain_event() returns trigger language plpgsql as $f$
            declare
              previous bytea;
              content bytea := sha256(convert_to({{Schema}}.event_canonical(new), 'UTF8'));
            begin
              select chain_hash into previous from {{Schema}}.{{Table}} where stream_id = new.stream_id and version = new.version - 1;
              insert into {{Schema}}.{{Table}} (stream_id, version, seq_id, content_hash, chain_hash)
              values (new.stream_id, new.version, new.seq_id, content, sha256(coalesce(previous, ''::bytea) || content));
              return new;
            end $f$;

            drop trigger if exists chain_event on {{Schema}}.mt_events;
            create trigger chain_event after insert on {{Schema}}.mt_events for each row execute function {{Schema}}.chain_event();
            """);
        await command.ExecuteNonQueryAsync(cancellation);
    }

    /// <summary>Re-derives one stream's chain from its stored events and compares it with the recorded one.</summary>
    public async Task<StreamVerification> VerifyAsync(Guid streamId, CancellationToken cancellation = default)
    {
        var events = new SortedDictionary<long, byte[]>();
        await using (var command = database.CreateCommand(
                         $"select e.version, {Schema}.event_canonical(e) from {Schema}.mt_events e where e.stream_id = @id"))
        {
            command.Parameters.AddWithValue("id", streamId);
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
                events[reader.GetInt64(0)] = SHA256.HashData(Encoding.UTF8.GetBytes(reader.GetString(1)));
        }
        var chain = new SortedDictionary<long, (byte[] Content, byte[] Chain)>();
        await using (var command = database.CreateCommand(
                         $"select version, content_hash, chain_hash from {Schema}.{Table} where stream_id = @id"))
        {
            command.Parameters.AddWithValue("id", streamId);
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
                chain[reader.GetInt64(0)] = ((byte[])reader[1], (byte[])reader[2]);
        }
        var first = FirstBreak(streamId, events, chain);
        return new StreamVerification(streamId, events.Count, first is null, first);
    }

    private static ChainBreak? FirstBreak(Guid streamId, SortedDictionary<long, byte[]> events, SortedDictionary<long, (byte[] Content, byte[] Chain)> chain)
    {
        var last = Math.Max(events.Keys.LastOrDefault(), chain.Keys.LastOrDefault());
        var previous = Array.Empty<byte>();
        for (var version = 1L; version <= last; version++)
        {
            var hasEvent = events.TryGetValue(version, out var content);
            var hasLink = chain.TryGetValue(version, out var link);
            if (!hasEvent && hasLink) return new(streamId, version, Tampering.Removed, $"the event at version {version} is missing");
            if (hasEvent && !hasLink) return new(streamId, version, Tampering.Inserted, $"the event at version {version} was never chained");
            if (!hasEvent) return new(streamId, version, Tampering.Removed, $"versions jump past {version}");
            if (!content!.AsSpan().SequenceEqual(link.Content))
            {
                var movedFrom = chain.FirstOrDefault(c => c.Key != version && c.Value.Content.AsSpan().SequenceEqual(content)).Key;
                return movedFrom != 0
                    ? new(streamId, version, Tampering.Reordered, $"the event at version {version} was recorded at version {movedFrom}")
                    : new(streamId, version, Tampering.Altered, $"the event at version {version} differs from what was recorded (data or metadata)");
            }
            var expected = SHA256.HashData([.. previous, .. content!]);
            if (!expected.AsSpan().SequenceEqual(link.Chain))
                return new(streamId, version, Tampering.Altered, $"the chain hash at version {version} does not follow from the previous one");
            previous = link.Chain;
        }
        return null;
    }

    /// <summary>
    /// Verifies every stream in one ordered scan of the events beside their chain links (rather than two queries per
    /// stream), calling <paramref name="broken"/> for each stream whose chain breaks.
    /// </summary>
    public async Task<(int Streams, long Events)> VerifyAllAsync(Func<StreamVerification, Task> broken, CancellationToken cancellation = default)
    {
        await using var command = database.CreateCommand(
            $"""
             select coalesce(e.stream_id, c.stream_id), coalesce(e.version, c.version),
                    case when e.seq_id is null then null else {Schema}.event_canonical(e) end, c.content_hash, c.chain_hash
             from {Schema}.mt_events e full outer join {Schema}.{Table} c on c.stream_id = e.stream_id and c.version = e.version
             order by 1, 2
             """);
        command.CommandTimeout = 0;
        var streams = 0;
        long total = 0;
        Guid? current = null;
        var events = new SortedDictionary<long, byte[]>();
        var chain = new SortedDictionary<long, (byte[] Content, byte[] Chain)>();
        async Task Finish()
        {
            if (current is not { } id) return;
            streams++;
            total += events.Count;
            if (FirstBreak(id, events, chain) is { } first) await broken(new StreamVerification(id, events.Count, false, first));
            events.Clear();
            chain.Clear();
        }
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            var id = reader.GetGuid(0);
            if (id != current)
            {
                await Finish();
                current = id;
            }
            var version = reader.GetInt64(1);
            if (!reader.IsDBNull(2)) events[version] = SHA256.HashData(Encoding.UTF8.GetBytes(reader.GetString(2)));
            if (!reader.IsDBNull(3)) chain[version] = ((byte[])reader[3], (byte[])reader[4]);
        }
        await Finish();
        return (streams, total);
    }

    /// <summary>The last chain hash of each stream, as of an event sequence number: what a seal commits to.</summary>
    public async Task<IReadOnlyList<ChainHead>> HeadsAsync(long throughSequence, Guid excluding, CancellationToken cancellation = default)
    {
        await using var command = database.CreateCommand(
            $"""
             select distinct on (stream_id) stream_id, version, chain_hash from {Schema}.{Table}
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

    /// <summary>A Merkle root over the heads in stream order: leaves hash stream id, version and chain hash.</summary>
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
