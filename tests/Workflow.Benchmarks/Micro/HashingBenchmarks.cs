using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Workflow.Core.Definitions;
using Workflow.Store.Audit;

namespace Workflow.Benchmarks.Micro;

/// <summary>
/// Canonical hashing in .NET: the content hash that pins a definition to each application (line endings made canonical,
/// then SHA-256) and the Merkle root a seal commits to, beside a bare SHA-256 of the same definition text.
/// </summary>
[MemoryDiagnoser]
public class HashingBenchmarks
{
    private string _text = "";
    private IReadOnlyList<ChainHead> _heads = [];

    [Params(1_000)]
    public int Streams { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _text = File.ReadAllText(Path.Combine(Paths.Workflows, Samples.Procedure + ".yaml"));
        var random = new Random(7);
        _heads = [.. Enumerable.Range(0, Streams).Select(_ =>
        {
            var id = new byte[16];
            var hash = new byte[32];
            random.NextBytes(id);
            random.NextBytes(hash);
            return new ChainHead(new Guid(id), random.Next(2, 40), hash);
        })];
    }

    [Benchmark(Baseline = true, Description = "SHA-256 of the definition text")]
    public byte[] Sha256() => SHA256.HashData(Encoding.UTF8.GetBytes(_text));

    [Benchmark(Description = "definition content hash")]
    public string DefinitionHash() => DefinitionParser.HashOf(_text);

    [Benchmark(Description = "seal: Merkle root of the chain heads")]
    public byte[] SealRoot() => AuditChain.MerkleRoot(_heads);
}
