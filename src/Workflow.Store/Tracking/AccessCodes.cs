using System.Security.Cryptography;
using System.Text;

namespace Workflow.Store.Tracking;

/// <summary>
/// The citizen's access code: drawn at submission by the shell (the core draws no random numbers), printed once on the
/// receipt, and kept only as a salted PBKDF2-SHA256 hash in the <c>ApplicationSubmitted</c> event. The code is never
/// logged. Checking always does the same work, whether the tracking number exists or not, and compares in constant time.
/// </summary>
public static class AccessCodes
{
    /// <summary>No 0/O, 1/I/L: letters a person reads off a receipt and types without mistaking one for another.</summary>
    public const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    public const int Length = 8;

    // 31^8 (about 8.5e11) codes behind a rate-limited endpoint; the iterations make an offline search of a stored hash
    // slow while a check stays a few milliseconds (the tracking page's budget is 50 ms at p99).
    private const int Iterations = 10_000;
    private const string Scheme = "pbkdf2-sha256";

    private static readonly string Decoy = Hash("AAAAAAAA");

    /// <summary>A new code, shown as two groups of four (ABCD-EFGH); either form is accepted.</summary>
    public static string New()
    {
        var code = RandomNumberGenerator.GetString(Alphabet, Length);
        return $"{code[..4]}-{code[4..]}";
    }

    public static string Hash(string code)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(Normal(code)), salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"{Scheme}${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>
    /// Whether <paramref name="code"/> matches <paramref name="stored"/>. With no stored hash (no such application, or one
    /// received before codes existed) a decoy is checked instead, so a wrong number takes as long as a wrong code.
    /// </summary>
    public static bool Matches(string? code, string? stored)
    {
        var known = stored is not null;
        var parts = (stored ?? Decoy).Split('$');
        var iterations = Iterations;
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], out iterations)) (parts, known) = (Decoy.Split('$'), false);
        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var rounds = iterations is > 0 and <= 1_000_000 ? iterations : Iterations;
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(Normal(code ?? "")), salt, rounds, HashAlgorithmName.SHA256,
            expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected) && known;
    }

    /// <summary>Upper case, without the spaces and dashes people type between the groups.</summary>
    public static string Normal(string code) =>
        new([.. code.Where(c => !char.IsWhiteSpace(c) && c != '-').Select(char.ToUpperInvariant)]);
}
