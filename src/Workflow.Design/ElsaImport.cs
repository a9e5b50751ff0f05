using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Workflow.Core.Definitions;

namespace Workflow.Design;

/// <summary>Something of an Elsa flowchart that has no exact counterpart here, named by activity id and type.</summary>
public sealed record ImportNote(string ActivityId, string Type, string Message);

public sealed record ElsaImportResult(string Yaml, IReadOnlyList<ImportNote> Notes);

/// <summary>An Elsa file that cannot be read at all: not JSON, too large, too deeply nested, or without a flowchart.</summary>
public sealed class ElsaImportException(string message) : Exception(message);

/// <summary>
/// Converts an Elsa 3 flowchart (JSON export) into a definition file. Tasks become steps; a decision becomes a
/// condition on the steps it leads to; a fork becomes a parallel split and a join the waiting rule of the step after
/// it; an end becomes "approved"; a fault is left to each step's own reject. Flowcharts nested in a flow node or in a (parallel) for-each
/// body are read in place of their container. Whatever cannot be mapped (timers, scripts, loops, JavaScript conditions,
/// unknown activities) is reported by activity id and type and bridged, so the flow stays connected: nothing is
/// dropped silently.
/// </summary>
public static partial class ElsaImport
{
    /// <summary>The largest file read: real Elsa exports of a procedure are tens of kilobytes.</summary>
    public const int MaxLength = 1_000_000;

    /// <summary>JSON nesting allowed: an Elsa activity input sits about ten levels deep, each nested flowchart adds four.</summary>
    public const int MaxDepth = 64;

    /// <summary>Activity types that are steps of a procedure when no other types are named.</summary>
    public static readonly IReadOnlyList<string> DefaultStepTypes = ["Elsa.RunTask"];

    private static readonly string[] Containers =
        ["Elsa.FlowNode", "Elsa.ParallelForEach", "Elsa.ForEach", "Elsa.While", "Elsa.Flowchart", "Elsa.Sequence"];

    private static readonly string[] Control =
        ["Elsa.FlowDecision", "Elsa.FlowFork", "Elsa.FlowJoin", "Elsa.End", "Elsa.Start", "Elsa.Fault"];

    private sealed record Activity(string Id, string Type, string? Name, Dictionary<string, string> Inputs,
        Dictionary<string, string> Languages, bool CanStart);

    private sealed record Link(string Source, string Port, string Target);

    private sealed record Graph(List<Activity> Activities, List<Link> Links, string? Start);

    public static ElsaImportResult Convert(string json, string defaultAgency = "odsc", int defaultDeadlineDays = 5,
        IReadOnlyCollection<string>? stepTypes = null)
    {
        if (json.Length > MaxLength)
            throw new ElsaImportException($"the file has {json.Length:N0} characters; an Elsa flowchart of up to {MaxLength:N0} is read");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ElsaImportException(
                $"not readable as an Elsa JSON export (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): " +
                                          (e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
                                              ? $"nested more than {MaxDepth} levels deep" : "the text is not valid JSON there"));
        }
        using var owned = document;
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new ElsaImportException("an Elsa export is a JSON object with a 'root' flowchart");
        var flowchart = root.TryGetProperty("root", out var r) && r.ValueKind == JsonValueKind.Object ? r : root;
        if (!flowchart.TryGetProperty("activities", out _))
            throw new ElsaImportException("no flowchart found: neither 'root.activities' nor 'activities' is there");
        var notes = new List<ImportNote>();
        var graph = ReadFlowchart(flowchart, notes);
        var activities = graph.Activities.GroupBy(a => a.Id).ToDictionary(g => g.Key, g => g.First());
        var links = graph.Links.Where(l => activities.ContainsKey(l.Source) && activities.ContainsKey(l.Target)).Distinct().ToList();
        var types = (stepTypes ?? DefaultStepTypes).ToHashSet();

        bool IsTask(Activity a) => types.Contains(a.Type) || a.Inputs.ContainsKey("Agency");
        var steps = activities.Values.Where(IsTask).ToList();
        foreach (var a in activities.Values.Where(a => !IsTask(a) && !Control.Contains(a.Type)))
            notes.Add(new(a.Id, a.Type, "no counterpart in a procedure definition; passed through to what follows it"));
        foreach (var a in activities.Values.Where(a => a.Type == "Elsa.Fault"))
            notes.Add(new(a.Id, a.Type, "ends the workflow in a fault; each step's own reject stands for it, so the branch was dropped"));

        // A procedure flows forward (a correction goes to the citizen with return), so a link back to an activity already
        // on the path is a loop that cannot be kept: it is cut and reported.
        // Where the flow starts: the flowchart's declared start, else the activities that may start it, else those nothing leads to.
        var startIds = activities.Values.Where(a => a.CanStart).Select(a => a.Id).ToList();
        if (graph.Start is { } declared && activities.ContainsKey(declared)) startIds = [declared];
        if (startIds.Count == 0) startIds = [.. activities.Values.Where(a => links.All(l => l.Target != a.Id)).Select(a => a.Id)];
        var onPath = new HashSet<string>();
        var done = new HashSet<string>();
        void CutLoops(string id)
        {
            if (done.Contains(id)) return;
            onPath.Add(id);
            foreach (var link in links.Where(l => l.Source == id).ToList())
            {
                if (onPath.Contains(link.Target))
                {
                    links.Remove(link);
                    notes.Add(new(link.Source, activities[link.Source].Type,
                        $"loops back to activity {link.Target}; a procedure cannot loop, so the link was cut " +
                        "(returns for correction go to the citizen)"));
                }
                else CutLoops(link.Target);
            }
            onPath.Remove(id);
            done.Add(id);
        }
        foreach (var from in startIds.Concat(activities.Keys)) CutLoops(from);

        // Step ids from activity names, unique, and never one of the words a definition reserves.
        var taken = new HashSet<string> { "intake", WorkflowDefinition.Approved, WorkflowDefinition.Rejected, WorkflowDefinition.Citizen };
        var ids = new Dictionary<string, string>();
        foreach (var step in steps)
        {
            var stepId = StepId(step.Name ?? step.Id);
            for (var suffix = 2; !taken.Add(stepId); suffix++) stepId = $"{StepId(step.Name ?? step.Id)}-{suffix}";
            ids[step.Id] = stepId;
        }
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
                if (target.Type == "Elsa.Fault") continue;
                var nextCondition = condition;
                if (target.Type == "Elsa.FlowDecision")
                {
                    foreach (var (t, c) in Branches(target, Test(target), condition, seen)) yield return (t, c);
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
                // A constant condition always takes the same branch: the other one is never taken.
                if (test is "true" or "false" && (link.Port == "True") != (test == "true")) continue;
                var condition = test is "true" or "false" ? null : link.Port == "False" ? $"not ({test})" : test;
                var combined = outer is null ? condition : condition is null ? outer : $"({outer}) and ({condition})";
                if (!activities.TryGetValue(link.Target, out var target)) continue;
                if (IsTask(target)) yield return (target.Id, combined);
                else if (target.Type == "Elsa.End") yield return (WorkflowDefinition.Approved, combined);
                else if (target.Type == "Elsa.Fault") continue;
                else foreach (var x in Follow(target.Id, combined, seen)) yield return x;
            }
        }

        // A decision's condition is kept when it reads as a condition on application data; Elsa JavaScript or C# that does
        // not (a script, a function call) becomes a yes-no field of its own that the designer rewrites, never a made-up field.
        var placeholders = new Dictionary<string, (string Field, string Text)>();
        string Test(Activity decision)
        {
            var text = decision.Inputs.GetValueOrDefault("Condition")?.Trim() ?? "true";
            if (text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("false", StringComparison.OrdinalIgnoreCase))
                return text.ToLowerInvariant();
            var translated = Translate(text);
            if (Readable(translated)) return translated;
            if (!placeholders.TryGetValue(decision.Id, out var placeholder))
            {
                placeholder = ($"decision_{placeholders.Count + 1}", text);
                placeholders[decision.Id] = placeholder;
                var language = decision.Languages.GetValueOrDefault("Condition", "expression");
                notes.Add(new(decision.Id, decision.Type, $"the condition '{text}' ({language}) is not a condition on application data; " +
                                                          $"the yes-no field {placeholder.Field} stands for it: rewrite it"));
            }
            return placeholder.Field;
        }

        IEnumerable<(string, string?)> From(Activity start) =>
            IsTask(start) ? [(start.Id, null)]
            : start.Type == "Elsa.FlowDecision" ? Branches(start, Test(start), null, [start.Id])
            : start.Type is "Elsa.End" ? [(WorkflowDefinition.Approved, null)]
            : Follow(start.Id, null, [start.Id]);
        var first = startIds.SelectMany(id => From(activities[id])).Distinct().ToList();
        if (first.Count == 0)
            notes.Add(new("", "flowchart",
                $"no activity of type {string.Join(", ", types)} (nor one with an agency input) is reached from the start: " +
                "the procedure has only its completeness check; name the step types to import with --step-type"));

        var approve = new Dictionary<string, List<string>>();
        foreach (var step in steps)
        {
            approve[step.Id] = [];
            foreach (var (target, condition) in Follow(step.Id, null, [step.Id]))
            {
                approve[step.Id].Add(WorkflowDefinition.IsEnd(target) ? target : ids[target]);
                if (condition is not null && !WorkflowDefinition.IsEnd(target)) Condition(target, condition);
            }
            if (approve[step.Id].Count == 0) approve[step.Id].Add(WorkflowDefinition.Approved);
        }
        foreach (var (target, condition) in first.Where(f => f.Item2 is not null && !WorkflowDefinition.IsEnd(f.Item1)))
            Condition(target, condition!);

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

        // A step that nothing leads to (behind a branch that is never taken, or before the start) cannot be kept.
        var reached = new HashSet<string>();
        var queue = new Queue<string>(first.Select(f => f.Item1).Where(t => !WorkflowDefinition.IsEnd(t)));
        while (queue.TryDequeue(out var next))
            if (reached.Add(next))
                foreach (var target in approve[next].Where(t => !WorkflowDefinition.IsEnd(t)))
                    queue.Enqueue(steps.First(x => ids[x.Id] == target).Id);
        foreach (var unreached in steps.Where(x => !reached.Contains(x.Id)))
            notes.Add(new(unreached.Id, unreached.Type, "no path from the start reaches it; left out"));
        steps = [.. steps.Where(x => reached.Contains(x.Id))];

        var yaml = new StringBuilder();
        var name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "Imported flowchart";
        // Elsa often gives a definition a random hex id; then the name says more.
        var definitionId = root.TryGetProperty("definitionId", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : null;
        var id = StepId(definitionId is not null && !RandomId().IsMatch(definitionId) ? definitionId : name);
        var version = root.TryGetProperty("version", out var v) && v.TryGetInt32(out var number) ? Math.Max(1, number) : 1;
        var flags = placeholders.Values.ToDictionary(p => p.Field, p => p.Text);
        var fields = when.Values.SelectMany(c => Workflow.Core.Definitions.Condition.FieldsUsed(c)).Distinct()
            .Order(StringComparer.Ordinal).ToList();

        yaml.AppendLine("# yaml-language-server: $schema=./workflow.schema.json");
        yaml.AppendLine($"# Imported from the Elsa flowchart '{name}'. Review agencies, deadlines and conditions before publishing.");
        yaml.AppendLine($"id: {id}");
        yaml.AppendLine($"version: {version}");
        yaml.AppendLine($"title: {Scalar(name)}");
        var deadlineAt = yaml.Length;
        if (fields.Count > 0)
        {
            yaml.AppendLine("data:");
            foreach (var f in fields)
            {
                var type = flags.ContainsKey(f) ? "yes-no"
                    : when.Values.Any(c => Regex.IsMatch(c, $@"\b{f}\s*[<>]=?\s*-?\d")) ? "number" : "text";
                var title = flags.TryGetValue(f, out var original)
                    ? $", title: {Scalar($"Stands for the Elsa condition: {original}")}" : "";
                yaml.AppendLine($"  {f}: {{ type: {type}, required: false{title} }}");
            }
            notes.Add(new("", "data", $"data fields {string.Join(", ", fields)} come from decision conditions; set their types"));
        }
        yaml.AppendLine("steps:");
        yaml.AppendLine("  intake:");
        yaml.AppendLine($"    agency: {defaultAgency}");
        yaml.AppendLine("    title: Completeness check");
        yaml.AppendLine("    deadline: 1 working day");
        var intake = first.Select(f => WorkflowDefinition.IsEnd(f.Item1) ? f.Item1 : ids[f.Item1]).Distinct().ToList();
        yaml.AppendLine($"    approve: [{string.Join(", ", intake.Count == 0 ? [WorkflowDefinition.Approved] : intake)}]");
        yaml.AppendLine("    reject: rejected");
        yaml.AppendLine("    return: citizen");
        foreach (var step in steps)
        {
            var agency = step.Inputs.GetValueOrDefault("Agency");
            if (agency is null) notes.Add(new(step.Id, step.Type, $"no agency given; assigned {defaultAgency}"));
            var days = int.TryParse(step.Inputs.GetValueOrDefault("DeadlineDays"), out var given) && given > 0
                ? given : defaultDeadlineDays;
            yaml.AppendLine($"  {ids[step.Id]}:");
            yaml.AppendLine($"    agency: {agency ?? defaultAgency}");
            var title = step.Inputs.GetValueOrDefault("TaskName") ?? step.Inputs.GetValueOrDefault("Text") ?? step.Name ?? step.Id;
            yaml.AppendLine($"    title: {Scalar(title)}");
            yaml.AppendLine($"    deadline: {days} working days");
            if (when.TryGetValue(step.Id, out var condition)) yaml.AppendLine($"    when: {Scalar(condition)}");
            if (after.TryGetValue(ids[step.Id], out var join) || after.TryGetValue(step.Id, out join))
                yaml.AppendLine($"    after: {join}");
            yaml.AppendLine($"    approve: [{string.Join(", ", approve[step.Id].Distinct())}]");
            yaml.AppendLine("    reject: rejected");
        }
        var text = yaml.ToString();
        var legal = LegalDeadline(text.Insert(deadlineAt, $"deadline: 1 working day{Environment.NewLine}"), defaultDeadlineDays);
        return new ElsaImportResult(text.Insert(deadlineAt, $"deadline: {legal} working days{Environment.NewLine}"), notes);
    }

    /// <summary>
    /// Elsa knows no legal deadline, so the import gives the one its steps need: the longest path of their own deadlines
    /// after the completeness check, by the language's rule, for the designer to replace with the law's.
    /// </summary>
    private static int LegalDeadline(string yaml, int fallback) =>
        DefinitionParser.ParseDefinition("imported.yaml", yaml, []) is { } parsed && Paths.Longest(parsed).WorkingDays is > 0 and var days
            ? days
            : fallback;

    private static IEnumerable<JsonElement> Values(JsonElement owner, string name)
    {
        if (!owner.TryGetProperty(name, out var value)) return [];
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("$values", out var wrapped)) value = wrapped;
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : [];
    }

    /// <summary>
    /// Reads a flowchart's activities and connections. A container (a flow node, a for-each or parallel for-each, a
    /// nested flowchart) is replaced by what its body holds: links into it lead to the body's first activities and links
    /// out of it leave from the body's last ones, and a note says what Elsa would do differently (once per item).
    /// </summary>
    private static Graph ReadFlowchart(JsonElement flowchart, List<ImportNote> notes)
    {
        var activities = new List<Activity>();
        var links = Values(flowchart, "connections").Select(ReadLink).OfType<Link>().ToList();
        foreach (var element in Values(flowchart, "activities"))
        {
            if (ReadActivity(element) is not { } activity)
            {
                notes.Add(new("", "activity", "an activity without an id or a type was skipped"));
                continue;
            }
            var body = Containers.Contains(activity.Type) ? Body(element) : null;
            if (body is null)
            {
                activities.Add(activity);
                continue;
            }
            var inner = body.Value.TryGetProperty("activities", out _)
                ? ReadFlowchart(body.Value, notes)
                : ReadActivity(body.Value) is { } single ? new Graph([single], [], null) : new Graph([], [], null);
            notes.Add(new(activity.Id, activity.Type, activity.Type is "Elsa.ParallelForEach" or "Elsa.ForEach" or "Elsa.While"
                ? $"its body ({inner.Activities.Count} activities) runs once per item in Elsa; imported as one pass in its place"
                : $"its nested flowchart ({inner.Activities.Count} activities) is imported in its place"));
            var starts = inner.Start is { } s ? [s]
                : inner.Activities.Where(a => inner.Links.All(l => l.Target != a.Id)).Select(a => a.Id).ToList();
            activities.AddRange(inner.Activities.Select(a => activity.CanStart && starts.Contains(a.Id) ? a with { CanStart = true } : a));
            links.AddRange(inner.Links);
            var ends = inner.Activities.Where(a => inner.Links.All(l => l.Source != a.Id)).Select(a => a.Id).ToList();
            var into = links.Where(l => l.Target == activity.Id).ToList();
            var outOf = links.Where(l => l.Source == activity.Id).ToList();
            links.RemoveAll(l => l.Target == activity.Id || l.Source == activity.Id);
            if (starts.Count == 0)
            {
                links.AddRange(into.SelectMany(i => outOf.Select(o => new Link(i.Source, i.Port, o.Target))));
                continue;
            }
            links.AddRange(into.SelectMany(i => starts.Select(t => new Link(i.Source, i.Port, t))));
            links.AddRange(outOf.SelectMany(o => ends.Select(e => new Link(e, "Done", o.Target))));
        }
        var start = flowchart.TryGetProperty("start", out var st) && st.ValueKind == JsonValueKind.String ? st.GetString() : null;
        return new Graph(activities, links, start);
    }

    private static JsonElement? Body(JsonElement container)
    {
        if (container.TryGetProperty("activities", out _)) return container;
        foreach (var name in new[] { "body", "Body", "root" })
            if (container.TryGetProperty(name, out var body) && body.ValueKind == JsonValueKind.Object) return body;
        return null;
    }

    private static Activity? ReadActivity(JsonElement a)
    {
        if (a.ValueKind != JsonValueKind.Object
            || !a.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String
            || !a.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            return null;
        var inputs = new Dictionary<string, string>();
        var languages = new Dictionary<string, string>();
        foreach (var property in a.EnumerateObject().Where(p => p.Name.Length > 0))
        {
            if (property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("expression", out var expression)
                && expression.ValueKind == JsonValueKind.Object && expression.TryGetProperty("value", out var value))
            {
                inputs[Pascal(property.Name)] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
                if (expression.TryGetProperty("type", out var language) && language.ValueKind == JsonValueKind.String)
                    languages[Pascal(property.Name)] = language.GetString()!;
            }
            else if (property.Name is "mode" or "Mode" && property.Value.ValueKind == JsonValueKind.String)
                inputs["Mode"] = property.Value.GetString()!;
        }
        if (a.TryGetProperty("customProperties", out var custom) && custom.ValueKind == JsonValueKind.Object)
            foreach (var property in custom.EnumerateObject().Where(p => p.Name.Length > 0 && p.Value.ValueKind == JsonValueKind.String))
                inputs.TryAdd(Pascal(property.Name), property.Value.GetString()!);
        var canStart = (a.TryGetProperty("canStartWorkflow", out var s) && s.ValueKind == JsonValueKind.True)
                       || (a.TryGetProperty("customProperties", out var cp) && cp.ValueKind == JsonValueKind.Object
                           && cp.TryGetProperty("canStartWorkflow", out var cs) && cs.ValueKind == JsonValueKind.True);
        return new Activity(idElement.GetString()!, typeElement.GetString()!,
            a.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null, inputs, languages, canStart);
    }

    /// <summary>Whether a translated decision condition reads as a condition on application data: no statements, no
    /// function calls, only field names that a definition allows.</summary>
    private static bool Readable(string condition)
    {
        var code = Literals().Replace(condition, "''");
        if (code.Contains(';') || code.Contains("=>") || Regex.IsMatch(code, @"\breturn\b") || FunctionCall().IsMatch(code)) return false;
        if (Condition.ParseError(condition) is not null) return false;
        try
        {
            return Condition.FieldsUsed(condition).All(f => FieldName().IsMatch(f));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    /// <summary>Elsa writes inputs in camel case in newer exports and Pascal case in older ones.</summary>
    private static string Pascal(string name) => char.ToUpperInvariant(name[0]) + name[1..];

    /// <summary>Reads both connection shapes: {source: {activity, port}, target: {activity}} and {source, target, sourcePort}.</summary>
    private static Link? ReadLink(JsonElement c)
    {
        static string? Text(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        static string? Plain(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        if (c.ValueKind != JsonValueKind.Object
            || !c.TryGetProperty("source", out var source) || !c.TryGetProperty("target", out var target))
            return null;
        var (from, to) = source.ValueKind == JsonValueKind.Object
            ? (Text(source, "activity"), target.ValueKind == JsonValueKind.Object ? Text(target, "activity") : null)
            : (Plain(source), Plain(target));
        var port = source.ValueKind == JsonValueKind.Object ? Text(source, "port") : Text(c, "sourcePort");
        return from is null || to is null ? null : new Link(from, port ?? "Done", to);
    }

    /// <summary>JavaScript comparisons as designers write them here: === and == become ==, && and || become and, or.</summary>
    private static string Translate(string condition) =>
        condition.Replace("===", "==").Replace("!==", "!=").Replace("&&", " and ").Replace("||", " or ").Replace("!(", "not (")
            .Replace("  ", " ").Trim();

    private static string StepId(string name)
    {
        var id = NotIdentifier().Replace(name.ToLowerInvariant(), "-").Trim('-');
        return id.Length == 0 || !char.IsLetter(id[0]) ? "step-" + id : id;
    }

    private static string Scalar(string text) => $"\"{text.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotIdentifier();

    [GeneratedRegex(@"^[a-z][a-z0-9_]*$")]
    private static partial Regex FieldName();

    [GeneratedRegex(@"^[0-9a-fA-F-]{12,}$")]
    private static partial Regex RandomId();

    /// <summary>A call such as getCounter() or Math.max(…); the words of the condition language before a bracket are not.</summary>
    [GeneratedRegex(@"\b(?!(?:and|or|not|in)\b)[A-Za-z_][\w.]*\s*\(")]
    private static partial Regex FunctionCall();

    [GeneratedRegex("'[^']*'|\"[^\"]*\"")]
    private static partial Regex Literals();
}
