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

    public async Task<string> NextAsync(string centre, int year, CancellationToken cancellation = default) =>
        (await NextManyAsync(centre, year, 1, cancellation))[0];

    /// <summary>So many numbers of one centre and year in one round trip, for submissions saved together.</summary>
    public async Task<IReadOnlyList<string>> NextManyAsync(string centre, int year, int count, CancellationToken cancellation = default)
    {
        if (!CentrePattern().IsMatch(centre)) throw new ArgumentException($"'{centre}' is not a centre code", nameof(centre));
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var sequence = _sequences.GetOrAdd($"{centre}-{year}", _ => $"{schema}.tracking_{centre.ToLowerInvariant()}_{year}");
        IReadOnlyList<long> next;
        try
        {
            next = await NextValues(sequence, count, cancellation);
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
            next = await NextValues(sequence, count, cancellation);
        }
        return [.. next.Select(n => $"{centre}-{year}-{n:D6}")];
    }

    private async Task<IReadOnlyList<long>> NextValues(string sequence, int count, CancellationToken cancellation)
    {
        await using var command = count == 1
            ? database.CreateCommand($"SELECT nextval('{sequence}')")
            : database.CreateCommand($"SELECT nextval('{sequence}') FROM generate_series(1, {count})");
        var values = new List<long>(count);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation)) values.Add(reader.GetInt64(0));
        return values;
    }

    [GeneratedRegex("^[A-Z0-9]{2,10}$")]
    private static partial Regex CentrePattern();
}
