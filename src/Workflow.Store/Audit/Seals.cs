using Marten;
using Npgsql;

namespace Workflow.Store.Audit;

/// <summary>A Merkle root over every stream's chain head up to an event sequence number, recorded in its own stream.</summary>
public sealed record ChainsSealed(string Root, int Streams, long ThroughSequence, DateTimeOffset At);

public sealed record SealCheck(long Version, string Root, long ThroughSequence, DateTimeOffset At, bool Holds, string? Recomputed);

/// <summary>
/// Seals bind the whole store at a moment: publish a seal's root outside the system (a gazette, another agency's
/// register) and any later rewrite of sealed history, even one that recomputes the hash chains, no longer matches it.
/// </summary>
public sealed class Seals(IDocumentStore store, NpgsqlDataSource database, AuditChain chain, TimeProvider clock)
{
    /// <summary>The stream that holds the seals.</summary>
    public static readonly Guid Stream = Guid.Parse("5ea15ea1-0000-4000-8000-000000000001");

    public async Task<ChainsSealed> SealAsync(string user, CancellationToken cancellation = default)
    {
        await using var last = database.CreateCommand($"select coalesce(max(seq_id), 0) from {WorkflowStore.Schema}.mt_events where stream_id <> @seals");
        last.Parameters.AddWithValue("seals", Stream);
        var through = (long)(await last.ExecuteScalarAsync(cancellation))!;
        var heads = await chain.HeadsAsync(through, Stream, cancellation);
        var seal = new ChainsSealed(Convert.ToHexStringLower(AuditChain.MerkleRoot(heads)), heads.Count, through, clock.GetUtcNow());
        await using var session = store.LightweightSession();
        session.LastModifiedBy = user;
        session.Events.Append(Stream, seal);
        await session.SaveChangesAsync(cancellation);
        return seal;
    }

    public async Task<IReadOnlyList<(long Version, ChainsSealed Seal)>> AllAsync(CancellationToken cancellation = default)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(Stream, token: cancellation);
        return [.. events.Where(e => e.Data is ChainsSealed).Select(e => (e.Version, (ChainsSealed)e.Data))];
    }

    /// <summary>Recomputes each seal's root from today's chains: a seal that no longer holds means sealed history changed.</summary>
    public async Task<IReadOnlyList<SealCheck>> VerifyAsync(CancellationToken cancellation = default)
    {
        var checks = new List<SealCheck>();
        foreach (var (version, seal) in await AllAsync(cancellation))
        {
            var root = Convert.ToHexStringLower(AuditChain.MerkleRoot(await chain.HeadsAsync(seal.ThroughSequence, Stream, cancellation)));
            checks.Add(new SealCheck(version, seal.Root, seal.ThroughSequence, seal.At, root == seal.Root, root == seal.Root ? null : root));
        }
        return checks;
    }
}
