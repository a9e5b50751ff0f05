using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Workflow.Core.Definitions;

/// <summary>Something of an Elsa flowchart that has no exact counterpart here, named by activity id and type.</summary>
public sealed record ImportNote(string ActivityId, string Type, string Message);

public sealed record ElsaImportResult(string Yaml, IReadOnlyList<ImportNote> Notes);

/// <summary>
/// Converts an Elsa 3 flowchart (JSON export) into a definition file. Tasks become steps; a decision becomes a
/// condition on the steps it leads to; a fork becomes a parallel split and a join the waiting rule of the step after
/// it; an end becomes "approved". Whatever cannot be mapped (timers, scripts, unknown activities) is reported by
/// activity id and type and bridged, so the flow stays connected: nothing is dropped silently.
/// </summary>
public static partial class ElsaImport
{
    private sealed record Activity(string Id, string Type, string? Name, Dictionary<string, string> Inputs, bool CanStart);

    private sealed record Link(string Source, string Port, string Target);

    public static ElsaImportResult Convert(string json, string defaultAgency = "odsc", int defaultDeadlineDays = 5)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var flowchart = root.TryGetProperty("root", out var r) ? r : root;
        var activities = Values(flowchart, "activities").Select(ReadActivity).ToDictionary(a => a.Id);
        var links = Values(flowchart, "connections").Select(ReadLink).Where(l => l is not null).Select(l => l!).ToList();
        var notes = new List<ImportNote>();

        bool IsTask(Activity a) => a.Type.Contains("Task", StringComparison.Ordinal) || a.Inputs.ContainsKey("Agency");
        var steps = activities.Values.Where(IsTask).ToList();
        foreach (var a in activities.Values.Where(a => !IsTask(a) && a.Type is not ("Elsa.FlowDecision" or "Elsa.FlowFork" or "Elsa.FlowJoin" or "Elsa.End" or "Elsa.Start")))
            notes.Add(new(a.Id, a.Type, "no counterpart in a procedure definition; passed through to what follows it"));

        var ids = steps.ToDictionary(s => s.Id, s => StepId(s.Name ?? s.Id));
        var when = new Dictionary<string, string>();
        var after = new Dictionary<string, string>();

        // Follows links from an activity to the steps (or the end) they lead to, collecting decision conditions on the way.
        IEnumerable<(string Target, string? Condition)> Follow(string activityId, string? condition, HashSet<string> seen)
        {
            foreach (var link in links.Where(l => l.Source == activityId))
            {
                if (!activities.TryGetValue(link.Target, out var target) || !seen.Add(link.Target)) continue;
                if (IsTask(target)) { yield return (target.Id, condition); continue; }
                if (target.Type == "Elsa.End") { yield return (WorkflowDefinition.Approved, condition); continue; }
                var nextCondition = condition;
                if (target.Type == "Elsa.FlowDecision")
                {
                    var test = target.Inputs.GetValueOrDefault("Condition") ?? "true";
                    foreach (var (t, c) in Branches(target, test, condition, seen)) yield return (t, c);
                    continue;
                }
                if (target.Type == "Elsa.FlowJoin")
                    foreach (var (t, _) in Follow(target.Id, null, [.. seen]).Where(x => x.Target != WorkflowDefinition.Approved))
                        after[t] = target.Inputs.GetValueOrDefault("Mode") == "WaitAny" ? "any" : "all";
                foreach (var x in Follow(target.Id, nextCondition, seen)) yield return x;
            }
        }

        IEnumerable<(string, string?)> Branches(Activity decision, string test, string? outer, HashSet<string> seen)
        {
            foreach (var link in links.Where(l => l.Source == decision.Id))
            {
                var condition = link.Port == "False" ? $"not ({test})" : test;
                var combined = outer is null ? condition : $"({outer}) and ({condition})";
                if (!activities.TryGetValue(link.Target, out var target)) continue;
                if (IsTask(target)) yield return (target.Id, combined);
                else if (target.Type == "Elsa.End") yield return (WorkflowDefinition.Approved, combined);
                else foreach (var x in Follow(target.Id, combined, seen)) yield return x;
            }
        }

        var start = activities.Values.FirstOrDefault(a => a.CanStart) ?? activities.Values.FirstOrDefault(a => links.All(l => l.Target != a.Id))
            ?? throw new ArgumentException("the flowchart has no activity to start from");
        var first = IsTask(start) ? [(start.Id, (string?)null)] : Follow(start.Id, null, [start.Id]).ToList();

        var approve = new Dictionary<string, List<string>>();
        foreach (var step in steps)
        {
            approve[step.Id] = [];
            foreach (var (target, condition) in Follow(step.Id, null, [step.Id]))
            {
                approve[step.Id].Add(target == WorkflowDefinition.Approved ? target : ids[target]);
                if (condition is not null && target != WorkflowDefinition.Approved) Condition(target, condition);
            }
            if (approve[step.Id].Count == 0) approve[step.Id].Add(WorkflowDefinition.Approved);
        }
        foreach (var (target, condition) in first.Where(f => f.Item2 is not null)) Condition(target, condition!);

        void Condition(string target, string condition)
        {
            var text = Translate(condition);
            if (when.TryGetValue(target, out var existing) && existing != text)
                notes.Add(new(target, activities[target].Type, $"reached under two conditions; kept '{existing}', review '{text}'"));
            else when[target] = text;
        }

        // A decision governs everything reachable only through its branch: a step whose every predecessor carries the same
        // condition carries it too, so the steps after a fork that the decision did not choose are skipped, not opened.
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var step in steps.Where(s => !when.ContainsKey(s.Id)))
            {
                var predecessors = steps.Where(p => approve[p.Id].Contains(ids[step.Id])).ToList();
                var conditions = predecessors.Select(p => when.GetValueOrDefault(p.Id)).Distinct().ToList();
                if (predecessors.Count > 0 && conditions is [{ } only] && !first.Any(f => f.Item1 == step.Id))
                {
                    when[step.Id] = only;
                    changed = true;
                }
            }
        }

        var yaml = new StringBuilder();
        var name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "Imported flowchart";
        var id = StepId(root.TryGetProperty("definitionId", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : name);
        var version = root.TryGetProperty("version", out var v) && v.TryGetInt32(out var number) ? Math.Max(1, number) : 1;
        var fields = when.Values.SelectMany(c => FieldNames().Matches(Literals().Replace(c, "")).Select(m => m.Value))
            .Where(f => f is not ("and" or "or" or "not" or "true" or "false" or "in")).Distinct().Order().ToList();
        int Longest(string stepId, HashSet<string> seen) => !seen.Add(stepId) ? 0
            : defaultDeadlineDays + approve[stepId].Where(t => t != WorkflowDefinition.Approved).Select(t => Longest(steps.First(s => ids[s.Id] == t).Id, [.. seen])).DefaultIfEmpty(0).Max();
        var legal = first.Select(f => f.Item1).Where(f => f != WorkflowDefinition.Approved).Select(f => Longest(f, [])).DefaultIfEmpty(defaultDeadlineDays).Max();

        yaml.AppendLine("# yaml-language-server: $schema=./workflow.schema.json");
        yaml.AppendLine($"# Imported from the Elsa flowchart '{name}'. Review agencies, deadlines and conditions before publishing.");
        yaml.AppendLine($"id: {id}");
        yaml.AppendLine($"version: {version}");
        yaml.AppendLine($"title: {Scalar(name)}");
        yaml.AppendLine($"deadline: {legal} working days");
        if (fields.Count > 0)
        {
            yaml.AppendLine("data:");
            foreach (var f in fields)
                yaml.AppendLine($"  {f}: {{ type: {(when.Values.Any(c => Regex.IsMatch(c, $@"\b{f}\s*[<>]=?\s*-?\d")) ? "number" : "text")}, required: false }}");
            notes.Add(new("", "data", $"data fields {string.Join(", ", fields)} come from decision conditions; set their types"));
        }
        yaml.AppendLine("steps:");
        yaml.AppendLine("  intake:");
        yaml.AppendLine($"    agency: {defaultAgency}");
        yaml.AppendLine("    title: Completeness check");
        yaml.AppendLine("    deadline: 1 working day");
        yaml.AppendLine($"    approve: [{string.Join(", ", first.Select(f => f.Item1 == WorkflowDefinition.Approved ? f.Item1 : ids[f.Item1]).Distinct())}]");
        yaml.AppendLine("    reject: rejected");
        yaml.AppendLine("    return: citizen");
        foreach (var step in steps)
        {
            var agency = step.Inputs.GetValueOrDefault("Agency");
            if (agency is null) notes.Add(new(step.Id, step.Type, $"no agency given; assigned {defaultAgency}"));
            var days = int.TryParse(step.Inputs.GetValueOrDefault("DeadlineDays"), out var given) && given > 0 ? given : defaultDeadlineDays;
            yaml.AppendLine($"  {ids[step.Id]}:");
            yaml.AppendLine($"    agency: {agency ?? defaultAgency}");
            yaml.AppendLine($"    title: {Scalar(step.Inputs.GetValueOrDefault("TaskName") ?? step.Name ?? step.Id)}");
            yaml.AppendLine($"    deadline: {days} working days");
            if (when.TryGetValue(step.Id, out var condition)) yaml.AppendLine($"    when: {Scalar(condition)}");
            if (after.TryGetValue(ids[step.Id], out var join) || after.TryGetValue(step.Id, out join)) yaml.AppendLine($"    after: {join}");
            yaml.AppendLine($"    approve: [{string.Join(", ", approve[step.Id].Distinct())}]");
            yaml.AppendLine("    reject: rejected");
        }
        return new ElsaImportResult(yaml.ToString(), notes);
    }

    private static IEnumerable<JsonElement> Values(JsonElement owner, string name)
    {
        if (!owner.TryGetProperty(name, out var value)) return [];
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("$values", out var wrapped)) value = wrapped;
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : [];
    }

    private static Activity ReadActivity(JsonElement a)
    {
        var inputs = new Dictionary<string, string>();
        foreach (var property in a.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("expression", out var expression)
                && expression.TryGetProperty("value", out var value))
                inputs[Pascal(property.Name)] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
            else if (property.Name is "mode" or "Mode" && property.Value.ValueKind == JsonValueKind.String)
                inputs["Mode"] = property.Value.GetString()!;
        }
        if (a.TryGetProperty("customProperties", out var custom) && custom.ValueKind == JsonValueKind.Object)
            foreach (var property in custom.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
                inputs.TryAdd(Pascal(property.Name), property.Value.GetString()!);
        var canStart = (a.TryGetProperty("canStartWorkflow", out var s) && s.ValueKind == JsonValueKind.True)
                       || (a.TryGetProperty("customProperties", out var cp) && cp.ValueKind == JsonValueKind.Object
                           && cp.TryGetProperty("canStartWorkflow", out var cs) && cs.ValueKind == JsonValueKind.True);
        return new Activity(a.GetProperty("id").GetString()!, a.GetProperty("type").GetString()!,
            a.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null, inputs, canStart);
    }

    /// <summary>Elsa writes inputs in camel case in newer exports and Pascal case in older ones.</summary>
    private static string Pascal(string name) => char.ToUpperInvariant(name[0]) + name[1..];

    /// <summary>Reads both connection shapes: {source: {activity, port}, target: {activity}} and {source, target, sourcePort}.</summary>
    private static Link? ReadLink(JsonElement c)
    {
        static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (!c.TryGetProperty("source", out var source) || !c.TryGetProperty("target", out var target)) return null;
        return source.ValueKind == JsonValueKind.Object
            ? new Link(Text(source, "activity")!, Text(source, "port") ?? "Done", Text(target, "activity")!)
            : new Link(source.GetString()!, Text(c, "sourcePort") ?? "Done", target.GetString()!);
    }

    /// <summary>JavaScript comparisons as designers write them here: === and == become ==, && and || become and, or.</summary>
    private static string Translate(string condition) =>
        condition.Replace("===", "==").Replace("!==", "!=").Replace("&&", " and ").Replace("||", " or ").Replace("!(", "not (").Replace("  ", " ").Trim();

    private static string StepId(string name)
    {
        var id = NotIdentifier().Replace(name.ToLowerInvariant(), "-").Trim('-');
        return id.Length == 0 || !char.IsLetter(id[0]) ? "step-" + id : id;
    }

    private static string Scalar(string text) => $"\"{text.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotIdentifier();

    [GeneratedRegex("\\b[a-z_][a-z0-9_]*\\b")]
    private static partial Regex FieldNames();

    [GeneratedRegex("'[^']*'|\"[^\"]*\"")]
    private static partial Regex Literals();
}
