using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Workflow.Store.Audit;

/// <summary>
/// The raw columns of one stored event that its canonical form is built from, as text, in the canonical order. The
/// chain hashes this form with the data as stored; an evaluation export hashes it again with the data pseudonymised
/// (see <see cref="EvaluationFile"/>), so both forms come from this one recipe.
/// </summary>
public sealed record EventParts(string Id, string Stream, string Type, string Data, string Headers, string User, string Correlation,
    string Causation, string Timestamp, string DotnetType, string Body)
{
    /// <summary>Reads the parts from a row of <see cref="AuditChain.Columns"/> starting at column <paramref name="at"/>.</summary>
    public static EventParts Read(NpgsqlDataReader reader, int at = 0)
    {
        string Text(int i) => reader.IsDBNull(at + i) ? "" : reader.GetString(at + i);
        var timestamp = reader.GetFieldValue<DateTime>(at + 10).ToUniversalTime();
        return new EventParts(reader.GetGuid(at + 3).ToString(), reader.GetGuid(at).ToString(), Text(4), Text(5), Text(6), Text(7),
            Text(8), Text(9), timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture), Text(11),
            reader.IsDBNull(at + 13) ? "" : Convert.ToHexStringLower((byte[])reader[at + 13]));
    }

    public string Canonical() =>
        string.Join('\n', Id, Stream, Type, Data, Headers, User, Correlation, Causation, Timestamp, DotnetType, Body);

    /// <summary>SHA-256 of the canonical form.</summary>
    public byte[] Hash() => SHA256.HashData(Encoding.UTF8.GetBytes(Canonical()));
}
