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
        var rows = new Queued(operations, _table);
        foreach (var e in events) Apply(rows, e.StreamId, e.Data);
        return Task.CompletedTask;
    }

    /// <summary>
    /// An application's rows as its events leave them, by scope, folded the way the projection writes them: what
    /// <c>workflow verify --projections</c> compares the stored rows with.
    /// </summary>
    public static void Fold(IDictionary<string, DeadlineRow> rows, Guid application, object data) =>
        Apply(new Folded(rows), application, data);

    /// <summary>What one event does to its application's rows; the one place that says it, for the table and for the fold.</summary>
    private static void Apply(IRows rows, Guid id, object data)
    {
        switch (data)
        {
            case StepOpened x: rows.Set(id, x.StepId, x.Agency, x.DueAt, x.NextTimer); break;
            case DeadlineWarningReached x: rows.Set(id, x.StepId, x.Agency, x.DueAt, x.NextTimer); break;
            case DeadlineBreached x: rows.Set(id, x.StepId, x.Agency, x.DueAt, x.NextTimer); break;
            case StepEscalated x: rows.Update(id, x.StepId, x.NextTimer); break;
            case DeadlineRecalculated { Scope: DeadlineScopes.Case } x: rows.Set(id, x.Scope, null, x.DueAt, x.NextTimer); break;
            case DeadlineRecalculated x: rows.UpdateDue(id, x.Scope, x.DueAt, x.NextTimer); break;
            case StepApproved x: rows.Delete(id, x.StepId); break;
            case StepRejected x: rows.Delete(id, x.StepId); break;
            case StepReturned x: rows.Delete(id, x.StepId); break;
            case StepCancelled x: rows.Delete(id, x.StepId); break;
            case ApplicationDeclaredComplete x:
                rows.Set(id, DeadlineScopes.Case, null, x.DueAt, new DeadlineTimer(DeadlineScopes.CaseDue, 0, x.DueAt));
                break;
            case CaseClockStopped x:
                rows.Delete(id, DeadlineScopes.Case);
                rows.Set(id, DeadlineScopes.Correction, null, x.CorrectionDueAt,
                    new DeadlineTimer(DeadlineScopes.CorrectionDue, 0, x.CorrectionDueAt));
                break;
            case CaseClockResumed x:
                rows.Set(id, DeadlineScopes.Case, null, x.DueAt, new DeadlineTimer(DeadlineScopes.CaseDue, 0, x.DueAt));
                break;
            case CorrectionSubmitted: rows.Delete(id, DeadlineScopes.Correction); break;
            case ApplicationMigrated x:
                foreach (var moved in x.Moved)
                {
                    rows.Delete(id, moved.From);
                    if (!moved.AwaitingCorrection) rows.Set(id, moved.To, moved.Agency, moved.DueAt, moved.NextTimer);
                }
                break;
            case CaseDeadlineMissed: rows.Update(id, DeadlineScopes.Case, null); break;
            case ApplicationApproved or ApplicationDeemedApproved or ApplicationRejected or ApplicationWithdrawn or ApplicationLapsed:
                rows.DeleteAll(id);
                break;
        }
    }

    /// <summary>The changes an event makes: an upsert, a change of the timer (and due date) of an existing row, removals.</summary>
    private interface IRows
    {
        void Set(Guid id, string scope, string? agency, DateTimeOffset due, DeadlineTimer? next);
        void Update(Guid id, string scope, DeadlineTimer? next);
        void UpdateDue(Guid id, string scope, DateTimeOffset due, DeadlineTimer? next);
        void Delete(Guid id, string scope);
        void DeleteAll(Guid id);
    }

    /// <summary>The changes folded into one application's rows in memory, as the table's statements would leave them.</summary>
    private sealed class Folded(IDictionary<string, DeadlineRow> rows) : IRows
    {
        public void Set(Guid id, string scope, string? agency, DateTimeOffset due, DeadlineTimer? next) =>
            rows[scope] = new DeadlineRow(next?.Kind ?? "overdue", next?.Level ?? 0, agency, due, next?.At);

        public void Update(Guid id, string scope, DeadlineTimer? next)
        {
            if (rows.TryGetValue(scope, out var row))
                rows[scope] = row with { Kind = next?.Kind ?? "overdue", Level = next?.Level ?? 0, FireAt = next?.At };
        }

        public void UpdateDue(Guid id, string scope, DateTimeOffset due, DeadlineTimer? next)
        {
            if (rows.TryGetValue(scope, out var row))
                rows[scope] = row with { Kind = next?.Kind ?? "overdue", Level = next?.Level ?? 0, DueAt = due, FireAt = next?.At };
        }

        public void Delete(Guid id, string scope) => rows.Remove(scope);

        public void DeleteAll(Guid id) => rows.Clear();
    }

    /// <summary>The changes queued as statements of the save's transaction.</summary>
    private sealed class Queued(IDocumentOperations operations, string table) : IRows
    {
        public void Set(Guid id, string scope, string? agency, DateTimeOffset due, DeadlineTimer? next) =>
            operations.QueueSqlCommand(
                $"""
                 insert into {table} (application_id, scope, kind, level, agency, due_at, fire_at, claimed_until)
                 values (?, ?, ?, ?, ?, ?, ?, null)
                 on conflict (application_id, scope) do update set kind = excluded.kind, level = excluded.level, agency = excluded.agency,
                   due_at = excluded.due_at, fire_at = excluded.fire_at, claimed_until = null
                 """,
                id, scope, next?.Kind ?? "overdue", next?.Level ?? 0, (object?)agency ?? DBNull.Value, due.ToUniversalTime(), Utc(next));

        public void Update(Guid id, string scope, DeadlineTimer? next) =>
            operations.QueueSqlCommand(
                $"update {table} set kind = ?, level = ?, fire_at = ?, claimed_until = null where application_id = ? and scope = ?",
                next?.Kind ?? "overdue", next?.Level ?? 0, Utc(next), id, scope);

        public void UpdateDue(Guid id, string scope, DateTimeOffset due, DeadlineTimer? next) =>
            operations.QueueSqlCommand(
                $"update {table} set kind = ?, level = ?, due_at = ?, fire_at = ?, claimed_until = null " +
                "where application_id = ? and scope = ?",
                next?.Kind ?? "overdue", next?.Level ?? 0, due.ToUniversalTime(), Utc(next), id, scope);

        // Npgsql writes timestamptz from UTC values only.
        private static object Utc(DeadlineTimer? next) => next is null ? DBNull.Value : next.At.ToUniversalTime();

        public void Delete(Guid id, string scope) =>
            operations.QueueSqlCommand($"delete from {table} where application_id = ? and scope = ?", id, scope);

        public void DeleteAll(Guid id) => operations.QueueSqlCommand($"delete from {table} where application_id = ?", id);
    }
}

/// <summary>
/// One row of <see cref="OpenDeadlines"/> without its key: the timer's kind and level, the agency of a step's deadline, the
/// deadline, and when the sweeper must next look (null once nothing more can fire).
/// </summary>
public sealed record DeadlineRow(string Kind, int Level, string? Agency, DateTimeOffset DueAt, DateTimeOffset? FireAt);
