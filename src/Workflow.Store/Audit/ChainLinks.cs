using System.Data.Common;
using System.Runtime.CompilerServices;
using JasperFx.Events;
using Marten;
using Marten.Internal;
using Marten.Internal.Operations;
using Npgsql;
using Weasel.Postgresql;
using IStorageSession = Weasel.Storage.IStorageSession;
using OperationRole = Weasel.Core.OperationRole;

namespace Workflow.Store.Audit;

/// <summary>
/// Stamps the keyed link on every event any session of the store appends, so that no writer (commands, migrations, the
/// access log, seals, whatever comes next) can forget it. Registered once in the store's options. Before a session's
/// changes are saved it adds one statement to Marten's own batch, after the appends: it reads the appended rows back as
/// stored (in quick-append mode Marten assigns versions, sequence numbers and timestamps on the server, and PostgreSQL
/// normalises JSON) with the stream's previous link. A <see cref="ITransactionParticipant"/>, which Marten runs after the
/// batch and before the commit on the same transaction, then computes the links and inserts them: one extra round trip
/// per command, and the links commit or roll back with the events.
/// </summary>
public sealed class ChainLinks(ChainKey key) : DocumentSessionListenerBase
{
    private readonly ConditionalWeakTable<IDocumentSession, Participant> _enlisted = new();

    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        var streams = session.PendingChanges.Streams().Where(s => s.Events.Count > 0).ToList();
        if (streams.Count == 0) return Task.CompletedTask;
        if (!_enlisted.TryGetValue(session, out var participant))
        {
            if (session is not ITransactionParticipantRegistrar registrar)
                throw new InvalidOperationException("this session cannot link its events in its own transaction");
            participant = new Participant(key);
            _enlisted.Add(session, participant);
            registrar.AddTransactionParticipant(participant);
        }
        var events = streams.SelectMany(s => s.Events).ToList();
        if (events.Any(e => e.Id == Guid.Empty)) throw new InvalidOperationException("events must have their ids before they are linked");
        participant.Begin(events.Count);
        var perStream = streams.GroupBy(s => s.Id).ToList();
        session.QueueOperation(new ReadAppended([.. perStream.Select(g => g.Key)], [.. perStream.Select(g => g.Sum(s => s.Events.Count))],
            [.. events.Select(e => e.Id)], participant));
        return Task.CompletedTask;
    }

    /// <summary>Reads the rows just appended: the last versions of each stream, as many as were appended, with our event ids.</summary>
    private sealed class ReadAppended(Guid[] streams, int[] counts, Guid[] events, Participant participant) : IStorageOperation
    {
        private static readonly string Sql =
            $"""
             select {AuditChain.Columns}, p.link
             from unnest(?::uuid[], ?::integer[]) as n(id, appended)
             join {WorkflowStore.Schema}.mt_streams s on s.id = n.id
             join {WorkflowStore.Schema}.mt_events e on e.stream_id = s.id and e.version > s.version - n.appended
             left join {WorkflowStore.Schema}.{AuditChain.Table} p on p.stream_id = e.stream_id and p.version = e.version - 1
             where e.id = any(?::uuid[])
             """;

        /// <summary>
        /// The read runs on one generic plan of index lookups. With arrays for parameters PostgreSQL would otherwise plan it
        /// afresh for every save (the plan for the actual arrays always looks cheaper than the generic one, though both are
        /// the same lookups), and planning this join costs more than running it: about 0.5 ms of the server's CPU per save
        /// against 0.03 ms. Sequential scans are ruled out while the plan is made, since a generic plan is kept for the life
        /// of the connection and one made while the tables were still empty would scan the whole event table at every
        /// save once they are not. Both settings are local to the transaction and set back to the server's own right after.
        /// </summary>
        public void ConfigureCommand(ICommandBuilder builder, IStorageSession session)
        {
            builder.Append("set local plan_cache_mode = force_generic_plan");
            builder.StartNewCommand();
            builder.Append("set local enable_seqscan = off");
            builder.StartNewCommand();
            var parameters = builder.AppendWithParameters(Sql);
            parameters[0].NpgsqlDbType = parameters[2].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Uuid;
            parameters[1].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Integer;
            parameters[0].Value = streams;
            parameters[1].Value = counts;
            parameters[2].Value = events;
            builder.StartNewCommand();
            builder.Append("set local plan_cache_mode to default");
            builder.StartNewCommand();
            builder.Append("set local enable_seqscan to default");
        }

        public Type DocumentType => typeof(IEvent);

        public async Task PostprocessAsync(DbDataReader reader, IList<Exception> exceptions, CancellationToken token)
        {
            var rows = new List<(StoredEvent, byte[]?)>(events.Length);
            while (await reader.ReadAsync(token))
                rows.Add((AuditChain.Read((NpgsqlDataReader)reader), await reader.IsDBNullAsync(14, token) ? null : (byte[])reader[14]));
            participant.Appended(rows);
        }

        public OperationRole Role() => OperationRole.Events;
    }

    private sealed class Participant(ChainKey key) : ITransactionParticipant
    {
        private static readonly string Schema = WorkflowStore.Schema;
        private readonly List<(StoredEvent Event, byte[]? Previous)> _rows = [];
        private int _expected;

        /// <summary>Each save commits or fails as a whole, so whatever a failed earlier save of the session left is dropped.</summary>
        public void Begin(int count)
        {
            _rows.Clear();
            _expected = count;
        }

        /// <summary>Replaces rather than adds: Marten may run a failed batch again, and the read with it.</summary>
        public void Appended(IEnumerable<(StoredEvent, byte[]?)> rows)
        {
            _rows.Clear();
            _rows.AddRange(rows);
        }

        public async Task BeforeCommitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken token)
        {
            if (_expected == 0) return;
            if (_rows.Count != _expected)
                throw new InvalidOperationException($"{_expected} events were appended but {_rows.Count} could be read back to link them");
            var count = _rows.Count;
            var streams = new Guid[count];
            var versions = new long[count];
            var sequences = new long[count];
            var contents = new byte[count][];
            var links = new byte[count][];
            var i = 0;
            foreach (var stream in _rows.GroupBy(r => r.Event.StreamId))
            {
                byte[]? previous = null;
                foreach (var (e, stored) in stream.OrderBy(r => r.Event.Version))
                {
                    previous = key.Link(e.StreamId, e.Version, e.Content, previous ?? stored ?? []);
                    (streams[i], versions[i], sequences[i]) = (e.StreamId, e.Version, e.Sequence);
                    (contents[i], links[i]) = (e.Content, previous);
                    i++;
                }
            }
            _rows.Clear();
            _expected = 0;
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
