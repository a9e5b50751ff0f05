using Marten;
using Workflow.Core.Applications;

namespace Workflow.Store.Audit;

/// <summary>Someone with oversight rights opened (part of) a case file.</summary>
public sealed record CaseFileOpened(Guid ApplicationId, string What, Actor By, DateTimeOffset At);

/// <summary>
/// Who opened which case file, when: each read by an auditor is appended to a stream of its own per application
/// (never to the case's stream, whose versions are the case's history), and is linked like every other event.
/// Readers of one case take turns on its log (a transaction-scoped advisory lock on the log's stream), so parallel
/// reads each get their entry and none fails because another read happened.
/// </summary>
public sealed class AccessLog(IDocumentStore store, TimeProvider clock)
{
    public static Guid StreamOf(Guid applicationId) => Core.NameBasedIds.From($"access-log/{applicationId}");

    /// <param name="channel">api for reads through the server, cli for the command-line tools.</param>
    public async Task RecordAsync(Guid applicationId, string what, Actor by, string correlationId, CancellationToken cancellation = default,
        string channel = "api")
    {
        var stream = StreamOf(applicationId);
        await using var session = store.LightweightSession();
        await session.BeginTransactionAsync(cancellation);
        await using (var turn = session.Connection!.CreateCommand())
        {
            turn.CommandText = "select pg_advisory_xact_lock(@lock)";
            turn.Parameters.Add(new Npgsql.NpgsqlParameter("lock", BitConverter.ToInt64(stream.ToByteArray(), 0)));
            await turn.ExecuteNonQueryAsync(cancellation);
        }
        AuditHeaders.Stamp(session, by, channel, correlationId);
        session.Events.Append(stream, new CaseFileOpened(applicationId, what, by, clock.GetUtcNow()));
        await session.SaveChangesAsync(cancellation);
    }

    public async Task<IReadOnlyList<CaseFileOpened>> ForAsync(Guid applicationId, CancellationToken cancellation = default)
    {
        await using var session = store.QuerySession();
        return [.. (await session.Events.FetchStreamAsync(StreamOf(applicationId), token: cancellation))
            .Select(e => e.Data).OfType<CaseFileOpened>()];
    }
}
