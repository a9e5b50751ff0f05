using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;
using Workflow.Core.Calendars;
using Workflow.Core.Statistics;

namespace Workflow.Store.Statistics;

/// <summary>
/// The facts of each case that the statistics are computed from, and the running totals every table is summed from
/// (<see cref="Tallies"/>), kept by Marten's async daemon (never inline, so a command never waits for monitoring). For
/// each case of a batch the daemon loads its previous facts, folds the new events, stores the new facts and adds to
/// the totals what the new facts add less what the old ones added. All of it is written in the same transaction as
/// the daemon's progress, so a restart resumes there and counts nothing twice.
/// </summary>
public sealed class CaseFactsProjection(CalendarCatalog calendars) : IProjection
{
    public const string ProjectionName = "case_facts";

    public const string Table = "statistics_tallies";

    /// <summary>
    /// One row per counter of a bucket. The key is the primary key, in the order the reader asks: a view, a grain and a
    /// range of days, then the groups.
    /// </summary>
    public static Table Schema(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Table, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn<short>("view").AsPrimaryKey();
        table.AddColumn<short>("grain").AsPrimaryKey();
        table.AddColumn("day", "date").AsPrimaryKey();
        table.AddColumn<string>("centre").AsPrimaryKey();
        table.AddColumn<string>("procedure").AsPrimaryKey();
        table.AddColumn<string>("agency").AsPrimaryKey();
        table.AddColumn<string>("step").AsPrimaryKey();
        table.AddColumn<string>("counter").AsPrimaryKey();
        table.AddColumn<long>("value").NotNull();
        return table;
    }

    private readonly CentreCalendars _calendars = new(calendars);

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var streams = events.GroupBy(e => e.StreamId).ToList();
        // Several pages of events may share one batch: the identity map (see Add) returns the facts stored by an earlier one.
        var previous = (await operations.LoadManyAsync<CaseFacts>(cancellation, streams.Select(s => s.Key)))
            .ToDictionary(f => f.Id);
        var changes = new TallySums();
        foreach (var stream in streams)
        {
            var before = previous.GetValueOrDefault(stream.Key);
            var after = stream.Aggregate(before, (facts, e) => CaseFacts.Evolve(facts, e.Data));
            if (after is null) continue;   // not an application's stream
            operations.Store(after);
            Tallies.AddChange(changes, before, after, _calendars);
        }
        var sums = changes.ToList();
        if (sums.Count > 0) Add(operations, sums, WorkflowStore.Schema);
    }

    /// <summary>
    /// Adds the tallies to the stored totals in the batch's transaction, through <see cref="AddFunction"/>: one statement that
    /// also removes each counter whose total comes to zero.
    /// </summary>
    public static void Add(IDocumentOperations operations, IReadOnlyList<Tally> tallies, string schema) =>
        operations.QueueSqlCommand($"select {schema}.{Function}({string.Join(", ", Types.Select(type => $"?::{type}[]"))})",
            Columns(tallies));

    public const string Function = "add_statistics_tallies";

    /// <summary>
    /// The function the daemon adds a batch's tallies with. It upserts them and, in a second statement, deletes the rows the
    /// first one brought to zero, found by the row address the upsert returned (a row this transaction has just written
    /// cannot move before it ends: only the daemon writes the totals, and any other writer waits for its lock). Before, a
    /// second statement probed the primary key with every tally of the batch to find the few zeros: a third of the
    /// daemon's time in statements.
    /// </summary>
    public static Weasel.Postgresql.Functions.Function AddFunction(string schema) =>
        new(new PostgresqlObjectName(schema, Function, Weasel.Postgresql.SchemaUtils.IdentifierUsage.Function), $"""
            CREATE OR REPLACE FUNCTION {schema}.{Function}({string.Join(", ", Types.Select((type, i) => $"p{i + 1} {type}[]"))})
             RETURNS void
             LANGUAGE plpgsql
            AS $function$
            declare
              zeros tid[];
            begin
              with added as (
                {Upsert(schema, n => $"p{n}")}
                returning t.ctid as address, t.value)
              select array_agg(address) into zeros from added where value = 0;
              if zeros is not null then
                delete from {schema}.{Table} where ctid = any(zeros) and value = 0;
              end if;
            end;
            $function$;
            """);

    /// <summary>Adds the tallies to the stored totals outside the daemon: for loading generated totals in bulk.</summary>
    public static async Task AddAsync(NpgsqlDataSource database, IReadOnlyList<Tally> tallies, string schema, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(Upsert(schema, n => $"${n}"));
        foreach (var column in Columns(tallies)) command.Parameters.Add(new NpgsqlParameter { Value = column });
        await command.ExecuteNonQueryAsync(cancellation);
    }

    /// <summary>The tallies as the nine arrays of the statements below, in their parameters' order.</summary>
    private static object[] Columns(IReadOnlyList<Tally> tallies) =>
    [
        tallies.Select(t => (short)t.View).ToArray(), tallies.Select(t => (short)t.Grain).ToArray(), tallies.Select(t => t.Day).ToArray(),
        tallies.Select(t => t.Centre).ToArray(), tallies.Select(t => t.Procedure).ToArray(), tallies.Select(t => t.Agency).ToArray(),
        tallies.Select(t => t.Step).ToArray(), tallies.Select(t => t.Counter).ToArray(), tallies.Select(t => t.Value).ToArray(),
    ];

    private const string Keys = "view, grain, day, centre, procedure, agency, step, counter";

    private static readonly string[] Types = ["smallint", "smallint", "date", "text", "text", "text", "text", "text", "bigint"];

    /// <param name="parameter">How the statement names its n-th parameter (from 1).</param>
    private static string Upsert(string schema, Func<int, string> parameter) => $"""
        insert into {schema}.{Table} as t ({Keys}, value)
        select * from unnest({string.Join(", ", Types.Select((type, i) => $"{parameter(i + 1)}::{type}[]"))})
        on conflict ({Keys}) do update set value = t.value + excluded.value
        """;
}
