using System.Runtime.CompilerServices;
using Marten;
using Marten.Services;
using Npgsql;

namespace Workflow.Store.Audit;

/// <summary>
/// Stamps the keyed link on every event any session of the store appends, so that no writer (commands, migrations, the
/// access log, seals, whatever comes next) can forget it. Registered once in the store's options; before a session's
/// changes are saved it enlists a <see cref="ITransactionParticipant"/>, which Marten runs after the appends and before
/// the commit, on the same connection and transaction. The appended rows are read back as stored (Marten assigns
/// versions, sequence numbers and timestamps on the server in quick-append mode, and PostgreSQL normalises JSON), so
/// the link covers exactly what the verifier will read: two extra statements per command, no extra transaction.
/// </summary>
public sealed class ChainLinks(ChainKey key) : DocumentSessionListenerBase
{
    private readonly ConditionalWeakTable<IDocumentSession, Participant> _enlisted = new();

    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        if (session.PendingChanges.Streams().Any(s => s.Events.Count > 0) && !_enlisted.TryGetValue(session, out _)
            && session is ITransactionParticipantRegistrar registrar)
        {
            var participant = new Participant(session, key);
            _enlisted.Add(session, participant);
            registrar.AddTransactionParticipant(participant);
        }
        return Task.CompletedTask;
    }

    private sealed class Participant(IDocumentSession session, ChainKey key) : ITransactionParticipant
    {
        private static readonly string Schema = WorkflowStore.Schema;

        public async Task BeforeCommitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken token)
        {
            var appended = session.PendingChanges.Streams().SelectMany(s => s.Events).Where(e => e.Version > 0).ToList();
            if (appended.Count == 0) return;
            var rows = new List<(StoredEvent Event, byte[]? Previous)>(appended.Count);
            await using (var read = new NpgsqlCommand(
                             $"""
                              select {AuditChain.Columns}, p.link
                              from unnest(@streams, @versions) as n(stream_id, version)
                              join {Schema}.mt_events e on e.stream_id = n.stream_id and e.version = n.version
                              left join {Schema}.{AuditChain.Table} p on p.stream_id = e.stream_id and p.version = e.version - 1
                              """, connection, transaction))
            {
                read.Parameters.AddWithValue("streams", appended.Select(e => e.StreamId).ToArray());
                read.Parameters.AddWithValue("versions", appended.Select(e => e.Version).ToArray());
                await using var reader = await read.ExecuteReaderAsync(token);
                while (await reader.ReadAsync(token))
                    rows.Add((AuditChain.Read(reader), reader.IsDBNull(13) ? null : (byte[])reader[13]));
            }
            if (rows.Count != appended.Count)
                throw new InvalidOperationException($"{appended.Count} events were appended but {rows.Count} could be read back to link them");

            var streams = new Guid[rows.Count];
            var versions = new long[rows.Count];
            var sequences = new long[rows.Count];
            var contents = new byte[rows.Count][];
            var links = new byte[rows.Count][];
            var i = 0;
            foreach (var stream in rows.GroupBy(r => r.Event.StreamId))
            {
                byte[]? previous = null;
                foreach (var (e, stored) in stream.OrderBy(r => r.Event.Version))
                {
                    previous ??= stored ?? [];
                    previous = key.Link(e.StreamId, e.Version, e.Content, previous);
                    (streams[i], versions[i], sequences[i], contents[i], links[i]) = (e.StreamId, e.Version, e.Sequence, e.Content, previous);
                    i++;
                }
            }
            await using var write = new NpgsqlCommand(
                $"""
                 insert into {Schema}.{AuditChain.Table} (stream_id, version, seq_id, content_hash, link)
                 select * from unnest(@streams, @versions, @sequences, @contents, @links)
                 """, connection, transaction);
            write.Parameters.AddWithValue("streams", streams);
            write.Parameters.AddWithValue("versions", versions);
            write.Parameters.AddWithValue("sequences", sequences);
            write.Parameters.AddWithValue("contents", contents);
            write.Parameters.AddWithValue("links", links);
            await write.ExecuteNonQueryAsync(token);
        }
    }
}
