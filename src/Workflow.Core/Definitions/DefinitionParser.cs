using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace Workflow.Core.Definitions;

/// <summary>
/// Reads definition and catalogue files from YAML into the model, keeping the line of every key so that each
/// problem can be reported where the designer wrote it. Structural problems are collected, never thrown one by one.
/// </summary>
public sealed partial class DefinitionParser(string file, List<DefinitionProblem> problems) : YamlReader(file, problems)
{
    private static readonly string[] TopKeys =
        ["id", "version", "effective", "title", "legal_basis", "deadline", "on_return", "max_returns", "correction_deadline",
            "deemed_approval", "escalation", "data", "documents", "steps", "extends", "centres"];
    private static readonly string[] StepKeys =
        ["agency", "role", "title", "deadline", "when", "after", "approve", "reject", "return", "four_eyes", "required"];
    private static readonly string[] FieldKeys = ["type", "required", "of", "title"];
    private static readonly string[] AgencyKeys = ["name", "ministry"];

    public static WorkflowDefinition? ParseDefinition(string file, string text, List<DefinitionProblem> problems) =>
        new DefinitionParser(file, problems).Definition(text);

    public static ImmutableArray<Agency> ParseAgencies(string file, string text, List<DefinitionProblem> problems) =>
        new DefinitionParser(file, problems).Agencies(text);

    public static string HashOf(string text) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\n"))));

    private WorkflowDefinition? Definition(string text)
    {
        if (Load(text) is not { } root) return null;
        var keys = Keys(root, TopKeys, "a definition");
        int before = Problems.Count;

        var id = RequiredScalar(root, keys, "id");
        var version = RequiredInt(root, keys, "version", min: 1);
        var title = RequiredScalar(root, keys, "title");
        var deadline = keys.TryGetValue("deadline", out var d) ? WorkingDays(d.Value) : Missing(root, "deadline");
        var onReturn = ReturnPolicy.Restart;
        if (keys.TryGetValue("on_return", out var r))
            onReturn = Scalar(r.Value) switch
            {
                "restart" => ReturnPolicy.Restart,
                "pause" => ReturnPolicy.Pause,
                _ => Invalid<ReturnPolicy>(r.Value, "on_return must be 'restart' or 'pause'"),
            };

        DateOnly? effective = null;
        if (keys.TryGetValue("effective", out var ef))
        {
            if (DateOnly.TryParseExact(Scalar(ef.Value), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.None, out var day)) effective = day;
            else Problem(ef.Value, $"'{Scalar(ef.Value)}' is not a date", "effective: 2025-01-01");
        }
        var maxReturns = keys.TryGetValue("max_returns", out var mr) ? Count(mr.Value, "max_returns") : 1;
        var correctionDays = keys.TryGetValue("correction_deadline", out var cd) ? CalendarDays(cd.Value) : 30;
        var deemed = keys.TryGetValue("deemed_approval", out var da) && Bool(da.Value);
        var escalation = keys.TryGetValue("escalation", out var esc) ? Escalation(esc.Value) : EscalationChain.Default;
        var data = keys.TryGetValue("data", out var dataNode) ? Fields(dataNode.Value) : [];
        var documents = keys.TryGetValue("documents", out var docNode) ? Documents(docNode.Value) : [];
        var steps = keys.TryGetValue("steps", out var stepsNode) ? Steps(stepsNode.Value) : MissingSteps(root);
        var (extends, centres) = Variant(root, keys);

        if (Problems.Count > before || id is null || title is null || version is null || deadline is null) return null;
        return new WorkflowDefinition
        {
            Id = id,
            Version = version.Value,
            Title = title,
            LegalBasis = keys.TryGetValue("legal_basis", out var lb) ? Scalar(lb.Value) : null,
            Effective = effective,
            DeadlineDays = deadline.Value,
            OnReturn = onReturn,
            MaxReturns = maxReturns,
            CorrectionDays = correctionDays,
            DeemedApproval = deemed,
            Escalation = escalation,
            Extends = extends,
            Centres = centres,
            Data = data,
            Documents = documents,
            Steps = steps,
            Hash = HashOf(text),
            SourceText = text,
            Source = new SourceSpan(File, 1, 1),
            Keys = keys.ToImmutableDictionary(k => k.Key, k => Span(k.Value.Key)),
        };
    }

    /// <summary>extends: enterprise-registration, centres: [LPB]: a local variant names its standard and where it applies.</summary>
    private (string? Extends, ImmutableArray<string> Centres) Variant(YamlMap root,
        Dictionary<string, KeyValuePair<YamlNode, YamlNode>> keys)
    {
        var extends = keys.TryGetValue("extends", out var ex) ? Scalar(ex.Value) : null;
        if (ex.Value is not null && (extends is null || !StepIdPattern().IsMatch(extends)))
            Problem(ex.Value, "extends names the id of the national standard this procedure varies", "extends: enterprise-registration");
        ImmutableArray<string> centres = keys.TryGetValue("centres", out var ce) ? List(ce.Value) : [];
        foreach (var centre in centres.Where(c => !CentrePattern().IsMatch(c)))
            Problem(ce.Value, $"'{centre}' is not a centre code", "2 to 10 capital letters or digits, e.g. centres: [LPB]");
        if (extends is not null && centres.IsEmpty)
            Problem(ce.Value ?? ex.Key, "a local variant names the centres it applies to", "centres: [LPB]");
        if (extends is null && ce.Value is not null)
            Problem(ce.Key, "only a local variant names centres; a standard applies everywhere", "add extends: <standard id>");
        return (extends, centres);
    }

    private int Count(YamlNode node, string key)
    {
        if (int.TryParse(Scalar(node), out var n) && n >= 0) return n;
        Problem(node, $"{key} must be a whole number");
        return 0;
    }

    /// <summary>
    /// The longest deadline, correction window or escalation a definition may set, in days: about four years of working days.
    /// A whole path of steps (at most <see cref="MaxSteps"/> of them) then still ends centuries before the calendar does.
    /// </summary>
    public const int MaxDays = 1000;

    /// <summary>
    /// The most steps a procedure may have: twenty times the largest procedure of the domain (construction-permit, 10 steps).
    /// Checking a definition walks every step's way to an end, so its size is bounded like every other input's.
    /// </summary>
    public const int MaxSteps = 200;

    private void TooLong(YamlNode node) =>
        Problem(node, $"'{Scalar(node)?.Trim()}' is too long: a deadline is at most {MaxDays} days", $"write {MaxDays} days or fewer");

    private int CalendarDays(YamlNode node)
    {
        var match = CalendarDaysPattern().Match(Scalar(node)?.Trim() ?? "");
        if (match.Success && !int.TryParse(match.Groups[1].Value, out _) && match.Groups[1].Value.TrimStart('0').Length > 4) TooLong(node);
        else if (match.Success && int.TryParse(match.Groups[1].Value, out var days) && days >= 1)
        {
            if (days <= MaxDays) return days;
            TooLong(node);
        }
        else Problem(node, $"'{Scalar(node)}' is not a number of calendar days", "write it as '30 calendar days'");
        return 30;
    }

    /// <summary>escalation: { warning: 75%, overdue: { 0: [agency-head], 2: [odsc-head] }, case_overdue: [citizen] }</summary>
    private EscalationChain Escalation(YamlNode node)
    {
        if (node is not YamlMap map)
        {
            Problem(node, "escalation must be a mapping with warning, overdue and case_overdue");
            return EscalationChain.Default;
        }
        var keys = Keys(map, ["warning", "warning_notify", "overdue", "case_overdue"], "escalation");
        var chain = EscalationChain.Default;
        if (keys.TryGetValue("warning", out var w))
        {
            var text = Scalar(w.Value)?.TrimEnd('%').Trim();
            if (int.TryParse(text, out var percent) && percent is > 0 and < 100) chain = chain with { WarningPercent = percent };
            else Problem(w.Value, "warning must be a share of the step's time between 1% and 99%", "warning: 75%");
        }
        if (keys.TryGetValue("warning_notify", out var wn)) chain = chain with { WarningNotify = List(wn.Value) };
        if (keys.TryGetValue("overdue", out var o))
        {
            if (o.Value is YamlMap levels)
            {
                var overdue = ImmutableSortedDictionary.CreateBuilder<int, ImmutableArray<string>>();
                foreach (var (dayNode, who) in Entries(levels))
                    if (int.TryParse(Scalar(dayNode), out var days) && days is >= 0 and <= MaxDays) overdue[days] = List(who);
                    else if (days > MaxDays) TooLong(dayNode);
                    else Problem(dayNode, "overdue levels are keyed by working days overdue (0 = at the due time)");
                chain = chain with { Overdue = overdue.ToImmutable() };
            }
            else Problem(o.Value, "overdue must map working days overdue to who is told, e.g. { 0: [agency-head], 2: [odsc-head] }");
        }
        if (keys.TryGetValue("case_overdue", out var co)) chain = chain with { CaseOverdueNotify = List(co.Value) };
        return chain;
    }

    private ImmutableArray<Agency> Agencies(string text)
    {
        if (Load(text) is not { } root) return [];
        var keys = Keys(root, ["agencies"], "the agency catalogue");
        if (!keys.TryGetValue("agencies", out var list)) { Missing(root, "agencies"); return []; }
        if (list.Value is not YamlMap map) { Problem(list.Value, "agencies must be a mapping of agency code to its name"); return []; }
        var agencies = ImmutableArray.CreateBuilder<Agency>();
        foreach (var (codeNode, body) in Entries(map))
        {
            var code = Scalar(codeNode);
            if (code is null) continue;
            if (body is YamlScalar nameOnly) { agencies.Add(new Agency(code, nameOnly.Value, null, Span(codeNode))); continue; }
            if (body is not YamlMap m) { Problem(body, $"agency '{code}' must be a name or a mapping with name and ministry"); continue; }
            var fields = Keys(m, AgencyKeys, $"agency '{code}'");
            var name = RequiredScalar(m, fields, "name");
            agencies.Add(new Agency(code, name ?? code, fields.TryGetValue("ministry", out var min) ? Scalar(min.Value) : null,
                Span(codeNode)));
        }
        return agencies.ToImmutable();
    }

    private ImmutableArray<DataField> Fields(YamlNode node)
    {
        if (node is not YamlMap map) { Problem(node, "data must be a mapping of field name to { type, required, of }"); return []; }
        var fields = ImmutableArray.CreateBuilder<DataField>();
        foreach (var (nameNode, body) in Entries(map))
        {
            var name = Scalar(nameNode)!;
            if (!IdentifierPattern().IsMatch(name))
                Problem(nameNode, $"field name '{name}' must be lower-case letters, digits and underscores",
                    "conditions refer to fields by this name");
            if (body is not YamlMap m)
            {
                Problem(body, $"field '{name}' must be a mapping such as {{ type: text, required: true }}");
                continue;
            }
            var keys = Keys(m, FieldKeys, $"field '{name}'");
            FieldType? type = null;
            if (!keys.TryGetValue("type", out var t)) Missing(m, "type", $"field '{name}'");
            else type = Scalar(t.Value) switch
            {
                "text" => FieldType.Text,
                "number" => FieldType.Number,
                "yes-no" => FieldType.YesNo,
                "choice" => FieldType.Choice,
                "date" => FieldType.Date,
                var other => Invalid<FieldType?>(t.Value, $"field '{name}' has unknown type '{other}'",
                    "use text, number, yes-no, choice or date"),
            };
            var required = keys.TryGetValue("required", out var req) && Bool(req.Value);
            ImmutableArray<string> of = keys.TryGetValue("of", out var ofNode) ? List(ofNode.Value) : [];
            if (type == FieldType.Choice && of.IsEmpty)
                Problem(nameNode, $"choice field '{name}' lists no values", "add of: [value, …]");
            if (type is not null and not FieldType.Choice && !of.IsEmpty)
                Problem(keys["of"].Key, $"field '{name}' is not a choice, so it cannot list values", "use type: choice");
            if (type is { } ft)
                fields.Add(new DataField(name, ft, required, of, keys.TryGetValue("title", out var ti) ? Scalar(ti.Value) : null,
                    Span(nameNode)));
        }
        return fields.ToImmutable();
    }

    private ImmutableArray<RequiredDocument> Documents(YamlNode node)
    {
        if (node is not YamlList seq) { Problem(node, "documents must be a list"); return []; }
        var docs = ImmutableArray.CreateBuilder<RequiredDocument>();
        foreach (var item in seq.Items)
        {
            switch (item)
            {
                case YamlScalar s when !string.IsNullOrWhiteSpace(s.Value):
                    docs.Add(new RequiredDocument(s.Value!, null, Span(s)));
                    break;
                case YamlMap { Entries.Count: 1 } m:
                    var (nameNode, body) = Entries(m).Single();
                    var name = Scalar(nameNode)!;
                    if (body is not YamlMap cond)
                    {
                        Problem(body, $"document '{name}' must be written as {{ {name}: {{ when: \"…\" }} }}");
                        break;
                    }
                    var keys = Keys(cond, ["when"], $"document '{name}'");
                    docs.Add(new RequiredDocument(name, keys.TryGetValue("when", out var w) ? Scalar(w.Value) : null, Span(nameNode)));
                    break;
                default:
                    Problem(item, "a document is a name, or a name with a condition: { name: { when: \"…\" } }");
                    break;
            }
        }
        return docs.ToImmutable();
    }

    private ImmutableArray<StepDefinition> Steps(YamlNode node)
    {
        if (node is not YamlMap map || map.Entries.Count == 0)
        {
            Problem(node, "steps must be a mapping of step id to step, with at least one step");
            return [];
        }
        if (map.Entries.Count > MaxSteps)
        {
            Problem(node, $"a procedure has at most {MaxSteps} steps; this one has {map.Entries.Count}",
                "split it into procedures of their own, one per agency's part");
            return [];
        }
        var steps = ImmutableArray.CreateBuilder<StepDefinition>();
        foreach (var (idNode, body) in Entries(map))
        {
            var id = Scalar(idNode)!;
            if (!StepIdPattern().IsMatch(id))
                Problem(idNode, $"step id '{id}' must be lower-case letters, digits and hyphens");
            if (WorkflowDefinition.IsEnd(id) || id == WorkflowDefinition.Citizen)
                Problem(idNode, $"'{id}' is reserved for an end state or the citizen and cannot name a step");
            if (body is not YamlMap m) { Problem(body, $"step '{id}' must be a mapping with agency, deadline and approve"); continue; }
            var keys = Keys(m, StepKeys, $"step '{id}'");
            var agency = RequiredScalar(m, keys, "agency", $"step '{id}'");
            var deadline = keys.TryGetValue("deadline", out var dl) ? WorkingDays(dl.Value) : Missing(m, "deadline", $"step '{id}'");
            var approve = keys.TryGetValue("approve", out var ap) ? List(ap.Value) : [];
            if (!keys.ContainsKey("approve"))
                Missing(m, "approve", $"step '{id}'");
            var after = JoinRule.All;
            if (keys.TryGetValue("after", out var af))
                after = Scalar(af.Value) switch
                {
                    "all" => JoinRule.All,
                    "any" => new JoinRule(JoinMode.Any),
                    var n when int.TryParse(n, out var count) && count >= 1 => new JoinRule(JoinMode.Count, count),
                    _ => Invalid<JoinRule>(af.Value, "after must be 'all', 'any' or a number of branches",
                        "after: all waits for every branch that applies") ?? JoinRule.All,
                };
            var canReturn = false;
            if (keys.TryGetValue("return", out var ret))
            {
                if (Scalar(ret.Value) == WorkflowDefinition.Citizen) canReturn = true;
                else Problem(ret.Value, $"step '{id}' can only return to 'citizen'", "return: citizen");
            }
            if (agency is null || deadline is null) continue;
            steps.Add(new StepDefinition
            {
                Id = id,
                Agency = agency,
                Role = keys.TryGetValue("role", out var role) ? Scalar(role.Value) : null,
                Title = keys.TryGetValue("title", out var ti) ? Scalar(ti.Value) ?? id : id,
                DeadlineDays = deadline.Value,
                When = keys.TryGetValue("when", out var w) ? Scalar(w.Value) : null,
                After = after,
                Approve = approve,
                Reject = keys.TryGetValue("reject", out var rj) ? Scalar(rj.Value) : null,
                CanReturn = canReturn,
                FourEyes = keys.TryGetValue("four_eyes", out var fe) && Bool(fe.Value),
                Required = keys.TryGetValue("required", out var rq) && Bool(rq.Value),
                Source = Span(idNode),
                Keys = keys.ToImmutableDictionary(k => k.Key, k => Span(k.Value.Value)),
            });
        }
        return steps.ToImmutable();
    }

    private ImmutableArray<StepDefinition> MissingSteps(YamlMap root)
    {
        Missing(root, "steps");
        return [];
    }

    private int? WorkingDays(YamlNode node)
    {
        var text = Scalar(node)?.Trim() ?? "";
        var match = WorkingDaysPattern().Match(text);
        // Digits past what a whole number holds are a deadline too long, not a deadline misspelt.
        if (match.Success && !int.TryParse(match.Groups[1].Value, out _) && match.Groups[1].Value.TrimStart('0').Length > 4) TooLong(node);
        else if (match.Success && int.TryParse(match.Groups[1].Value, out var days) && days >= 1)
        {
            if (days <= MaxDays) return days;
            TooLong(node);
        }
        else Problem(node, $"'{text}' is not a deadline in working days", "write it as '10 working days' or '1 working day'");
        return null;
    }

    [GeneratedRegex(@"^(\d+)\s+calendar\s+days?$")]
    private static partial Regex CalendarDaysPattern();

    [GeneratedRegex(@"^(\d+)(\s+working\s+days?)?$")]
    private static partial Regex WorkingDaysPattern();

    [GeneratedRegex(@"^[a-z][a-z0-9_]*$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex(@"^[a-z][a-z0-9-]*$")]
    private static partial Regex StepIdPattern();

    [GeneratedRegex(@"^[A-Z0-9]{2,10}$")]
    private static partial Regex CentrePattern();

}
