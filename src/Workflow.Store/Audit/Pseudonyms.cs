using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Workflow.Core.Definitions;

namespace Workflow.Store.Audit;

/// <summary>
/// Replaces what identifies a citizen in an event's data by a keyed pseudonym: HMAC-SHA256 with a key the operator
/// keeps (setting <c>Evaluation:PseudonymKey</c>) over the field's kind and its normalised value. The same applicant
/// (the same identity number, name, phone or e-mail) gets the same pseudonym in every case of every export made with
/// that key, so repeat applications stay countable; without the key nobody can test a guessed identity number against
/// a pseudonym, as a plain hash of a short number would allow.
/// </summary>
/// <remarks>
/// What is replaced: the applicant's name, identity number, phone and e-mail; the access code's hash; every free text a
/// person typed (reasons and comments of officers and citizens); and every application data field that is not a
/// choice, a number, a yes-no or a date of the pinned procedure (names of enterprises, owners, parcels and villages can
/// all point at a person). Officers' ids and names stay: they act in office, and evaluators count decisions by officer.
/// </remarks>
public sealed class Pseudonyms
{
    public const string Setting = "Evaluation:PseudonymKey";
    public const string Variable = "Evaluation__PseudonymKey";
    public const string Prefix = "pseudonym:";

    private static readonly string[] ApplicantFields = ["name", "idNumber", "phone", "email"];
    private static readonly string[] FreeText = ["reason", "comment", "accessCode"];
    private static readonly string[] DataEvents = ["application_submitted", "correction_submitted"];

    private readonly byte[] _key;

    public Pseudonyms(string secret)
    {
        if (string.IsNullOrWhiteSpace(secret) || secret.Length < 32)
            throw new InvalidOperationException($"{Setting} must be at least 32 characters long ({Variable}).");
        _key = Encoding.UTF8.GetBytes(secret);
    }

    /// <summary>The pseudonym of one value of one kind (a field name): 128 bits of the keyed hash, in hex.</summary>
    public string Of(string kind, string value)
    {
        var normalised = kind switch
        {
            "idNumber" => string.Concat(value.Where(char.IsLetterOrDigit)).ToUpperInvariant(),
            "phone" => string.Concat(value.Where(char.IsDigit)),
            "email" => value.Trim().ToLowerInvariant(),
            _ => string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)),
        };
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{kind}\n{normalised}"));
        return Prefix + Convert.ToHexStringLower(mac.AsSpan(0, 16));
    }

    /// <summary>
    /// The event's data with every personal value replaced, and the paths replaced (for the reader of the export);
    /// <paramref name="definition"/> is the procedure pinned to the case, or null when unknown (then every data text goes).
    /// </summary>
    public (string Data, IReadOnlyList<string> Replaced) Apply(string type, string data, WorkflowDefinition? definition)
    {
        if (JsonNode.Parse(data) is not JsonObject root) return (data, []);
        var replaced = new List<string>();
        Walk(root, "", replaced);
        if (DataEvents.Contains(type) && root["data"] is JsonObject fields)
            foreach (var (name, value) in fields.ToList())
                if (value is JsonValue v && v.TryGetValue<string>(out var text) && !Kept(definition?.FindField(name)))
                {
                    fields[name] = Of(name, text);
                    replaced.Add($"data.{name}");
                }
        return (root.ToJsonString(EvaluationFile.Lines), replaced);
    }

    private void Walk(JsonObject node, string path, List<string> replaced)
    {
        foreach (var (name, value) in node.ToList())
        {
            var at = path + name;
            if (name == "applicant" && value is JsonObject applicant)
            {
                foreach (var field in ApplicantFields)
                    if (Text(applicant[field]) is { } text)
                    {
                        applicant[field] = Of(field, text);
                        replaced.Add($"{at}.{field}");
                    }
            }
            else if (FreeText.Contains(name) && Text(value) is { } text)
            {
                node[name] = Of(name, text);
                replaced.Add(at);
            }
            else if (value is JsonObject child && name != "data") Walk(child, at + ".", replaced);
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    /// <summary>Values from a fixed list, numbers, yes-no and dates say nothing of who applied; free text may.</summary>
    private static bool Kept(DataField? field) => field?.Type is FieldType.Choice or FieldType.Number or FieldType.YesNo or FieldType.Date;
}
