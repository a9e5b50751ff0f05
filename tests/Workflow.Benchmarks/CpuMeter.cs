using System.Diagnostics;

namespace Workflow.Benchmarks;

/// <summary>
/// CPU time used by the API process and by the PostgreSQL server (the postmaster and every backend), read from /proc. On a
/// shared machine the throughput of a run moves with the load of others; the CPU a command costs moves much less, and it is
/// what decides the throughput of two cores that the API and PostgreSQL share.
/// </summary>
public sealed class CpuMeter(int apiProcessId, string? databaseDirectory)
{
    private static readonly double TickMs = 1000.0 / ClockTicks();

    public readonly record struct Reading(double ApiMs, double? DatabaseMs);

    public Reading Read() => new(ProcessMs(apiProcessId) ?? 0, DatabaseMs());

    /// <summary>CPU per operation between two readings; the database's is null when the server is not the runner's own.</summary>
    public static (double Api, double? Database) PerOperation(Reading before, Reading after, int operations) =>
        ((after.ApiMs - before.ApiMs) / Math.Max(1, operations),
            after.DatabaseMs - before.DatabaseMs is { } database ? database / Math.Max(1, operations) : null);

    private double? DatabaseMs()
    {
        if (databaseDirectory is null) return null;
        var pidFile = Path.Combine(databaseDirectory, "postmaster.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var postmaster)) return null;
        double total = 0;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid)) continue;
            if (Stat(pid) is not { } stat) continue;
            if (pid == postmaster || stat.Parent == postmaster) total += stat.CpuMs;
        }
        return total;
    }

    private static double? ProcessMs(int pid) => Stat(pid)?.CpuMs;

    /// <summary>The parent and the user plus system time of a process (fields 4, 14 and 15 of /proc/pid/stat).</summary>
    private static (int Parent, double CpuMs)? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces: the fields after it start after its closing parenthesis.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (int.Parse(fields[1]), (long.Parse(fields[11]) + long.Parse(fields[12])) * TickMs);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static long ClockTicks()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true })!;
            var text = getconf.StandardOutput.ReadToEnd();
            getconf.WaitForExit();
            return long.TryParse(text.Trim(), out var ticks) && ticks > 0 ? ticks : 100;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 100;
        }
    }
}
