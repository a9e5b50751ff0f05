using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using NCalc;

namespace Workflow.Core.Definitions;

/// <summary>
/// A condition on application data, written the way designers write it (<c>floor_area > 400 and height &lt; 10</c>,
/// <c>goods in ('medicine', 'food')</c>, <c>not has_employees</c>). NCalc evaluates it in a sandbox: only operators and
/// its built-in functions, never host code.
/// </summary>
public static class Condition
{
    /// <summary>A parse error, or null when the text is a valid expression.</summary>
    public static string? ParseError(string text)
    {
        // The expression parser recurses per parenthesis: deep nesting is refused before it runs.
        var limits = InputLimits.Default;
        if (text.Length > limits.MaxTextLength) return $"a condition has at most {limits.MaxTextLength} characters";
        if (InputLimits.ParenthesisDepth(text) > limits.MaxDepth) return $"parentheses are nested more than {limits.MaxDepth} levels deep";
        try
        {
            var expression = new Expression(text);
            return expression.HasErrors() ? expression.Error?.Message ?? "cannot be read" : null;
        }
        catch (Exception e)
        {
            return e.Message;
        }
    }

    public static IReadOnlyList<string> FieldsUsed(string text) => new Expression(text).GetParameterNames();

    /// <summary>
    /// Evaluates against the application's data. A field the application left empty is false for yes-no fields and
    /// makes any comparison on it false, so an unanswered optional question never opens a step.
    /// </summary>
    public static bool Holds(string text, WorkflowDefinition definition, IReadOnlyDictionary<string, JsonElement> data)
    {
        var parsed = Parse(text);
        var expression = new Expression(parsed.Tree, ExpressionOptions.NoCache);
        foreach (var name in parsed.Names)
        {
            var field = definition.FindField(name);
            data.TryGetValue(name, out var value);
            expression.Parameters[name] = ValueOf(field?.Type ?? FieldType.Text, value);
        }
        try
        {
            return expression.Evaluate() is true;
        }
        // Arithmetic on what a citizen typed can overflow or divide by zero: like any failed evaluation, it does not hold.
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or NullReferenceException or
                                      InvalidCastException or ArithmeticException)
        {
            return false;
        }
    }

    /// <summary>A condition's text read once: its tree and the fields it names.</summary>
    private sealed record Parsed(LogicalExpression Tree, IReadOnlyList<string> Names);

    /// <summary>
    /// Conditions already read, by text: every case of a procedure evaluates the same few, so each is parsed once. Bounded,
    /// since drafts bring texts of their own; when full it starts again. A tree is only read while evaluating, so one tree
    /// serves every thread, each with an expression and parameters of its own.
    /// </summary>
    private static readonly ConcurrentDictionary<string, Parsed> ParsedTexts = new(StringComparer.Ordinal);

    private const int MaxParsedTexts = 4_096;

    private static Parsed Parse(string text)
    {
        if (ParsedTexts.TryGetValue(text, out var known)) return known;
        var expression = new Expression(text, ExpressionOptions.NoCache);
        var names = expression.GetParameterNames();
        var parsed = new Parsed(expression.LogicalExpression!, [.. names]);
        if (ParsedTexts.Count >= MaxParsedTexts) ParsedTexts.Clear();
        ParsedTexts[text] = parsed;
        return parsed;
    }

    private static object? ValueOf(FieldType type, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => type == FieldType.YesNo ? false : null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => value.GetDecimal(),
        JsonValueKind.String when type == FieldType.Number && decimal.TryParse(value.GetString(), NumberStyles.Number,
            CultureInfo.InvariantCulture, out var n) => n,
        JsonValueKind.String => value.GetString(),
        _ => value.GetRawText(),
    };
}
