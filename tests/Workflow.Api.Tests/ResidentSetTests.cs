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
