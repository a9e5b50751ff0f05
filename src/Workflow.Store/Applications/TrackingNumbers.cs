using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Npgsql;

namespace Workflow.Store.Applications;

/// <summary>
/// Human-friendly tracking numbers: centre, year and a sequence per centre and year, such as VTE-2026-000042.
/// Each centre and year has its own PostgreSQL sequence: numbering takes no lock and no commit of its own, so
/// submissions at one busy centre never queue behind each other. A submission that fails after numbering leaves a
/// gap, never a duplicate (the number is also unique in the application read model).
/// </summary>
public sealed partial class TrackingNumbers(NpgsqlDataSource database, string schema)
{
    private readonly ConcurrentDictionary<string, string> _sequences = new();

    public async Task<string> NextAsync(string centre, int year, CancellationToken cancellation = default)
    {
        if (!CentrePattern().IsMatch(centre)) throw new ArgumentException($"'{centre}' is not a centre code", nameof(centre));
        var sequence = _sequences.GetOrAdd($"{centre}-{year}", _ => $"{schema}.tracking_{centre.ToLowerInvariant()}_{year}");
        long next;
        try
        {
            next = await NextValue(sequence, cancellation);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            await using (var create = database.CreateCommand(
                             $"CREATE SCHEMA IF NOT EXISTS {schema}; CREATE SEQUENCE IF NOT EXISTS {sequence}"))
            {
                try { await create.ExecuteNonQueryAsync(cancellation); }
                catch (PostgresException race)
                    when (race.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable) { }
            }
            next = await NextValue(sequence, cancellation);
        }
        return $"{centre}-{year}-{next:D6}";
    }

    private async Task<long> NextValue(string sequence, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"SELECT nextval('{sequence}')");
        return (long)(await command.ExecuteScalarAsync(cancellation))!;
    }

    [GeneratedRegex("^[A-Z0-9]{2,10}$")]
    private static partial Regex CentrePattern();
}
