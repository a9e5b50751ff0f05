using System.Security.Cryptography;
using Workflow.Store.Audit;

namespace Workflow.Cli;

/// <summary><c>workflow verify --export FILE</c>: an evaluator's check of an evaluation export, with no database and no secret.</summary>
public static class VerifyExportCommand
{
    public static async Task<int> RunAsync(FileInfo file, FileInfo? publicKey, string? sealRoot, CancellationToken cancellation)
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
        return result.Intact ? 0 : 1;
    }
}
