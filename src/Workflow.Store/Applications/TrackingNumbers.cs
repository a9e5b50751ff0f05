using Npgsql;

namespace Workflow.Store.Applications;

/// <summary>
/// Human-friendly tracking numbers: centre, year and a sequence per centre and year, such as VTE-2026-000042.
/// The counter is advanced in its own statement, so submissions at one centre do not queue behind each other's
/// transactions; a submission that fails after numbering leaves a gap, never a duplicate (the number is also unique
/// in the application read model).
/// </summary>
public sealed class TrackingNumbers(NpgsqlDataSource database, string schema)
{
    private volatile bool _tableReady;

    public async Task<string> NextAsync(string centre, int year, CancellationToken cancellation = default)
    {
        await EnsureTableAsync(cancellation);
        await using var command = database.CreateCommand(
            $"""
             INSERT INTO {schema}.tracking_counters (centre, year, last) VALUES (@centre, @year, 1)
             ON CONFLICT (centre, year) DO UPDATE SET last = {schema}.tracking_counters.last + 1
             RETURNING last
             """);
        command.Parameters.AddWithValue("centre", centre);
        command.Parameters.AddWithValue("year", year);
        var next = (long)(await command.ExecuteScalarAsync(cancellation))!;
        return $"{centre}-{year}-{next:D6}";
    }

    private async Task EnsureTableAsync(CancellationToken cancellation)
    {
        if (_tableReady) return;
        await using var command = database.CreateCommand(
            $"""
             CREATE SCHEMA IF NOT EXISTS {schema};
             CREATE TABLE IF NOT EXISTS {schema}.tracking_counters (centre text NOT NULL, year int NOT NULL, last bigint NOT NULL, PRIMARY KEY (centre, year));
             """);
        try
        {
            await command.ExecuteNonQueryAsync(cancellation);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateObject)
        {
            // Another node created it at the same moment.
        }
        _tableReady = true;
    }
}
