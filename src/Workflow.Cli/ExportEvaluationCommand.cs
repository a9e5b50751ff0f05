using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Store.Audit;

namespace Workflow.Cli;

/// <summary>
/// <c>workflow export-evaluation</c>: the events of a period for a third-party evaluator, applicants pseudonymised with the
/// operator's key, with the links, the seal and the operator's signature (see <see cref="EvaluationFile"/>);
/// <c>workflow verify --export FILE</c> checks such a file without the database.
/// </summary>
public static class ExportEvaluationCommand
{
    public const string SigningKeyVariable = "Evaluation__SigningKey";

    public static Command Create()
    {
        var from = new Option<string>("--from")
        {
            Description = "first day of the period, such as 2026-01-01 (Vientiane time)", Required = true,
        };
        var to = new Option<string>("--to") { Description = "last day of the period, included", Required = true };
        var output = new Option<FileInfo?>("--out") { Description = "file to write; default: standard output" };
        var pseudonymKey = new Option<string?>("--pseudonym-key")
        {
            Description = $"the key of the pseudonyms (32+ characters, never given to the evaluator); default: {Pseudonyms.Variable}",
        };
        var signingKey = new Option<FileInfo?>("--signing-key")
        {
            Description = "PEM file of the operator's ECDSA P-256 private key that signs the export; " +
                          $"default: the file named by {SigningKeyVariable}",
        };
        var seal = new Option<bool>("--seal") { Description = "seal the store first, when the latest seal does not cover the period" };
        var key = AuditOptions.ChainKey();
        var reader = AuditOptions.Operator();
        var connection = Connection.Option();
        var command = new Command("export-evaluation",
            "Write a period's applications for a third-party evaluator: pseudonymised events, their links, the seal and a signature")
            { from, to, output, pseudonymKey, signingKey, seal, key, reader, connection };
        command.SetAction(async (parse, cancellation) =>
        {
            var (first, last) = (Day(parse.GetValue(from)!, "--from"), Day(parse.GetValue(to)!, "--to"));
            var secret = parse.GetValue(pseudonymKey) ?? Environment.GetEnvironmentVariable(Pseudonyms.Variable);
            if (string.IsNullOrWhiteSpace(secret) || secret.Length < 32)
                throw new CommandError($"No pseudonym key (32+ characters): pass --pseudonym-key or set {Pseudonyms.Variable}.");
            using var signer = SigningKey(parse.GetValue(signingKey));
            using var keyScope = AuditOptions.UseKey(parse, key);
            if (keyScope is null) return 2;
            if (secret == Environment.GetEnvironmentVariable(ChainKey.Variable))
                throw new CommandError("The pseudonym key must not be the chain key: each protects something else.");
            await using var provider = await Connection.OpenAsync(parse.GetValue(connection), cancellation);
            if (provider is null) return 2;
            var path = parse.GetValue(output);
            try
            {
                var exports = provider.GetRequiredService<EvaluationExports>();
                async Task Write(Stream stream)
                {
                    var done = await exports.WriteAsync(stream, first, last, new Pseudonyms(secret), signer,
                        AuditOptions.Reader(parse.GetValue(reader)!).UserId, parse.GetValue(seal), cancellation);
                    Console.Error.WriteLine($"{done.Streams} application(s), {done.Events} event(s); seal {done.SealVersion} " +
                                            $"root {done.SealRoot}; signed by key {done.Fingerprint}");
                }
                // A file appears only whole and signed; a refused or failed export leaves none.
                if (path is null)
                {
                    await using var standardOutput = Console.OpenStandardOutput();
                    await Write(standardOutput);
                }
                else await OutputFile.WriteAsync(path, Write, cancellation);
                return 0;
            }
            catch (EvaluationRefused refused)
            {
                throw new CommandError(refused.Message);
            }
        });
        return command;
    }

    private static DateOnly Day(string text, string option) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new CommandError($"{option}: '{text}' is not a day such as 2026-01-31");

    private static ECDsa SigningKey(FileInfo? given)
    {
        var file = given ?? (Environment.GetEnvironmentVariable(SigningKeyVariable) is { Length: > 0 } named ? new FileInfo(named) : null)
                   ?? throw new CommandError($"No signing key: pass --signing-key FILE (PEM) or set {SigningKeyVariable}.");
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(file.FullName));
        }
        catch (ArgumentException e)
        {
            key.Dispose();
            throw new CommandError($"{file.FullName}: not a PEM private key ({e.Message})");
        }
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new CommandError($"{file.FullName}: the signing key must be ECDSA P-256");
        }
        return key;
    }
}
