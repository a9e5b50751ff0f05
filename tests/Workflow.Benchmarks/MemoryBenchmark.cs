using System.Net.Http.Headers;
using System.Text.Json;
using Workflow.Store.Identity;

namespace Workflow.Benchmarks;

/// <summary>
/// The API's resident memory under each garbage collector setting, side by side in one run: for each, a fresh database and
/// API process that receives and approves many applications over HTTP (approval throughput is measured, so a setting that
/// saves memory by slowing commands shows), then 20 concurrent reads of the case file of the largest application the input
/// limits allow. Resident memory is read after each phase, and the peak (VmHWM) at the end. The first setting, the API's
/// own runtimeconfig, is the baseline of the ratios.
/// </summary>
public static class MemoryBenchmark
{
    /// <param name="Environment">Production, or Development on a shared test database (its chain has the development key).</param>
    public sealed record Options(int Applications, int Clients, int Readers, string Environment = "Production")
    {
        public static Options Full => new(10_000, 8, 20);
        public static Options Quick => new(20, 2, 3);
    }

    /// <summary>A garbage collector setting, as the runtime reads it from the environment over the runtimeconfig.</summary>
    public sealed record Setting(string Name, IReadOnlyDictionary<string, string> Environment);

    public static readonly IReadOnlyList<Setting> Settings =
    [
        new("as configured (runtimeconfig)", new Dictionary<string, string>()),
        new("server GC, concurrent", new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["DOTNET_gcConcurrent"] = "1" }),
        new("server GC, conserve memory 7", new Dictionary<string, string>
            { ["DOTNET_gcServer"] = "1", ["DOTNET_GCConserveMemory"] = "7" }),
        new("server GC, 1 heap", new Dictionary<string, string> { ["DOTNET_gcServer"] = "1", ["DOTNET_GCHeapCount"] = "1" }),
        new("workstation GC, concurrent", new Dictionary<string, string> { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "1" }),
        new("workstation GC, non-concurrent", new Dictionary<string, string>
            { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "0" }),
    ];

    public sealed record Row(string Setting, double ApprovalsPerSecond, double ApprovalRatio, double ApprovalP99Ms,
        long ResidentAfterApplicationsMiB, long ResidentAfterReadsMiB, long PeakMiB, int CaseFileKiB, int Errors);

    public static async Task<int> RunAsync(Options options, string workflowsPath, string? connectionString, string apiPath,
        TextWriter output, IReadOnlyList<Setting>? settings = null, CancellationToken cancellation = default)
    {
        settings ??= Settings;
        output.WriteLine($"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; {options.Applications:N0} " +
                         $"applications at {options.Clients} clients, then {options.Readers} concurrent reads of the largest case file");
        var rows = new List<Row>();
        foreach (var setting in settings)
        {
            await using var bench = await BenchStore.StartAsync(workflowsPath, connectionString, cancellation: cancellation);
            var environment = new Dictionary<string, string>(setting.Environment);
            await using var api = await ApiProcess.StartAsync(apiPath, bench.ConnectionString, workflowsPath, options.Environment,
                environment);
            using var client = new ApiClient(api.Address);
            var submitted = await Load.Time(options.Applications, options.Clients,
                async _ => (await client.SubmitAsync(cancellation: cancellation)).Id, countErrors: true);
            var ids = submitted.Ids.Where(id => id != Guid.Empty).ToList();
            var approved = await Load.Time(ids.Count, options.Clients, i => client.ApproveAsync(ids[i], cancellation), countErrors: true);
            var afterApplications = api.ResidentMiB();

            var largest = await SubmitLargestAsync(client, cancellation);
            var auditor = new AuthenticationHeaderValue("Bearer",
                Tokens.Mint("bench-auditor", "auditor", null, "Bench auditor", null, ApiProcess.SigningKey));
            var sizes = new int[options.Readers];
            var reads = await Load.Time(options.Readers, options.Readers, async i =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/applications/{largest}/case-file");
                request.Headers.Authorization = auditor;
                using var answer = await client.Http.SendAsync(request, cancellation);
                if (!answer.IsSuccessStatusCode) throw new UnexpectedAnswer("GET case-file", (int)answer.StatusCode);
                sizes[i] = (await answer.Content.ReadAsByteArrayAsync(cancellation)).Length;
                return largest;
            }, countErrors: true);
            var afterReads = api.ResidentMiB();
            rows.Add(new Row(setting.Name, Report.Round(approved.PerSecond, 0), 0,
                Report.Round(Statistics.Percentile(approved.LatenciesMs, 0.99), 1), afterApplications, afterReads, api.PeakResidentMiB(),
                sizes.Max() / 1024, submitted.Errors + approved.Errors + reads.Errors));
        }
        var baseline = rows[0].ApprovalsPerSecond;
        rows = [.. rows.Select(r => r with { ApprovalRatio = Statistics.Ratio(r.ApprovalsPerSecond, baseline) })];

        output.WriteLine();
        output.WriteLine("| GC setting | approvals/s | ratio to first | approval p99 ms | resident after applications MiB | " +
                         "after case-file reads MiB | peak MiB | case file KiB | errors |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            output.WriteLine($"| {r.Setting} | {r.ApprovalsPerSecond:N0} | {r.ApprovalRatio:N2}x | {r.ApprovalP99Ms:N1} | " +
                             $"{r.ResidentAfterApplicationsMiB:N0} | {r.ResidentAfterReadsMiB:N0} | {r.PeakMiB:N0} | " +
                             $"{r.CaseFileKiB:N0} | {r.Errors} |");
        var errors = rows.Sum(r => r.Errors);
        if (errors > 0) output.WriteLine($"{errors:N0} requests failed.");
        Report.Print(output, new { benchmark = "memory", machine = Report.Machine, options, rows, errors });
        return errors == 0 ? 0 : 1;
    }

    /// <summary>
    /// The largest application the procedure and the input limits allow: every text field of the data as long as free text may
    /// be, a company (so every listed document is due), and the applicant's name as long as a name may be. Returns its id.
    /// </summary>
    private static async Task<Guid> SubmitLargestAsync(ApiClient client, CancellationToken cancellation)
    {
        var limits = Core.InputLimits.Default;
        var text = JsonSerializer.SerializeToElement(new string('x', limits.MaxTextLength));
        var data = Samples.Enterprise();
        foreach (var field in new[] { "enterprise_name", "business_sector", "province" }) data[field] = text;
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
        await client.ApproveAsync(id, cancellation);
        return id;
    }
}
