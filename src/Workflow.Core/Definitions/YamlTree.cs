using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Workflow.Core.Definitions;

/// <summary>
/// A YAML document as plain nodes with their positions. Built from the parser's events rather than YamlDotNet's
/// representation model, which stops at the first duplicate key: a designer should see every problem at once.
/// </summary>
public abstract record YamlNode(int Line, int Column);

public sealed record YamlScalar(string Value, int Line, int Column) : YamlNode(Line, Column);

public sealed record YamlList(IReadOnlyList<YamlNode> Items, int Line, int Column) : YamlNode(Line, Column);

public sealed record YamlMap(IReadOnlyList<(YamlNode Key, YamlNode Value)> Entries, int Line, int Column) : YamlNode(Line, Column);

public static class YamlTree
{
    /// <summary>
    /// Reads the first document of a text; syntax errors surface as <see cref="YamlException"/> with a position. The
    /// tree is built recursively, so a text longer or deeper than the <see cref="InputLimits"/> is refused first: a
    /// few kilobytes of nested brackets would otherwise exhaust the stack and end the process.
    /// </summary>
    public static YamlNode? Read(string text, InputLimits? limits = null)
    {
        limits ??= InputLimits.Default;
        if (limits.DefinitionTooLarge(text) is { } tooLarge) throw new YamlException(new Mark(0, 1, 1), new Mark(0, 1, 1), tooLarge);
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        if (parser.Accept<StreamEnd>(out _)) return null;
        parser.Consume<DocumentStart>();
        var root = Node(parser, 0, limits.MaxDepth);
        parser.Consume<DocumentEnd>();
        return root;
    }

    private static YamlNode Node(IParser parser, int depth, int maxDepth)
    {
        var start = parser.Current!.Start;
        int line = (int)start.Line, column = (int)start.Column;
        if (depth > maxDepth && parser.Current is SequenceStart or MappingStart)
            throw new YamlException(start, parser.Current.End, $"lists and mappings are nested more than {maxDepth} levels deep");
        switch (parser.Current)
        {
            case Scalar scalar:
                // Written as an escape ("\0", "\x00") or raw: no store can keep it, and no name or text of a definition needs it.
                if (scalar.Value.Contains('\0'))
                    throw new YamlException(start, scalar.End, "a value holds the NUL character (\\0), which cannot be stored; remove it");
                parser.MoveNext();
                return new YamlScalar(scalar.Value, line, column);
            case SequenceStart:
                parser.MoveNext();
                var items = new List<YamlNode>();
                while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(Node(parser, depth + 1, maxDepth));
                return new YamlList(items, line, column);
            case MappingStart:
                parser.MoveNext();
                var entries = new List<(YamlNode, YamlNode)>();
                while (!parser.TryConsume<MappingEnd>(out _))
                    entries.Add((Node(parser, depth + 1, maxDepth), Node(parser, depth + 1, maxDepth)));
                return new YamlMap(entries, line, column);
            case AnchorAlias alias:
                throw new YamlException(start, parser.Current.End,
                    $"aliases (*{alias.Value}) are not supported in definitions; write the value out");
            default:
                throw new YamlException(start, parser.Current.End, $"unexpected {parser.Current.GetType().Name}");
        }
    }
}
