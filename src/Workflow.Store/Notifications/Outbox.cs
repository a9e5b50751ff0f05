using System.Text.Json;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;
using Workflow.Core.Applications;
using Workflow.Core.Citizens;

namespace Workflow.Store.Notifications;

/// <summary>
/// The notifications outbox. An inline projection (not a session listener: a projection is called inside the very
/// transaction that appends the events, on every path that appends them, the deadline sweeper's included, and it rebuilds
/// like any other) turns each event the applicant must hear about into one row per channel (e-mail, SMS), queued as SQL
/// in that transaction: a message exists if and only if its event was committed. The applicant's contact and language
/// are kept from <see cref="ApplicationSubmitted"/> in a second table, so later events need no read before writing.
/// The row id is the event id and the channel: the idempotency key the receiver sees, and a rebuild writes no duplicates.
/// </summary>
public sealed class Outbox : IProjection
{
    public const string Table = "notification_outbox";
    public const string Recipients = "notification_recipients";

    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Dead = "dead";

    public static IEnumerable<Table> Schema(string schema)
    {
        var recipients = new Table(new PostgresqlObjectName(schema, Recipients, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        recipients.AddColumn<Guid>("application_id").AsPrimaryKey();
        recipients.AddColumn<string>("tracking_number").NotNull();
        recipients.AddColumn<string>("workflow_id").NotNull();
        recipients.AddColumn<string>("language").NotNull();
        recipients.AddColumn<string>("email");
        recipients.AddColumn<string>("phone");
        recipients.AddColumn<bool>("complete").NotNull().DefaultValueByExpression("false");
        yield return recipients;

        var outbox = new Table(new PostgresqlObjectName(schema, Table, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        outbox.AddColumn<string>("id").AsPrimaryKey();
        outbox.AddColumn<Guid>("application_id").NotNull();
        outbox.AddColumn<string>("tracking_number").NotNull();
        outbox.AddColumn<string>("workflow_id").NotNull();
        outbox.AddColumn<string>("kind").NotNull();
        outbox.AddColumn<string>("channel").NotNull();
        outbox.AddColumn<string>("recipient").NotNull();
        outbox.AddColumn<string>("language").NotNull();
        outbox.AddColumn("payload", "jsonb").NotNull();
        outbox.AddColumn("created_at", "timestamptz").NotNull();
        outbox.AddColumn<string>("status").NotNull();
        outbox.AddColumn<int>("attempts").NotNull();
        // Null: send as soon as possible; otherwise the earliest retry.
        outbox.AddColumn("next_attempt_at", "timestamptz");
        outbox.AddColumn("claimed_until", "timestamptz");
        outbox.AddColumn<string>("last_error");
        outbox.AddColumn("sent_at", "timestamptz");
        outbox.Indexes.Add(new IndexDefinition($"ix_{Table}_due") { Columns = ["next_attempt_at"], Predicate = "status = 'pending'" });
        outbox.Indexes.Add(new IndexDefinition($"ix_{Table}_status") { Columns = ["status", "created_at"] });
        outbox.Indexes.Add(new IndexDefinition($"ix_{Table}_application") { Columns = ["application_id"] });
        yield return outbox;
    }

    /// <summary>What a message says, beyond its kind: the facts of its event, rendered into text when it is sent.</summary>
    public sealed record Facts(string? StepId = null, string? StepTitle = null, string? Agency = null, string? Reason = null,
        string? Comment = null, DateTimeOffset? DueAt = null);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _outbox;
    private readonly string _recipients;

    public Outbox(string schema) => (_outbox, _recipients) = ($"{schema}.{Table}", $"{schema}.{Recipients}");

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            switch (e.Data)
            {
                case ApplicationSubmitted x:
                    operations.QueueSqlCommand(
                        $"""
                         insert into {_recipients} (application_id, tracking_number, workflow_id, language, email, phone)
                         values (?, ?, ?, ?, ?, ?) on conflict (application_id) do nothing
                         """,
                        e.StreamId, x.TrackingNumber, x.WorkflowId, x.Applicant.Language ?? Languages.Default,
                        (object?)Blank(x.Applicant.Email) ?? DBNull.Value, (object?)Blank(x.Applicant.Phone) ?? DBNull.Value);
                    break;
                case ApplicationDeclaredComplete:
                    operations.QueueSqlCommand($"update {_recipients} set complete = true where application_id = ?", e.StreamId);
                    break;
            }
            // The handover rule needs "declared complete before this event": that is the recipients row's flag, read in SQL.
            if (Notices.For(e.Data, complete: true) is not { } kind) continue;
            Enqueue(operations, e, kind, FactsOf(e.Data, events, i), onlyWhenComplete: kind == NoticeKind.ReadyToCollect);
        }
        return Task.CompletedTask;
    }

    private void Enqueue(IDocumentOperations operations, IEvent e, NoticeKind kind, Facts facts, bool onlyWhenComplete) =>
        operations.QueueSqlCommand(
            $"""
             insert into {_outbox} (id, application_id, tracking_number, workflow_id, kind, channel, recipient, language, payload,
               created_at, status, attempts, next_attempt_at)
             select ? || ':' || c.channel, r.application_id, r.tracking_number, r.workflow_id, ?, c.channel, c.recipient, r.language,
               cast(? as jsonb), now(), '{Pending}', 0, null
             from {_recipients} r cross join lateral (values ('email', r.email), ('sms', r.phone)) as c(channel, recipient)
             where r.application_id = ? and c.recipient is not null {(onlyWhenComplete ? "and r.complete" : "")}
             on conflict (id) do nothing
             """,
            e.Id.ToString(), Kinds.Name(kind), JsonSerializer.Serialize(facts, Json), e.StreamId);

    private static Facts FactsOf(object @event, IReadOnlyList<IEvent> events, int index) => @event switch
    {
        // The correction window opens with the return that sent the file to the citizen, in the same append.
        StepReturned x => new Facts(x.StepId, null, x.Agency, x.Reason, x.Comment,
            events.Skip(index + 1).Where(n => n.StreamId == events[index].StreamId).Select(n => n.Data)
                .OfType<CaseClockStopped>().FirstOrDefault()?.CorrectionDueAt),
        CaseDeadlineMissed x => new Facts(DueAt: x.NewExpectedAt),
        ApplicationRejected x => new Facts(x.StepId, Reason: x.Reason),
        StepOpened x => new Facts(x.StepId, x.Title, x.Agency, DueAt: x.DueAt),
        _ => new Facts(),
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

public static class Languages
{
    public const string Lao = "lo";
    public const string English = "en";
    public const string Default = Lao;

    public static readonly string[] All = [Lao, English];
}

public static class Kinds
{
    public static string Name(NoticeKind kind) => kind switch
    {
        NoticeKind.Received => "received",
        NoticeKind.Returned => "returned",
        NoticeKind.Apology => "apology",
        NoticeKind.Approved => "approved",
        NoticeKind.Rejected => "rejected",
        NoticeKind.ReadyToCollect => "ready-to-collect",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static NoticeKind Parse(string name) => Enum.GetValues<NoticeKind>().First(k => Name(k) == name);
}
