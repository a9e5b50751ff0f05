using System.Diagnostics;
using Workflow.Benchmarks;

namespace Workflow.Api.Tests;

/// <summary>
/// The memory benchmark's breakdown of a process's resident memory, read from this test process's own map: its parts
/// account for the whole, and memory the process allocates and keeps shows as managed heap, not elsewhere. The tests run
/// alone: another test allocating meanwhile would move the resident memory between two readings of it.
/// </summary>
[Collection(ReadingOwnMemory.Name)]
public class when_the_resident_memory_of_a_process_is_broken_down
{
    private static readonly ulong RegionRange = Convert.ToUInt64(GC.GetConfigurationVariables()["GCRegionRange"]);

    private static ResidentSet Now() => ResidentSet.Read(Environment.ProcessId, AppContext.BaseDirectory, RegionRange)
                                        ?? throw new InvalidOperationException("no /proc/PID/smaps");

    private static double Kernel()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64 / 1024.0 / 1024.0;
    }

    [Fact]
    public void the_parts_add_up_to_the_resident_memory_the_kernel_reports()
    {
        var before = Kernel();
        var set = Now();
        var after = Kernel();

        var parts = set.ManagedHeap + set.Executable + set.OtherAnonymous + set.CoreLib + set.Frameworks + set.Application
                    + set.Native + set.OtherFiles;
        parts.ShouldBe(set.Resident, tolerance: 1.0);
        // The collector's own threads may still move it between the readings: the map's total lies between them.
        set.Resident.ShouldBeInRange(Math.Min(before, after) * 0.9, Math.Max(before, after) * 1.1);
        set.CoreLib.ShouldBeGreaterThan(1);
        set.Application.ShouldBeGreaterThan(0, "this project's own assemblies are mapped from its build output");
        set.LargestFiles.ShouldContain(f => f.File == "System.Private.CoreLib.dll");
    }

    [Fact]
    public void the_heap_is_the_reserved_range_whose_top_is_untouched_not_another_pair_of_mappings_as_far_apart()
    {
        const ulong mib = 1UL << 20;
        const ulong rounded = 1024 * mib;
        const ulong range = rounded + 0x276000;                 // as GCRegionRange gives it, not a whole number of regions
        const ulong start = 0x7f00_0000_0000;
        const ulong end = start + rounded;
        static ResidentSet.Mapping Anonymous(ulong from, ulong to, string permissions, ulong residentMiB) =>
            new(from, to, permissions, "", (long)(residentMiB * 1024), (long)(residentMiB * 1024));
        ResidentSet.Mapping[] map =
        [
            Anonymous(start - 64 * mib, start, "---p", 0),                        // another reservation below
            Anonymous(start, start + 4 * mib, "rw-p", 4),                         // the heap's first region
            Anonymous(start + 4 * mib, start + 8 * mib, "---p", 0),
            Anonymous(start + 8 * mib, start + 12 * mib, "rw-p", 4),              // its second
            Anonymous(start + 12 * mib, end, "---p", 0),                          // the rest of the range, untouched
            // Native memory above the range that ends exactly the unrounded size past the second region's start.
            Anonymous(end + 8 * mib, start + 8 * mib + range, "rw-p", 2),
        ];

        var set = ResidentSet.Of(map, AppContext.BaseDirectory, range);

        set.ManagedHeap.ShouldBe(8);
        set.OtherAnonymous.ShouldBe(2);
        set.Resident.ShouldBe(10);
    }

    [Fact]
    public void memory_the_process_allocates_and_keeps_shows_as_managed_heap()
    {
        var before = Now();

        // 64 MiB in arrays below the large object threshold, every page written so that it is resident.
        var kept = new List<byte[]>();
        for (var i = 0; i < 1024; i++)
        {
            var block = new byte[64 * 1024];
            Array.Fill(block, (byte)1);
            kept.Add(block);
        }
        var after = Now();
        GC.KeepAlive(kept);

        // The 64 MiB are live and written, so resident; where the rest of the heap was resident already, it grew by less.
        // Tests running beside this one load assemblies and compile code meanwhile, so the growth compared is that of
        // the anonymous data memory (heap and the rest), not of the files mapped in or the runtime's code.
        after.ManagedHeap.ShouldBeGreaterThanOrEqualTo(64, $"before {before}, after {after}");
        static double Written(ResidentSet set) => set.ManagedHeap + set.OtherAnonymous;
        (after.ManagedHeap - before.ManagedHeap).ShouldBeGreaterThan(0.9 * (Written(after) - Written(before)),
            $"before {before}, after {after}");
        (after.OtherAnonymous - before.OtherAnonymous).ShouldBeLessThan(16, $"before {before}, after {after}");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReadingOwnMemory
{
    public const string Name = "reading its own memory";
}
