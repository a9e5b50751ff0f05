using System.Text.Json;

namespace Workflow.Core;

/// <summary>
/// How much the system reads from outside before refusing: the same limits for definition files (YAML and Elsa JSON,
/// whether read from the folder, by <c>workflow validate</c> or <c>import-elsa</c>, or published through the API) and
/// for request bodies. Deep nesting is refused before any recursive reader sees it, so no input can exhaust the stack;
/// sizes are bounded so that no single request, case or definition can exhaust memory.
/// </summary>
public sealed record InputLimits
{
    public static readonly InputLimits Default = new();

    /// <summary>Nesting of YAML collections, JSON objects and arrays, and parentheses in conditions.</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Characters of one definition file (YAML or Elsa JSON).</summary>
    public int MaxDefinitionLength { get; init; } = 262_144;

    /// <summary>Bytes of one request body.</summary>
    public long MaxRequestBytes { get; init; } = 1_048_576;

    /// <summary>Names, ids, codes, document names and data field names.</summary>
    public int MaxNameLength { get; init; } = 200;

    /// <summary>Free text: reasons, comments and text values of application data.</summary>
    public int MaxTextLength { get; init; } = 4_000;

    /// <summary>Entries of one list or map in a request: documents, data fields, a migration's mapping.</summary>
    public int MaxItems { get; init; } = 200;

    /// <summary>Options for reading JSON documents (an Elsa export) within these limits.</summary>
    public JsonDocumentOptions JsonDocument => new() { MaxDepth = MaxDepth };

    /// <summary>Null when the text may be read as a definition file, otherwise why not.</summary>
    public string? DefinitionTooLarge(string text) => text.Length > MaxDefinitionLength
        ? $"the file has {text.Length:N0} characters; a definition holds at most {MaxDefinitionLength:N0}"
        : null;

    /// <summary>Null when text may be stored: PostgreSQL text and jsonb cannot hold the NUL character.</summary>
    public static string? Unstorable(string? text) =>
        text is not null && text.Contains('\0') ? "must not contain the NUL character (\\u0000)" : null;

    /// <summary>The deepest nesting of parentheses in an expression.</summary>
    public static int ParenthesisDepth(string text)
    {
        int depth = 0, deepest = 0;
        foreach (var c in text)
            if (c == '(') deepest = Math.Max(deepest, ++depth);
            else if (c == ')') depth--;
        return deepest;
    }
}
