using System.Globalization;
using System.Text.Json;
using Workflow.Core.Definitions;

namespace Workflow.Core.Applications;

/// <summary>Checks application data and documents against the fields and documents a procedure declares.</summary>
public static class ApplicationData
{
    /// <param name="correction">A correction may send only the fields it changes; required ones need not be repeated.</param>
    public static IReadOnlyList<FieldError> Check(
        WorkflowDefinition definition,
        IReadOnlyDictionary<string, JsonElement> data,
        IReadOnlyCollection<string> documents,
        bool correction = false,
        IReadOnlyDictionary<string, JsonElement>? earlier = null)
    {
        var errors = new List<FieldError>();
        foreach (var (name, value) in data)
        {
            if (definition.FindField(name) is not { } field)
                errors.Add(new($"data.{name}", $"'{name}' is not a field of {definition.Id}"));
            else if (TypeError(field, value) is { } error)
                errors.Add(new($"data.{name}", error));
        }
        if (!correction)
            foreach (var field in definition.Data.Where(f => f.Required))
                if (!data.TryGetValue(field.Name, out var v) || v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                    errors.Add(new($"data.{field.Name}", $"'{field.Name}' is required"));

        foreach (var doc in documents.Where(d => definition.Documents.All(r => r.Name != d)))
            errors.Add(new($"documents", $"'{doc}' is not a document of {definition.Id}"));
        if (!correction && errors.Count == 0)
        {
            var merged = earlier is null ? data : earlier.Concat(data.Where(kv => !earlier.ContainsKey(kv.Key))).ToDictionary();
            foreach (var required in definition.Documents.Where(r => !documents.Contains(r.Name)))
                if (required.When is null || Condition.Holds(required.When, definition, merged))
                    errors.Add(new("documents",
                        $"'{required.Name}' is required" + (required.When is null ? "" : $" because {required.When}")));
        }
        return errors;
    }

    private static string? TypeError(DataField field, JsonElement value)
    {
        if (value.ValueKind is JsonValueKind.Null)
            return field.Required ? $"'{field.Name}' is required" : null;
        return field.Type switch
        {
            FieldType.Text when value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()) => "must be text",
            FieldType.Number when value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out _) => "must be a number",
            FieldType.YesNo when value.ValueKind is not (JsonValueKind.True or JsonValueKind.False) => "must be true or false",
            FieldType.Choice when value.ValueKind != JsonValueKind.String || !field.Of.Contains(value.GetString()!) =>
                $"must be one of {string.Join(", ", field.Of)}",
            FieldType.Date when value.ValueKind != JsonValueKind.String ||
                                !DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture,
                                    DateTimeStyles.None, out _) =>
                "must be a date written yyyy-mm-dd",
            _ => null,
        };
    }
}
