using System.Text.Json;
using Npgsql;
using Workflow.Core.Citizens;

namespace Workflow.Store.Notifications;

/// <summary>One message claimed for sending; <see cref="Id"/> is its idempotency key.</summary>
public sealed record OutboxMessage(string Id, Guid ApplicationId, string TrackingNumber, string WorkflowId, NoticeKind Kind, string Channel,
    string Recipient, string Language, Outbox.Facts Facts, int Attempts, DateTimeOffset ClaimedUntil);

/// <summary>A row of the outbox as the API lists it (no message text: the text is made when it is sent).</summary>
public sealed record OutboxEntry(string Id, Guid ApplicationId, string TrackingNumber, string Kind, string Channel, string Status,
    int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? SentAt, string? LastError);

/// <summary>
/// The outbox's rows for the dispatcher, in the deadline sweeper's pattern: claim due rows with <c>FOR UPDATE SKIP LOCKED</c>
/// and a lease, so several dispatchers never take the same row; a row whose lease ran out (its dispatcher died) is
/// claimed again, so nothing is lost, and the receiver drops a repeat by its idempotency key. Every update names the
/// claim it holds, so a dispatcher whose lease ran out cannot overwrite what another did since.
/// </summary>
public sealed class OutboxRows(NpgsqlDataSource database)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private const string Table = $"{WorkflowStore.Schema}.{Outbox.Table}";

    public async Task<IReadOnlyList<OutboxMessage>> ClaimAsync(IReadOnlyCollection<string> channels, int batchSize, TimeSpan lease,
        DateTimeOffset now, CancellationToken cancellation = default)
    {
        if (channels.Count == 0) return [];
        await using var command = database.CreateCommand(
            $"""
             with due as (
               select id from {Table}
               where status = '{Outbox.Pending}' and channel = any(@channels)
                 and (next_attempt_at is null or next_attempt_at <= @now) and (claimed_until is null or claimed_until < @now)
               order by created_at, id
               limit @batch
               for update skip locked)
             update {Table} t set claimed_until = @lease from due where t.id = due.id
             returning t.id, t.application_id, t.tracking_number, t.workflow_id, t.kind, t.channel, t.recipient, t.language,
               t.payload::text, t.attempts, t.claimed_until
             """);
        command.Parameters.AddWithValue("channels", channels.ToArray());
        command.Parameters.AddWithValue("now", now.ToUniversalTime());
        command.Parameters.AddWithValue("batch", batchSize);
        command.Parameters.AddWithValue("lease", (now + lease).ToUniversalTime());
        var claimed = new List<OutboxMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
            claimed.Add(new OutboxMessage(reader.GetString(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3),
                Kinds.Parse(reader.GetString(4)), reader.GetString(5), reader.GetString(6), reader.GetString(7),
                JsonSerializer.Deserialize<Outbox.Facts>(reader.GetString(8), Json)!, reader.GetInt32(9),
                reader.GetFieldValue<DateTimeOffset>(10)));
        return claimed;
    }

    public async Task<bool> DeliveredAsync(OutboxMessage message, DateTimeOffset now, CancellationToken cancellation = default)
    {
        await using var command = database.CreateCommand(
            $"""
             update {Table} set status = '{Outbox.Sent}', attempts = attempts + 1, sent_at = @now, claimed_until = null, last_error = null
             where id = @id and claimed_until = @claim
             """);
        command.Parameters.AddWithValue("id", message.Id);
        command.Parameters.AddWithValue("now", now.ToUniversalTime());
        command.Parameters.AddWithValue("claim", message.ClaimedUntil.ToUniversalTime());
        return await command.ExecuteNonQueryAsync(cancellation) == 1;
    }

    /// <summary>A failed attempt: retried at <paramref name="retryAt"/>, or dead (kept, listed, never sent) when that is null.</summary>
    public async Task FailedAsync(OutboxMessage message, string error, DateTimeOffset? retryAt, CancellationToken cancellation = default)
    {
        await using var command = database.CreateCommand(
            $"""
             update {Table} set status = @status, attempts = attempts + 1, next_attempt_at = @retry, claimed_until = null,
               last_error = @error
             where id = @id and claimed_until = @claim
             """);
        command.Parameters.AddWithValue("id", message.Id);
        command.Parameters.AddWithValue("status", retryAt is null ? Outbox.Dead : Outbox.Pending);
        command.Parameters.AddWithValue("retry", retryAt is { } at ? at.ToUniversalTime() : DBNull.Value);
        command.Parameters.AddWithValue("error", error.Length > 500 ? error[..500] : error);
        command.Parameters.AddWithValue("claim", message.ClaimedUntil.ToUniversalTime());
        await command.ExecuteNonQueryAsync(cancellation);
    }


    public async Task<IReadOnlyList<OutboxEntry>> ListAsync(string? status, Guid? applicationId, int limit,
        CancellationToken cancellation = default)
    {
        await using var command = database.CreateCommand(
            $"""
             select id, application_id, tracking_number, kind, channel, status, attempts, created_at, next_attempt_at, sent_at, last_error
             from {Table}
             where (@status::text is null or status = @status) and (@application::uuid is null or application_id = @application)
             order by created_at desc, id limit @limit
             """);
        command.Parameters.Add(new NpgsqlParameter("status", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)status ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("application", NpgsqlTypes.NpgsqlDbType.Uuid)
        {
            Value = (object?)applicationId ?? DBNull.Value,
        });
        command.Parameters.AddWithValue("limit", limit);
        var rows = new List<OutboxEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
            rows.Add(new OutboxEntry(reader.GetString(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetInt32(6), reader.GetFieldValue<DateTimeOffset>(7), Nullable(reader, 8), Nullable(reader, 9),
                reader.IsDBNull(10) ? null : reader.GetString(10)));
        return rows;
    }

    private static DateTimeOffset? Nullable(NpgsqlDataReader reader, int i) =>
        reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
}
