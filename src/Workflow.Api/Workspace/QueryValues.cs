namespace Workflow.Api.Workspace;

/// <summary>
/// Numbers and switches read from a page's address. Pages take them as text and read them here, because the framework's
/// own conversion throws on a value that does not parse (a hand-edited or truncated link): such a value counts as absent.
/// </summary>
public static class QueryValues
{
    public static int? Number(string? text) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    public static bool Switch(string? text) => bool.TryParse(text, out var on) && on;
}
