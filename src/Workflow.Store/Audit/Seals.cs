using Marten;
using Npgsql;

namespace Workflow.Store.Audit;

/// <summary>A Merkle root over every stream's chain head up to an event sequence number, recorded in its own stream.</summary>
public sealed record ChainsSealed(string Root, int Streams, long ThroughSequence, DateTimeOffset At);

/// <summary>A stream whose head is not what a seal recorded: <c>Kind</c> is changed, shortened, deleted or added.</summary>
public sealed record SealedStreamChange(Guid StreamId, string Kind, long? SealedVersion, long? CurrentVersion);

/// <param name="HeadsIntact">Whether the heads recorded beside the seal still add up to its root.</param>
/// <param name="Changed">Every stream whose head differs from the one sealed (empty when the seal holds).</param>
public sealed record SealCheck(long Version, string Root, long ThroughSequence, DateTimeOffset At, bool Holds, string? Recomputed,
    bool HeadsIntact, IReadOnlyList<SealedStreamChange> Changed);

/// <summary>
/// Seals bind the whole store at a moment: publish a seal's root outside the system (a gazette, another agency's
/// register) and any later rewrite of sealed history, even one that recomputes the links, no longer matches it. The heads
/// a seal covers are kept beside it (table <see cref="HeadsTable"/>), so a seal that no longer holds names each stream
/// that changed; the seal event itself is linked with the chain key like every other event.
/// </summary>
public sealed class Seals(IDocumentStore store, NpgsqlDataSource database, AuditChain chain, TimeProvider clock)
{
    public const string HeadsTable = "seal_heads";

    /// <summary>The stream that holds the seals.</summary>
    public static readonly Guid Stream = Guid.Parse("5ea15ea1-0000-4000-8000-000000000001");

    public async Task<ChainsSealed> SealAsync(string user, CancellationToken cancellation = default)
    {
        await using var last = database.CreateCommand(
            $"select coalesce(max(seq_id), 0) from {WorkflowStore.Schema}.mt_events where stream_id <> @seals");
        last.Parameters.AddWithValue("seals", Stream);
        var through = (long)(await last.ExecuteScalarAsync(cancellation))!;
        var heads = await chain.HeadsAsync(through, Stream, cancellation);
        var seal = new ChainsSealed(Convert.ToHexStringLower(AuditChain.MerkleRoot(heads)), heads.Count, through, clock.GetUtcNow());
        await using var session = store.LightweightSession();
        session.LastModifiedBy = user;
        session.Events.Append(Stream, seal);
        session.QueueSqlCommand(
            $"insert into {WorkflowStore.Schema}.{HeadsTable} (root, stream_id, version, link) " +
            "select ?, * from unnest(?::uuid[], ?::bigint[], ?::bytea[]) on conflict do nothing",
            seal.Root, heads.Select(h => h.StreamId).ToArray(), heads.Select(h => h.Version).ToArray(),
            heads.Select(h => h.Hash).ToArray());
        await session.SaveChangesAsync(cancellation);
        return seal;
    }

    public async Task<IReadOnlyList<(long Version, ChainsSealed Seal)>> AllAsync(CancellationToken cancellation = default)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(Stream, token: cancellation);
        return [.. events.Where(e => e.Data is ChainsSealed).Select(e => (e.Version, (ChainsSealed)e.Data))];
    }

    /// <summary>
    /// Recomputes each seal's root from today's links: a seal that no longer holds means sealed history changed, and the
    /// heads recorded beside it name the streams (a truncated, deleted, rewritten or added stream).
    /// </summary>
    public async Task<IReadOnlyList<SealCheck>> VerifyAsync(CancellationToken cancellation = default)
    {
        var checks = new List<SealCheck>();
        foreach (var (version, seal) in await AllAsync(cancellation))
        {
            var current = await chain.HeadsAsync(seal.ThroughSequence, Stream, cancellation);
            var root = Convert.ToHexStringLower(AuditChain.MerkleRoot(current));
            var sealedHeads = await SealedHeadsAsync(seal.Root, cancellation);
            var headsIntact = Convert.ToHexStringLower(AuditChain.MerkleRoot(sealedHeads)) == seal.Root;
            var changed = root == seal.Root ? [] : Changes(sealedHeads, current);
            checks.Add(new SealCheck(version, seal.Root, seal.ThroughSequence, seal.At, root == seal.Root, root == seal.Root ? null : root,
                headsIntact, changed));
        }
        return checks;
    }

    private async Task<IReadOnlyList<ChainHead>> SealedHeadsAsync(string root, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"select stream_id, version, link from {WorkflowStore.Schema}.{HeadsTable} where root = @root");
        command.Parameters.AddWithValue("root", root);
        var heads = new List<ChainHead>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation)) heads.Add(new ChainHead(reader.GetGuid(0), reader.GetInt64(1), (byte[])reader[2]));
        return heads;
    }

    private static IReadOnlyList<SealedStreamChange> Changes(IReadOnlyList<ChainHead> sealedHeads, IReadOnlyList<ChainHead> current)
    {
        var now = current.ToDictionary(h => h.StreamId);
        var changes = new List<SealedStreamChange>();
        foreach (var then in sealedHeads.OrderBy(h => h.StreamId))
        {
            if (!now.Remove(then.StreamId, out var head)) changes.Add(new(then.StreamId, "deleted", then.Version, null));
            else if (head.Version < then.Version) changes.Add(new(then.StreamId, "shortened", then.Version, head.Version));
            else if (head.Version != then.Version || !head.Hash.AsSpan().SequenceEqual(then.Hash))
                changes.Add(new(then.StreamId, "changed", then.Version, head.Version));
        }
        changes.AddRange(now.Values.OrderBy(h => h.StreamId).Select(h => new SealedStreamChange(h.StreamId, "added", null, h.Version)));
        return changes;
    }
}
