using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace Workflow.Core.Definitions;

/// <summary>Where something was written in a definition file, for messages a designer can act on.</summary>
public sealed record SourceSpan(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

public enum FieldType { Text, Number, YesNo, Choice, Date }

public enum ReturnPolicy { Restart, Pause }

public enum JoinMode { All, Any, Count }

/// <summary>How a step with several incoming branches waits for them.</summary>
public sealed record JoinRule(JoinMode Mode, int Count = 0)
{
    public static readonly JoinRule All = new(JoinMode.All);
    public override string ToString() => Mode == JoinMode.Count ? Count.ToString() : Mode.ToString().ToLowerInvariant();
}

/// <summary>
/// Who is told when a step's deadline approaches or passes (rule 5 of Core/README.md). Levels are working days overdue;
/// level 0 is the breach at the due time itself.
/// </summary>
public sealed record EscalationChain(int WarningPercent, ImmutableArray<string> WarningNotify,
    ImmutableSortedDictionary<int, ImmutableArray<string>> Overdue,
    ImmutableArray<string> CaseOverdueNotify)
{
    public static readonly EscalationChain Default = new(75, ["officer"],
        ImmutableSortedDictionary.CreateRange(new Dictionary<int, ImmutableArray<string>>
        {
            [0] = ["agency-head"],
            [2] = ["odsc-head", "district-governor"],
            [5] = ["provincial-home-affairs", "national-dashboard"],
        }),
        ["citizen", "odsc-head"]);

    /// <summary>The escalation levels after the breach, in order: (level number, working days overdue, who is told).</summary>
    public IReadOnlyList<(int Level, int Days, ImmutableArray<string> Notify)> Levels =>
        [.. Overdue.Where(kv => kv.Key > 0).Select((kv, i) => (i + 1, kv.Key, kv.Value))];

    public ImmutableArray<string> BreachNotify => Overdue.GetValueOrDefault(0, ["agency-head"]);

    /// <summary>Who escalation level <paramref name="level"/> tells (0: the breach itself); nobody for a level the chain lacks.</summary>
    public IReadOnlyList<string> NotifiedAt(int level) =>
        level == 0 ? BreachNotify : level >= 1 && level <= Levels.Count ? Levels[level - 1].Notify : [];
}

public sealed record DataField(string Name, FieldType Type, bool Required, ImmutableArray<string> Of, string? Title, SourceSpan Source);

public sealed record RequiredDocument(string Name, string? When, SourceSpan Source);

public sealed record StepDefinition
{
    public required string Id { get; init; }
    public required string Agency { get; init; }
    public string? Role { get; init; }
    public required string Title { get; init; }
    public required int DeadlineDays { get; init; }
    public string? When { get; init; }
    public JoinRule After { get; init; } = JoinRule.All;
    public ImmutableArray<string> Approve { get; init; } = [];
    public string? Reject { get; init; }
    public bool CanReturn { get; init; }

    /// <summary>An approval takes effect only when a second officer of the agency confirms it (<c>four_eyes: true</c>).</summary>
    public bool FourEyes { get; init; }

    /// <summary>A local variant of this procedure may not leave the step out (<c>required: true</c>, rule 16 of Core/README.md).</summary>
    public bool Required { get; init; }
    public required SourceSpan Source { get; init; }

    /// <summary>Position of each key inside the step, so a rule about one key points at its line.</summary>
    public ImmutableDictionary<string, SourceSpan> Keys { get; init; } = ImmutableDictionary<string, SourceSpan>.Empty;

    public SourceSpan At(string key) => Keys.TryGetValue(key, out var span) ? span : Source;
}

/// <summary>
/// One version of one procedure, as a process designer wrote it. Identified by id + version and pinned to each
/// application with the content hash, so that a later edit of the file never changes the rules of a running case.
/// </summary>
public sealed record WorkflowDefinition
{
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Citizen = "citizen";

    public required string Id { get; init; }
    public required int Version { get; init; }
    public required string Title { get; init; }
    public string? LegalBasis { get; init; }

    /// <summary>The day from which new applications follow this version (the regulation's effective date); null: at once.</summary>
    public DateOnly? Effective { get; init; }
    public required int DeadlineDays { get; init; }
    public ReturnPolicy OnReturn { get; init; } = ReturnPolicy.Restart;

    /// <summary>Returns allowed before a further one needs a supervisor and a reason code citing a listed requirement.</summary>
    public int MaxReturns { get; init; } = 1;

    /// <summary>Calendar days the citizen has to correct a returned application before it lapses.</summary>
    public int CorrectionDays { get; init; } = 30;

    /// <summary>Whether the application is approved when the authority misses the legal deadline (off unless the law says so).</summary>
    public bool DeemedApproval { get; init; }

    public EscalationChain Escalation { get; init; } = EscalationChain.Default;

    /// <summary>
    /// The national standard this procedure is a local variant of (<c>extends:</c>), or null for a standard. A variant is
    /// a complete procedure of its own, pinned by its own hash; <see cref="Variants"/> checks it against the standard.
    /// </summary>
    public string? Extends { get; init; }

    /// <summary>The centres whose new applications of the standard follow this variant (<c>centres: [LPB]</c>).</summary>
    public ImmutableArray<string> Centres { get; init; } = [];

    /// <summary>What a reason code for a further return may cite: a listed document or data field.</summary>
    public bool IsListedRequirement(string code) =>
        Documents.Any(d => d.Name == code || $"document:{d.Name}" == code) || Data.Any(f => f.Name == code || $"field:{f.Name}" == code);
    public ImmutableArray<DataField> Data { get; init; } = [];
    public ImmutableArray<RequiredDocument> Documents { get; init; } = [];
    public ImmutableArray<StepDefinition> Steps { get; init; } = [];
    public required string Hash { get; init; }
    public required string SourceText { get; init; }
    public required SourceSpan Source { get; init; }
    public ImmutableDictionary<string, SourceSpan> Keys { get; init; } = ImmutableDictionary<string, SourceSpan>.Empty;

    public SourceSpan At(string key) => Keys.TryGetValue(key, out var span) ? span : Source;

    /// <summary>The first step is where every application starts: the completeness check at the centre.</summary>
    public StepDefinition Start => Steps[0];

    public StepDefinition? FindStep(string id) => id is not null && Index.ById.TryGetValue(id, out var step) ? step : null;

    public DataField? FindField(string name) => Data.FirstOrDefault(f => f.Name == name);

    public static bool IsEnd(string target) => target is Approved or Rejected;

    /// <summary>Steps whose approval (or skip) leads to <paramref name="stepId"/>.</summary>
    public IEnumerable<StepDefinition> Predecessors(string stepId) =>
        stepId is not null && Index.Predecessors.TryGetValue(stepId, out var steps) ? steps : [];

    /// <summary>Every step or end state reachable from a step by approve and reject edges.</summary>
    public ImmutableHashSet<string> Reachable(string from) =>
        !Steps.IsEmpty && from == Start.Id
            ? Index.FromStart ??= Index.Walk(from).ToImmutableHashSet()
            : Index.Walk(from).ToImmutableHashSet();

    /// <summary>
    /// The steps by id and by what leads to them, built once per definition (a definition is read by every command of its
    /// cases), so that looking a step up costs nothing and checking a definition costs its size, not its size cubed.
    /// Kept beside the definition rather than in it, so that two equal definitions stay equal.
    /// </summary>
    private StepIndex Index
    {
        get
        {
            if (!Indexes.TryGetValue(this, out var index) || index.Steps != Steps)
            {
                index = new StepIndex(Steps);
                Indexes.AddOrUpdate(this, index);
            }
            return index;
        }
    }

    private static readonly ConditionalWeakTable<WorkflowDefinition, StepIndex> Indexes = new();

    private sealed class StepIndex
    {
        public StepIndex(ImmutableArray<StepDefinition> steps)
        {
            Steps = steps;
            foreach (var step in steps)
            {
                ById.TryAdd(step.Id, step);
                foreach (var target in step.Approve.Distinct())
                    (Predecessors.TryGetValue(target, out var list) ? list : Predecessors[target] = []).Add(step);
            }
        }

        public ImmutableArray<StepDefinition> Steps { get; }
        public Dictionary<string, StepDefinition> ById { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, List<StepDefinition>> Predecessors { get; } = new(StringComparer.Ordinal);

        /// <summary>What the first step reaches, asked for every step when a definition is checked.</summary>
        public ImmutableHashSet<string>? FromStart { get; set; }

        public HashSet<string> Walk(string from)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var queue = new Queue<string>();
            if (from is not null) queue.Enqueue(from);
            while (queue.TryDequeue(out var id))
            {
                if (!ById.TryGetValue(id, out var step)) continue;
                foreach (var next in step.Approve)
                    if (seen.Add(next)) queue.Enqueue(next);
                if (step.Reject is { } reject && seen.Add(reject)) queue.Enqueue(reject);
            }
            return seen;
        }
    }
}

public sealed record Agency(string Code, string Name, string? Ministry, SourceSpan Source);
