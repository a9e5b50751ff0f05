using System.Globalization;

namespace Workflow.Benchmarks;

/// <summary>
/// Where a process's resident memory is, read from <c>/proc/PID/smaps</c>: the managed heap, the executable memory the
/// runtime writes (JIT output, stubs and loader heaps), the rest of the anonymous memory (native heap, thread stacks, the
/// runtime's own data), and the files mapped in (CoreLib, the shared frameworks, the application's and its packages'
/// assemblies, native libraries). In MiB of resident pages (Rss), as the process's resident memory counts them; the
/// proportional total (Pss) counts a page mapped twice once.
/// </summary>
/// <param name="ManagedHeap">
/// The garbage collector's committed regions: anonymous memory inside the one range it reserves at start-up (with
/// regions, every collected object lives there), found by its size: see <see cref="ManagedHeapRange"/>.
/// </param>
/// <param name="Executable">
/// Memory the runtime writes code and its type data into. Under W^X it is a memory file mapped twice, writable and
/// executable (<c>/memfd:doublemapper</c>; a page resident in both views counts in each, but the writable views are
/// mapped only while the runtime writes); without W^X it is anonymous memory with execute permission, and the loader
/// heaps' data pages then fall under <paramref name="OtherAnonymous"/>.
/// </param>
public sealed record ResidentSet(double Resident, double Proportional, double ManagedHeap, double Executable,
    double OtherAnonymous, double CoreLib, double Frameworks, double Application, double Native, double OtherFiles,
    IReadOnlyList<ResidentFile> LargestFiles)
{
    private const string DoubleMapper = "/memfd:doublemapper";

    /// <summary>The process's map now; null where there is no <c>/proc</c> (not Linux) or the process has ended.</summary>
    /// <param name="applicationFolder">The folder of the application's own assemblies and its packages' (its build output).</param>
    /// <param name="regionRange">The size of the garbage collector's reserved range (<c>GCRegionRange</c>), in bytes.</param>
    public static ResidentSet? Read(int processId, string applicationFolder, ulong regionRange)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{processId}/smaps");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return Of(Parse(lines), applicationFolder, regionRange);
    }

    /// <summary>One mapping of smaps: its address range, permissions, what is mapped (empty for anonymous memory), kB.</summary>
    public sealed record Mapping(ulong Start, ulong End, string Permissions, string Path, long RssKiB, long PssKiB)
    {
        public bool IsAnonymous => Path.Length == 0 || Path.StartsWith('[');
    }

    public static IReadOnlyList<Mapping> Parse(IEnumerable<string> lines)
    {
        var mappings = new List<Mapping>();
        Mapping? current = null;
        foreach (var line in lines)
        {
            if (IsHeader(line, out var header))
            {
                if (current is not null) mappings.Add(current);
                current = header;
            }
            else if (current is not null && line.StartsWith("Rss:", StringComparison.Ordinal))
                current = current with { RssKiB = Kilobytes(line) };
            else if (current is not null && line.StartsWith("Pss:", StringComparison.Ordinal))
                current = current with { PssKiB = Kilobytes(line) };
        }
        if (current is not null) mappings.Add(current);
        return mappings;
    }

    public static ResidentSet Of(IReadOnlyList<Mapping> mappings, string applicationFolder, ulong regionRange)
    {
        var heap = ManagedHeapRange(mappings, regionRange);
        var application = Path.TrimEndingDirectorySeparator(Path.GetFullPath(applicationFolder)) + Path.DirectorySeparatorChar;
        double managed = 0, executable = 0, anonymous = 0, coreLib = 0, frameworks = 0, own = 0, native = 0, other = 0;
        var files = new Dictionary<string, long>();
        foreach (var m in mappings)
        {
            var mib = m.RssKiB / 1024.0;
            if (m.Path.StartsWith(DoubleMapper, StringComparison.Ordinal)) executable += mib;
            else if (m.IsAnonymous && m.Permissions.Contains('x')) executable += mib;
            else if (m.IsAnonymous && m.Start >= heap.Start && m.End <= heap.End) managed += mib;
            else if (m.IsAnonymous) anonymous += mib;
            else
            {
                files[m.Path] = files.GetValueOrDefault(m.Path) + m.RssKiB;
                if (m.Path.EndsWith("/System.Private.CoreLib.dll", StringComparison.Ordinal)) coreLib += mib;
                else if (m.Path.Contains("/shared/Microsoft.", StringComparison.Ordinal) && m.Path.EndsWith(".dll", StringComparison.Ordinal))
                    frameworks += mib;
                else if (m.Path.StartsWith(application, StringComparison.Ordinal)) own += mib;
                else if (m.Path.EndsWith(".so", StringComparison.Ordinal) || m.Path.Contains(".so.", StringComparison.Ordinal)) native += mib;
                else other += mib;
            }
        }
        var largest = files.OrderByDescending(f => f.Value).Take(12)
            .Select(f => new ResidentFile(Path.GetFileName(f.Key), Round(f.Value / 1024.0))).ToList();
        return new ResidentSet(Round(mappings.Sum(m => m.RssKiB) / 1024.0), Round(mappings.Sum(m => m.PssKiB) / 1024.0),
            Round(managed), Round(executable), Round(anonymous), Round(coreLib), Round(frameworks), Round(own), Round(native),
            Round(other), largest);
    }

    /// <summary>
    /// The garbage collector's reserved range: with regions it reserves one range of <paramref name="regionRange"/> bytes at
    /// start-up (<c>GCRegionRange</c>, rounded down to whole 4 MiB regions) and commits regions inside it from its start up,
    /// so its mappings run from an anonymous mapping's start to an anonymous mapping's end exactly that far apart, the last
    /// of them the untouched rest of the range. Other pairs that far apart turn up once the heap has grown (a region's start
    /// inside the range with the end of some mapping above it): of every pair, the range is the one whose last mapping is
    /// the largest. Empty when no two are that far apart.
    /// </summary>
    private static (ulong Start, ulong End) ManagedHeapRange(IReadOnlyList<Mapping> mappings, ulong regionRange)
    {
        var anonymous = mappings.Where(m => m.Path.Length == 0).ToList();
        var byEnd = anonymous.GroupBy(m => m.End).ToDictionary(g => g.Key, g => g.First());
        var pairs =
            from size in new[] { regionRange, regionRange & ~(Region - 1) }.Distinct()
            from first in anonymous
            where byEnd.ContainsKey(first.Start + size)
            let last = byEnd[first.Start + size]
            select (first.Start, End: first.Start + size, Top: last.End - last.Start);
        return pairs.OrderByDescending(p => p.Top).Select(p => (p.Start, p.End)).FirstOrDefault();
    }

    private const ulong Region = 4UL << 20;

    // A header: "7f12c4000000-7f12c4021000 rw-p 00000000 00:00 0    /path (deleted)"; the path is empty for anonymous memory.
    private static bool IsHeader(string line, out Mapping mapping)
    {
        mapping = null!;
        var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 5) return false;
        var range = fields[0].Split('-');
        if (range.Length != 2
            || !ulong.TryParse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
            || !ulong.TryParse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end))
            return false;
        mapping = new Mapping(start, end, fields[1], fields.Length == 6 ? fields[5].Trim() : "", 0, 0);
        return true;
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static double Round(double mib) => Math.Round(mib, 1);
}

/// <summary>A mapped file and the MiB of it resident.</summary>
public sealed record ResidentFile(string File, double MiB);
