using System.Security.Cryptography;
using System.Text;

namespace Workflow.Core;

/// <summary>
/// The same id for the same name, always: the first 16 bytes of the name's SHA-256, marked as a name-based UUID
/// (version 5 bits, RFC 4122 variant). Ids made this way are stored (access-log streams, applications submitted with an
/// idempotency key): the recipe never changes.
/// </summary>
public static class NameBasedIds
{
    public static Guid From(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
