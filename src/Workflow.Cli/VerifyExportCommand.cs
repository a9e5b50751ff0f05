using System.Security.Cryptography;
using System.Text.Json;
using Workflow.Core.Definitions;
using Workflow.Core.Statistics;
using Workflow.Store.Audit;

namespace Workflow.Cli;

/// <summary><c>workflow verify --export FILE</c>: an evaluator's check of an evaluation export, with no database and no secret.</summary>
public static class VerifyExportCommand
{
    /// <param name="figures">The breakdown and the workflows folder whose calendars count working days, when figures are asked.</param>
    public static async Task<int> RunAsync(FileInfo file, FileInfo? publicKey, string? sealRoot,
        (string By, DirectoryInfo Workflows)? figures, CancellationToken cancellation)
    {
        var bytes = await File.ReadAllBytesAsync(file.FullName, cancellation);
        using var key = publicKey is null ? null : ECDsa.Create();
        if (key is not null)
            try
            {
                key.ImportFromPem(await File.ReadAllTextAsync(publicKey!.FullName, cancellation));
            }
            catch (ArgumentException e)
            {
                throw new CommandError($"{publicKey!.FullName}: not a PEM public key ({e.Message})");
            }
        var result = EvaluationFile.Verify(bytes, key, sealRoot);
        foreach (var problem in result.Problems) Console.WriteLine($"BROKEN {problem}");
        Console.WriteLine($"{result.Streams} application(s), {result.Events} event(s), period {result.From} to {result.To}; " +
                          $"seal root {result.SealRoot ?? "-"} of {result.SealedAt:O}; signature key {result.Fingerprint}: " +
                          (result.Intact ? "intact" : $"{result.Problems.Count} problem(s)"));
        if (publicKey is null)
            Console.WriteLine("The signature was checked with the key the file names: compare its fingerprint with the one the operator " +
                              "published (or pass --public-key).");
        if (sealRoot is null)
            Console.WriteLine("Compare the seal root with the one the operator published when sealing (or pass --seal-root).");
        // Figures from a file that does not verify would prove nothing.
        if (figures is { } asked && result.Intact) PrintFigures(bytes, result, asked.By, asked.Workflows);
        return result.Intact ? 0 : 1;
    }

    /// <summary>The indicators of the export's period, from its events alone, as <c>workflow stats</c> prints them from a store.</summary>
    private static void PrintFigures(byte[] bytes, ExportVerification result, string by, DirectoryInfo workflows)
    {
        var errors = new Dictionary<string, string[]>();
        var query = StatisticsRequest.Parse(result.From, result.To, "custom", null, null, null, null, by.Length == 0 ? null : by, errors)
                    ?? throw new CommandError(string.Join(Environment.NewLine, errors.Select(e => $"--figures: {e.Value[0]}")));
        if (!workflows.Exists) throw new CommandError($"{workflows.FullName}: no such folder (its calendars count the working days)");
        var calendars = WorkflowCatalog.Load(workflows.FullName).Calendars;
        var facts = EvaluationFile.Events(bytes).Values.Select(CaseFacts.Fold).OfType<CaseFacts>();
        Console.WriteLine(JsonSerializer.Serialize(Indicators.Compute(facts, query, calendars), StatsCommand.Json));
    }
}
