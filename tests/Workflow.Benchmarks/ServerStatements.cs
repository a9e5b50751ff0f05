using System.Text.RegularExpressions;
using Npgsql;

namespace Workflow.Benchmarks;

/// <summary>
/// What the server spends its time on, statement by statement, while one operation runs: pg_stat_statements emptied
/// before and read after, so that every statement of the run counts for it (the command's own, and the sweeper's and
/// the projection daemon's that its events set off). Needs the extension loaded on the server
/// (<c>shared_preload_libraries = 'pg_stat_statements'</c>); the runner creates it in the store's database.
/// </summary>
public sealed partial class ServerStatements(NpgsqlDataSource database)
{
    /// <summary>One statement's calls, and its time in execution and in planning, all summed over a run.</summary>
    public sealed record Statement(string Text, long Calls, double ExecutionMs, double PlanningMs, long Rows)
    {
        public Statement Plus(Statement other) =>
            this with { Calls = Calls + other.Calls, ExecutionMs = ExecutionMs + other.ExecutionMs,
                PlanningMs = PlanningMs + other.PlanningMs, Rows = Rows + other.Rows };
    }

    /// <summary>Creates the extension and empties it; null, or the server's reason when the extension is not loaded there.</summary>
    public async Task<string?> InstallAsync()
    {
        try
        {
            await using var command = database.CreateCommand("create extension if not exists pg_stat_statements; " +
                                                             "select pg_stat_statements_reset()");
            await command.ExecuteNonQueryAsync();
            return null;
        }
        catch (PostgresException e)
        {
            return e.MessageText;
        }
    }

    public async Task ResetAsync()
    {
        await using var command = database.CreateCommand("select pg_stat_statements_reset()");
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Every statement run since the last reset in the store's database, but the runner's reading and resetting.</summary>
    public async Task<List<Statement>> ReadAsync()
    {
        await using var command = database.CreateCommand(
            "select query, calls, total_exec_time, total_plan_time, rows from pg_stat_statements " +
            "where dbid = (select oid from pg_database where datname = current_database()) and query not like '%pg_stat_statements%'");
        await using var reader = await command.ExecuteReaderAsync();
        var statements = new List<Statement>();
        while (await reader.ReadAsync())
            statements.Add(new Statement(Shorten(reader.GetString(0)), reader.GetInt64(1), reader.GetDouble(2), reader.GetDouble(3),
                reader.GetInt64(4)));
        return Summed(statements);
    }

    /// <summary>
    /// One statement per text, its figures summed: statements that differ only past the shortened text (one per array size
    /// or per batch), or the same statement read after several runs.
    /// </summary>
    public static List<Statement> Summed(IEnumerable<Statement> statements) =>
        statements.GroupBy(s => s.Text).Select(g => g.Aggregate((a, b) => a.Plus(b))).ToList();

    /// <summary>
    /// The statements of one operation per operation, costliest first, down to a 1 % share of the whole, and the total of
    /// every statement of the run: calls, rows, execution and planning milliseconds, each divided by the operations run.
    /// </summary>
    public static void Print(TextWriter output, string operation, int clients, IReadOnlyCollection<Statement> statements, int operations)
    {
        var total = statements.Sum(s => s.ExecutionMs + s.PlanningMs);
        output.WriteLine($"{operation}, {clients} clients: statements per operation ({operations:N0} operations)");
        output.WriteLine("| statement | calls | rows | execution ms | planning ms |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var s in statements.OrderByDescending(s => s.ExecutionMs + s.PlanningMs)
                     .Where(s => s.ExecutionMs + s.PlanningMs >= total * 0.01))
            output.WriteLine($"| `{s.Text.Replace("|", "\\|")}` | {Per(s.Calls):F2} | {Per(s.Rows):F2} | {Per(s.ExecutionMs):F3} " +
                             $"| {Per(s.PlanningMs):F3} |");
        output.WriteLine($"| every statement ({statements.Count:N0} kinds) | {Per(statements.Sum(s => s.Calls)):F2} " +
                         $"| {Per(statements.Sum(s => s.Rows)):F2} | {Per(statements.Sum(s => s.ExecutionMs)):F3} " +
                         $"| {Per(statements.Sum(s => s.PlanningMs)):F3} |");
        output.WriteLine();
        double Per(double value) => value / Math.Max(1, operations);
    }

    /// <summary>The statement's text on one line, cut to its first 90 characters.</summary>
    public static string Shorten(string query)
    {
        var line = Spaces().Replace(query, " ").Trim();
        return line.Length <= 90 ? line : line[..90] + "…";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
