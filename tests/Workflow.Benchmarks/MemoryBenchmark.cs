using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Workflow.Store.Identity;

namespace Workflow.Benchmarks;

/// <summary>
/// The API's resident memory under each runtime setting (garbage collector, JIT, W^X, ReadyToRun), side by side in one run:
/// for each, a fresh database and API process that receives and approves many applications over HTTP (approval throughput
/// and p99 are measured, so a setting that saves memory by slowing commands shows), then 20 concurrent reads of the case
/// file of the largest case the input limits and the bounds on a case allow. Resident memory is read after each phase,
/// with where it is (<see cref="ResidentSet"/>), and the peak (VmHWM) at the end. The first setting, the API's own
/// runtimeconfig, is the baseline of the ratios.
/// </summary>
public static class MemoryBenchmark
{
    /// <param name="Environment">Production, or Development on a shared test database (its chain has the development key).</param>
    /// <param name="ReadyToRunApi">The API published with ReadyToRun code (<c>PublishReadyToRun</c>); its rows are left out without it.</param>
    /// <param name="Format">The case file read: json, as the API's clients take it, or html, the printable report.</param>
    public sealed record Options(int Applications, int Clients, int Readers, string Environment = "Production",
        string? ReadyToRunApi = null, string Format = "json")
    {
        public static Options Full => new(10_000, 8, 20);
        public static Options Quick => new(20, 2, 3);
    }

    /// <summary>
    /// A runtime setting, as the runtime reads it from the environment over the runtimeconfig (numbers in hexadecimal);
    /// <paramref name="ReadyToRun"/> runs the API published with ReadyToRun code instead of the build.
    /// </summary>
    public sealed record Setting(string Name, IReadOnlyDictionary<string, string> Environment, bool ReadyToRun = false);

    /// <summary>The garbage collector's reserved range in every API process (64 GiB of address space, none of it committed).</summary>
    private const ulong RegionRange = 64UL << 30;

    private static readonly Dictionary<string, string> NoWriteXorExecute = new() { ["DOTNET_EnableWriteXorExecute"] = "0" };

    /// <summary>
    /// The API as configured first (the baseline), then the same before the latest settings (tiered compilation off, large
    /// native blocks returned to the system) and each of them alone, then as it was before any setting, then every other
    /// setting on top of the configuration.
    /// </summary>
    /// <summary>The API's switch for the C allocator's large blocks (Workflow.Api.Hosting.NativeHeap).</summary>
    private const string NativeHeapSwitch = "Workflow__NativeHeap__ReturnLargeBlocks";

    public static readonly IReadOnlyList<Setting> Settings =
    [
        new("as configured (runtimeconfig)", new Dictionary<string, string>()),
        new("before: tiered compilation on, large native blocks kept", new Dictionary<string, string>
            { ["DOTNET_TieredCompilation"] = "1", [NativeHeapSwitch] = "false" }),
        new("tiered compilation on", new Dictionary<string, string> { ["DOTNET_TieredCompilation"] = "1" }),
        new("large native blocks kept", new Dictionary<string, string> { [NativeHeapSwitch] = "false" }),
        new("as before any setting: tiering and tiered PGO on, gen0 budget uncapped, large native blocks kept",
            new Dictionary<string, string>
            {
                ["DOTNET_TieredCompilation"] = "1", ["DOTNET_TieredPGO"] = "1", ["DOTNET_GCGen0MaxBudget"] = "0", [NativeHeapSwitch] = "false",
            }),
        new("tiered compilation on, tiered PGO on", new Dictionary<string, string>
            { ["DOTNET_TieredCompilation"] = "1", ["DOTNET_TieredPGO"] = "1" }),
        new("gen0 budget uncapped", new Dictionary<string, string> { ["DOTNET_GCGen0MaxBudget"] = "0" }),
        new("gen0 budget at most 4 MiB", new Dictionary<string, string> { ["DOTNET_GCGen0MaxBudget"] = "400000" }),
        new("W^X off", NoWriteXorExecute),
        new("ReadyToRun", new Dictionary<string, string>(), ReadyToRun: true),
        new("ReadyToRun, W^X off", NoWriteXorExecute, ReadyToRun: true),
        new("gen0 budget 4 MiB (GCgen0size)", new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "400000" }),
        new("conserve memory 5", new Dictionary<string, string> { ["DOTNET_GCConserveMemory"] = "5" }),
        new("heap hard limit 128 MiB", new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "8000000" }),
        new("retain VM", new Dictionary<string, string> { ["DOTNET_GCRetainVM"] = "1" }),
        new("server GC, concurrent", new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["DOTNET_gcConcurrent"] = "1" }),
        new("workstation GC, non-concurrent", new Dictionary<string, string> { ["DOTNET_gcConcurrent"] = "0" }),
    ];

    public sealed record Row(string Setting, double ApprovalsPerSecond, double ApprovalRatio, double ApprovalP99Ms,
        long ResidentAfterApplicationsMiB, long ResidentAfterLargestCaseMiB, long ResidentAfterReadsMiB, long PeakMiB, int CaseFileKiB,
        double CaseFileReadP50Ms, int CaseEvents, double LastStepCommandP50Ms, int Errors, ResidentSet? AfterApplications,
        ResidentSet? AfterReads);

    public static async Task<int> RunAsync(Options options, string workflowsPath, string? connectionString, string apiPath,
        TextWriter output, IReadOnlyList<Setting>? settings = null, CancellationToken cancellation = default)
    {
        settings ??= Settings;
        output.WriteLine($"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; {options.Applications:N0} " +
                         $"applications at {options.Clients} clients, then {options.Readers} concurrent reads of the largest case file as {options.Format}");
        if (options.ReadyToRunApi is null && settings.Any(s => s.ReadyToRun))
            output.WriteLine("No --ready-to-run-api given: the ReadyToRun rows are left out.");
        var rows = new List<Row>();
        foreach (var setting in settings)
        {
            if (setting.ReadyToRun && options.ReadyToRunApi is null) continue;
            var api = setting.ReadyToRun ? options.ReadyToRunApi! : apiPath;
            rows.Add(await MeasureAsync(setting, api, options, workflowsPath, connectionString, cancellation));
        }
        var baseline = rows[0].ApprovalsPerSecond;
        rows = [.. rows.Select(r => r with { ApprovalRatio = Statistics.Ratio(r.ApprovalsPerSecond, baseline) })];

        output.WriteLine();
        output.WriteLine("| setting | approvals/s | ratio to first | approval p99 ms | resident after applications MiB | " +
                         "after the largest case MiB | after case-file reads MiB | peak MiB | case file KiB | case-file read p50 ms | errors |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            output.WriteLine($"| {r.Setting} | {r.ApprovalsPerSecond:N0} | {r.ApprovalRatio:N2}x | {r.ApprovalP99Ms:N1} | " +
                             $"{r.ResidentAfterApplicationsMiB:N0} | {r.ResidentAfterLargestCaseMiB:N0} | {r.ResidentAfterReadsMiB:N0} | " +
                             $"{r.PeakMiB:N0} | " +
                             $"{r.CaseFileKiB:N0} | {r.CaseFileReadP50Ms:N1} | {r.Errors} |");
        output.WriteLine();
        foreach (var r in rows)
            output.WriteLine($"{r.Setting}: the largest case has {r.CaseEvents:N0} events; a claim or release of its last step, at its " +
                             $"longest, took {r.LastStepCommandP50Ms:N1} ms (median).");
        PrintBreakdown(output, rows);
        var errors = rows.Sum(r => r.Errors);
        if (errors > 0) output.WriteLine($"{errors:N0} requests failed.");
        Report.Print(output, new { benchmark = "memory", machine = Report.Machine, options, rows, errors });
        return errors == 0 ? 0 : 1;
    }

    private static async Task<Row> MeasureAsync(Setting setting, string apiPath, Options options, string workflowsPath,
        string? connectionString, CancellationToken cancellation)
    {
        await using var bench = await BenchStore.StartAsync(workflowsPath, connectionString, cancellation: cancellation);
        // The garbage collector's reserved range given (virtual memory only), so that the breakdown finds it by its size.
        var environment = new Dictionary<string, string>(setting.Environment) { ["DOTNET_GCRegionRange"] = $"{RegionRange:x}" };
        await using var api = await ApiProcess.StartAsync(apiPath, bench.ConnectionString, workflowsPath, options.Environment,
            environment);
        var folder = Path.GetDirectoryName(Path.GetFullPath(apiPath))!;
        using var client = new ApiClient(api.Address);
        var submitted = await Load.Time(options.Applications, options.Clients,
            async _ => (await client.SubmitAsync(cancellation: cancellation)).Id, countErrors: true);
        var ids = submitted.Ids.Where(id => id != Guid.Empty).ToList();
        var approved = await Load.Time(ids.Count, options.Clients, i => client.ApproveAsync(ids[i], cancellation), countErrors: true);
        var afterApplications = api.ResidentMiB();
        var setAfterApplications = ResidentSet.Read(api.Id, folder, RegionRange);

        var (largest, lastStepCommandMs) = await LargestCaseAsync(client, cancellation);
        var afterLargestCase = api.ResidentMiB();
        var auditor = new AuthenticationHeaderValue("Bearer",
            Tokens.Mint("bench-auditor", "auditor", null, "Bench auditor", null, ApiProcess.SigningKey));
        var sizes = new int[options.Readers];
        var events = 0;
        var reads = await Load.Time(options.Readers, options.Readers, async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/applications/{largest}/case-file?format={options.Format}");
            request.Headers.Authorization = auditor;
            using var answer = await client.Http.SendAsync(request, cancellation);
            if (!answer.IsSuccessStatusCode) throw new UnexpectedAnswer("GET case-file", (int)answer.StatusCode);
            var body = await answer.Content.ReadAsByteArrayAsync(cancellation);
            sizes[i] = body.Length;
            if (i == 0) events = Events(body, options.Format);
            return largest;
        }, countErrors: true);
        var afterReads = api.ResidentMiB();
        var setAfterReads = ResidentSet.Read(api.Id, folder, RegionRange);
        // The kernel's high-water mark comes from counters it updates at other moments than the readings above, and has been
        // seen a MiB below one of them: the peak is at least every reading taken.
        var peak = Math.Max(api.PeakResidentMiB(), Math.Max(Math.Max(afterApplications, afterLargestCase), afterReads));
        return new Row(setting.Name, Report.Round(approved.PerSecond, 0), 0,
            Report.Round(Statistics.Percentile(approved.LatenciesMs, 0.99), 1), afterApplications, afterLargestCase, afterReads, peak,
            sizes.Max() / 1024, Report.Round(Statistics.Percentile(reads.LatenciesMs, 0.5), 1), events, Report.Round(lastStepCommandMs, 1),
            submitted.Errors + approved.Errors + reads.Errors, setAfterApplications, setAfterReads);
    }

    /// <summary>The events of a case file: its timeline's entries, or the rows of the report's timeline table.</summary>
    private static int Events(byte[] caseFile, string format) => format == "html"
        ? System.Text.RegularExpressions.Regex.Count(Encoding.UTF8.GetString(caseFile).Split("<h2>Timeline</h2>")[1], "<tr><td>")
        : JsonDocument.Parse(caseFile).RootElement.GetProperty("timeline").GetArrayLength();

    /// <summary>Where the resident memory is after the case-file reads, per setting, and the largest files under the first.</summary>
    private static void PrintBreakdown(TextWriter output, IReadOnlyList<Row> rows)
    {
        if (rows.All(r => r.AfterReads is null)) return;
        output.WriteLine();
        output.WriteLine("Where the resident memory is after the case-file reads, MiB (/proc/PID/smaps; executable: JIT code, stubs " +
                         "and loader heaps, under W^X the runtime's double-mapped memory file):");
        output.WriteLine();
        output.WriteLine("| setting | resident | proportional | managed heap | executable | other anonymous | CoreLib | " +
                         "frameworks | application and packages | native libraries | other files |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows.Where(r => r.AfterReads is not null))
        {
            var s = r.AfterReads!;
            output.WriteLine($"| {r.Setting} | {s.Resident:N1} | {s.Proportional:N1} | {s.ManagedHeap:N1} | {s.Executable:N1} | " +
                             $"{s.OtherAnonymous:N1} | {s.CoreLib:N1} | {s.Frameworks:N1} | {s.Application:N1} | {s.Native:N1} | " +
                             $"{s.OtherFiles:N1} |");
        }
        if (rows[0].AfterReads is not { } first) return;
        output.WriteLine();
        output.WriteLine($"The largest files resident under \"{rows[0].Setting}\": " +
                         string.Join(", ", first.LargestFiles.Select(f => $"{f.File} {f.MiB:N1}")) + " MiB");
    }

    /// <summary>
    /// The largest case the procedure and the input limits allow: the largest application (every text field of the data as
    /// long as free text may be, a company so that every listed document is due, the applicant's name as long as a name may
    /// be), returned at the completeness check and corrected as often as a case may be returned, every step claimed and let
    /// go as often as a step may change hands, as many delegations as a case may record, and every step decided; every
    /// reason and comment as long as allowed. Returns its id.
    /// </summary>
    /// <returns>Its id, and the median time of the last step's claims and releases: commands on the case at its longest.</returns>
    private static async Task<(Guid Id, double LastStepCommandP50Ms)> LargestCaseAsync(ApiClient client, CancellationToken cancellation)
    {
        var limits = Core.InputLimits.Default;
        var text = JsonSerializer.SerializeToElement(new string('x', limits.MaxTextLength));
        var data = Samples.Enterprise();
        string[] texts = ["enterprise_name", "business_sector", "province"];
        foreach (var field in texts) data[field] = text;
        data["enterprise_type"] = JsonSerializer.SerializeToElement("company");
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            workflowId = Samples.Procedure,
            applicant = new { name = new string('x', limits.MaxNameLength), language = "lo" },
            data,
            documents = Samples.Documents.Append("articles-of-association"),
            centre = Samples.Centre,
            channel = "counter",
        });
        var id = await client.SubmitAsync(body, cancellation);
        var reason = new string('r', Core.Applications.CommandLimits.MaxReasonLength);
        var comment = new string('c', limits.MaxTextLength);
        var clerk = Bearer("bench-clerk", "clerk", "odsc");
        var application = $"/api/applications/{id}";

        var correction = texts.ToDictionary(f => f, _ => text);
        for (var i = 0; i < Core.Applications.Decider.MaxReturnsPerCase; i++)
        {
            await client.PostAsync($"{application}/steps/intake/decision", clerk, new { outcome = "return", reason, comment }, cancellation);
            await client.PostAsync($"{application}/resubmission", clerk, new { data = correction, comment }, cancellation);
        }
        (string Step, AuthenticationHeaderValue Who)[] steps =
        [
            ("intake", clerk),
            ("register", Bearer("bench-officer", "officer", ApiClient.Agency)),
            ("seal", Bearer("bench-seal-officer", "officer", "mops-seal-office")),
            ("social-security", Bearer("bench-social-security-officer", "officer", "molsw-social-security")),
            ("handover", clerk),
        ];
        var lastStep = new List<double>();
        foreach (var (step, who) in steps)
        {
            var path = $"{application}/steps/{step}";
            async Task Timed(string action)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                await client.PostAsync($"{path}/{action}", who, new { reason }, cancellation);
                if (step == steps[^1].Step) lastStep.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            for (var i = 0; i < Core.Applications.Decider.MaxHandOversPerStep; i++)
            {
                await Timed("claim");
                // While the registration step is held: every delegation the case may record, each ended.
                for (var d = 0; step == "register" && i == 0 && d < Core.Applications.Decider.MaxDelegationsPerCase; d++)
                {
                    await client.PostAsync($"{application}/delegations", who, new
                    {
                        toUserId = "bench-officer-2", toName = new string('n', 200), until = DateTimeOffset.UtcNow.AddDays(7), reason,
                    }, cancellation);
                    await client.PostAsync($"{application}/delegations/revocation", who, new { reason }, cancellation);
                }
                await Timed("release");
            }
            await client.PostAsync($"{path}/decision", who, new { outcome = "approve", reason, comment }, cancellation);
        }
        return (id, Statistics.Percentile(lastStep, 0.5));
    }

    private static AuthenticationHeaderValue Bearer(string user, string role, string agency) =>
        new("Bearer", Tokens.Mint(user, role, agency, $"Bench {role} of {agency}", Samples.Centre, ApiProcess.SigningKey));
}
