using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Workflow.Store.Audit;

/// <summary>
/// The secret that keys every chain link (setting <c>Audit:ChainKey</c>, environment <c>Audit__ChainKey</c>). The database
/// never sees it: links are computed by the application, so someone with only database rights cannot make a link that
/// verifies. Development uses a fixed, public key; everywhere else the key is required.
/// </summary>
public sealed class ChainKey
{
    public const string Setting = "Audit:ChainKey";
    public const string Variable = "Audit__ChainKey";

    /// <summary>Public on purpose, like the development signing key: links made with it prove nothing.</summary>
    public const string DevelopmentKey = "workflow-development-chain-key-not-for-production-use-0123456789";

    private readonly byte[] _key;

    public ChainKey(string secret)
    {
        if (string.IsNullOrWhiteSpace(secret) || secret.Length < 32)
            throw new InvalidOperationException($"{Setting} must be at least 32 characters long ({Variable}).");
        _key = Encoding.UTF8.GetBytes(secret);
        IsDevelopment = secret == DevelopmentKey;
    }

    public bool IsDevelopment { get; }

    public static ChainKey Development { get; } = new(DevelopmentKey);

    /// <summary>
    /// The key from configuration (or the environment when there is none); the development key only in Development.
    /// Outside Development a missing key or the public development key stops the server.
    /// </summary>
    public static ChainKey From(IConfiguration? configuration, IHostEnvironment? environment)
    {
        var secret = configuration?[Setting] ?? Environment.GetEnvironmentVariable(Variable);
        var development = environment?.IsDevelopment() == true;
        if (string.IsNullOrWhiteSpace(secret))
        {
            if (development) return Development;
            throw new InvalidOperationException(
                $"{Setting} is not set: outside Development the audit chain needs a secret key of 32+ characters ({Variable}), " +
                "kept out of the database.");
        }
        // A server outside Development must not run on the public key; the command-line tools may verify a development store.
        if (secret == DevelopmentKey && configuration is not null && environment is not null && !development)
            throw new InvalidOperationException(
                $"{Setting} is the public development key; set a secret key of your own outside Development.");
        return new ChainKey(secret);
    }

    /// <summary>HMAC-SHA256 over (stream id, version, content hash, previous link): the keyed link of one event.</summary>
    public byte[] Link(Guid streamId, long version, ReadOnlySpan<byte> content, ReadOnlySpan<byte> previous)
    {
        Span<byte> message = stackalloc byte[16 + 8 + 32 + 32];
        streamId.TryWriteBytes(message[..16], bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(message.Slice(16, 8), version);
        content.CopyTo(message.Slice(24, 32));
        previous.CopyTo(message[56..]);
        return HMACSHA256.HashData(_key, message[..(56 + previous.Length)]);
    }
}
