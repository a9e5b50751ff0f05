using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;
using Workflow.Core.Applications;

namespace Workflow.Store.Applications;

/// <summary>
/// One row per deadline scope of an open application (each open step, the case, the correction window), written in
/// the same transaction as the event that set it and deleted by the event that closed it. <c>fire_at</c> is when the
/// sweeper must next look (null once nothing more can fire); <c>due_at</c> and <c>agency</c> answer "what is overdue
/// at agency X" with a query. Nothing is held in memory, so a restart loses nothing and costs nothing.
/// </summary>
public sealed class OpenDeadlines : IProjection
{
    public const string Table = "deadline_timers";

    public static Table Schema(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Table, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("application_id").AsPrimaryKey();
        table.AddColumn<string>("scope").AsPrimaryKey();
        table.AddColumn<string>("kind").NotNull();
        table.AddColumn<int>("level").NotNull();
        table.AddColumn<string>("agency");
        table.AddColumn("due_at", "timestamptz");
        table.AddColumn("fire_at", "timestamptz");
        table.AddColumn("claimed_until", "timestamptz");
        table.Indexes.Add(new IndexDefinition($"ix_{Table}_fire_at") { Columns = ["fire_at"], Predicate = "fire_at is not null" });
        table.Indexes.Add(new IndexDefinition($"ix_{Table}_agency_due") { Columns = ["agency", "due_at"] });
        return table;
    }

    private readonly string _table;

    public OpenDeadlines(string schema) => _table = $"{schema}.{Table}";

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        foreach (var e in events)
        {
            var id = e.StreamId;
            switch (e.Data)
            {
                case StepOpened x: Set(operations, id, x.StepId, x.Agency, x.DueAt, x.NextTimer); break;
                case DeadlineWarningReached x: Set(operations, id, x.StepId, x.Agency, x.DueAt, x.NextTimer); break;
                case DeadlineBreached x: Set(operations, id, x.StepId, x.Agency, x.DueAt, x.NextTimer); break;
                case StepEscalated x: Update(operations, id, x.StepId, x.NextTimer); break;
                case DeadlineRecalculated { Scope: DeadlineScopes.Case } x: Set(operations, id, x.Scope, null, x.DueAt, x.NextTimer); break;
                case DeadlineRecalculated x: UpdateDue(operations, id, x.Scope, x.DueAt, x.NextTimer); break;
                case StepApproved x: Delete(operations, id, x.StepId); break;
                case StepRejected x: Delete(operations, id, x.StepId); break;
                case StepReturned x: Delete(operations, id, x.StepId); break;
                case StepCancelled x: Delete(operations, id, x.StepId); break;
                case ApplicationDeclaredComplete x:
                    Set(operations, id, DeadlineScopes.Case, null, x.DueAt, new DeadlineTimer(DeadlineScopes.CaseDue, 0, x.DueAt));
                    break;
                case CaseClockStopped x:
                    Delete(operations, id, DeadlineScopes.Case);
                    Set(operations, id, DeadlineScopes.Correction, null, x.CorrectionDueAt,
                        new DeadlineTimer(DeadlineScopes.CorrectionDue, 0, x.CorrectionDueAt));
                    break;
                case CaseClockResumed x:
                    Set(operations, id, DeadlineScopes.Case, null, x.DueAt, new DeadlineTimer(DeadlineScopes.CaseDue, 0, x.DueAt));
                    break;
                case CorrectionSubmitted: Delete(operations, id, DeadlineScopes.Correction); break;
                case ApplicationMigrated x:
                    foreach (var moved in x.Moved)
                    {
                        Delete(operations, id, moved.From);
                        if (!moved.AwaitingCorrection) Set(operations, id, moved.To, moved.Agency, moved.DueAt, moved.NextTimer);
                    }
                    break;
                case CaseDeadlineMissed: Update(operations, id, DeadlineScopes.Case, null); break;
                case ApplicationApproved or ApplicationDeemedApproved or ApplicationRejected or ApplicationWithdrawn or ApplicationLapsed:
                    operations.QueueSqlCommand($"delete from {_table} where application_id = ?", id);
                    break;
            }
        }
        return Task.CompletedTask;
    }

    private void Set(IDocumentOperations operations, Guid id, string scope, string? agency, DateTimeOffset due, DeadlineTimer? next) =>
        operations.QueueSqlCommand(
            $"""
             insert into {_table} (application_id, scope, kind, level, agency, due_at, fire_at, claimed_until)
             values (?, ?, ?, ?, ?, ?, ?, null)
             on conflict (application_id, scope) do update set kind = excluded.kind, level = excluded.level, agency = excluded.agency,
               due_at = excluded.due_at, fire_at = excluded.fire_at, claimed_until = null
             """,
            id, scope, next?.Kind ?? "overdue", next?.Level ?? 0, (object?)agency ?? DBNull.Value, due.ToUniversalTime(), Utc(next));

    private void Update(IDocumentOperations operations, Guid id, string scope, DeadlineTimer? next) =>
        operations.QueueSqlCommand(
            $"update {_table} set kind = ?, level = ?, fire_at = ?, claimed_until = null where application_id = ? and scope = ?",
            next?.Kind ?? "overdue", next?.Level ?? 0, Utc(next), id, scope);

    private void UpdateDue(IDocumentOperations operations, Guid id, string scope, DateTimeOffset due, DeadlineTimer? next) =>
        operations.QueueSqlCommand(
            $"update {_table} set kind = ?, level = ?, due_at = ?, fire_at = ?, claimed_until = null " +
            "where application_id = ? and scope = ?",
            next?.Kind ?? "overdue", next?.Level ?? 0, due.ToUniversalTime(), Utc(next), id, scope);

    // Npgsql writes timestamptz from UTC values only.
    private static object Utc(DeadlineTimer? next) => next is null ? DBNull.Value : next.At.ToUniversalTime();

    private void Delete(IDocumentOperations operations, Guid id, string scope) =>
        operations.QueueSqlCommand($"delete from {_table} where application_id = ? and scope = ?", id, scope);
}
