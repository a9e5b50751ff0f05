using System.Collections.Immutable;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace Workflow.Core.Definitions;

/// <summary>
/// Reading helpers shared by the definition, agency and calendar files: every problem is collected with its file,
/// line and column instead of stopping at the first one.
/// </summary>
public abstract partial class YamlReader(string file, List<DefinitionProblem> problems)
{
    protected string File => file;

    protected List<DefinitionProblem> Problems => problems;

    protected SourceSpan Span(YamlNode node) => new(file, node.Line, node.Column);

    protected void Problem(YamlNode node, string message, string? hint = null) => problems.Add(new(Span(node), message, hint));

    protected YamlMap? Load(string text)
    {
        YamlNode? root;
        try
        {
            root = YamlTree.Read(text);
        }
        catch (YamlException e)
        {
            var message = e.InnerException?.Message ?? e.Message;
            problems.Add(new(new SourceSpan(file, (int)e.Start.Line, (int)e.Start.Column), $"YAML syntax: {Clean(message)}"));
            return null;
        }
        if (root is not YamlMap map)
        {
            problems.Add(new(new SourceSpan(file, 1, 1), "the file must hold one mapping of keys"));
            return null;
        }
        return map;
    }

    private static string Clean(string message) => ColumnSuffix().Replace(message, "").Trim();


    /// <summary>The keys of a mapping by name, reporting unknown and duplicate keys.</summary>
    protected Dictionary<string, KeyValuePair<YamlNode, YamlNode>> Keys(YamlMap map, string[] allowed, string what)
    {
        var keys = new Dictionary<string, KeyValuePair<YamlNode, YamlNode>>();
        foreach (var (keyNode, value) in Entries(map))
        {
            var key = Scalar(keyNode);
            if (key is null) continue;
            if (!allowed.Contains(key))
                Problem(keyNode, $"unknown key '{key}' in {what}", $"allowed keys: {string.Join(", ", allowed)}");
            else keys[key] = new(keyNode, value);
        }
        return keys;
    }

    /// <summary>Entries of a mapping; a key written twice is reported and only its first entry is used.</summary>
    protected IEnumerable<(YamlNode Key, YamlNode Value)> Entries(YamlMap map)
    {
        var seen = new HashSet<string>();
        foreach (var (key, value) in map.Entries)
        {
            var name = Scalar(key);
            if (name is null) { Problem(key, "a key must be a plain name"); continue; }
            if (!seen.Add(name)) { Problem(key, $"'{name}' is written twice", "ids and keys must be unique"); continue; }
            yield return (key, value);
        }
    }

    protected static string? Scalar(YamlNode node) => node is YamlScalar s ? s.Value : null;

    protected string? RequiredScalar(YamlMap owner, Dictionary<string, KeyValuePair<YamlNode, YamlNode>> keys, string key,
        string what = "the definition")
    {
        if (!keys.TryGetValue(key, out var pair)) { Missing(owner, key, what); return null; }
        var value = Scalar(pair.Value);
        if (string.IsNullOrWhiteSpace(value)) { Problem(pair.Value, $"{key} must be a non-empty value"); return null; }
        return value;
    }

    protected int? RequiredInt(YamlMap owner, Dictionary<string, KeyValuePair<YamlNode, YamlNode>> keys, string key, int min)
    {
        if (!keys.TryGetValue(key, out var pair)) { Missing(owner, key); return null; }
        if (int.TryParse(Scalar(pair.Value), out var n) && n >= min) return n;
        Problem(pair.Value, $"{key} must be a whole number of at least {min}");
        return null;
    }

    protected int? Missing(YamlNode owner, string key, string what = "the definition")
    {
        Problem(owner, $"{what} has no '{key}'", $"add {key}: …");
        return null;
    }

    protected T? Invalid<T>(YamlNode node, string message, string? hint = null)
    {
        Problem(node, message, hint);
        return default;
    }

    protected bool Bool(YamlNode node)
    {
        switch (Scalar(node))
        {
            case "true" or "yes": return true;
            case "false" or "no": return false;
            default: Problem(node, "expected true or false"); return false;
        }
    }

    protected ImmutableArray<string> List(YamlNode node)
    {
        switch (node)
        {
            case YamlScalar s when !string.IsNullOrWhiteSpace(s.Value):
                return [s.Value!];
            case YamlList seq:
                var items = ImmutableArray.CreateBuilder<string>();
                foreach (var child in seq.Items)
                    if (Scalar(child) is { Length: > 0 } v) items.Add(v);
                    else Problem(child, "expected a name");
                return items.ToImmutable();
            default:
                Problem(node, "expected a name or a list of names");
                return [];
        }
    }


    [GeneratedRegex(@"\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):")]
    private static partial Regex ColumnSuffix();
}
