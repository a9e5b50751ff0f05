using System.Collections.Immutable;
using Workflow.Core.Calendars;

namespace Workflow.Core.Definitions;

/// <summary>
/// The procedures and agencies of one <c>workflows/</c> folder, loaded and checked together. Loading reports every
/// problem of every file at once; a folder with any problem yields no catalogue.
/// </summary>
public sealed class WorkflowCatalog
{
    public const string AgencyFile = "agencies.yaml";
    public const string CalendarFolder = "calendars";

    private readonly ImmutableDictionary<(string Id, int Version), WorkflowDefinition> _byVersion;

    private WorkflowCatalog(ImmutableArray<Agency> agencies, IEnumerable<WorkflowDefinition> definitions, CalendarCatalog calendars)
    {
        Agencies = agencies;
        Calendars = calendars;
        _byVersion = definitions.ToImmutableDictionary(d => (d.Id, d.Version));
        Latest = _byVersion.Values.GroupBy(d => d.Id).Select(g => g.MaxBy(d => d.Version)!).OrderBy(d => d.Id).ToImmutableArray();
    }

    public ImmutableArray<Agency> Agencies { get; }

    /// <summary>Working-day calendars from <c>calendars/</c>: national, province and office overlays, versioned.</summary>
    public CalendarCatalog Calendars { get; }

    /// <summary>The newest version of each procedure: the one new applications follow.</summary>
    public ImmutableArray<WorkflowDefinition> Latest { get; }

    public IEnumerable<WorkflowDefinition> All => _byVersion.Values;

    public WorkflowDefinition? Find(string id) => Latest.FirstOrDefault(d => d.Id == id);

    public WorkflowDefinition? Find(string id, int version) => _byVersion.GetValueOrDefault((id, version));

    public Agency? FindAgency(string code) => Agencies.FirstOrDefault(a => a.Code == code);

    /// <summary>
    /// Loads a folder: <c>agencies.yaml</c>, one definition per other <c>.yaml</c> file, and the calendars in
    /// <c>calendars/</c> (at least one national calendar).
    /// </summary>
    public static WorkflowCatalog Load(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DefinitionException([new(new SourceSpan(directory, 0, 0), "the workflows folder does not exist")]);
        var calendarFolder = Path.Combine(directory, CalendarFolder);
        var calendars = YamlFiles(calendarFolder, $"{CalendarFolder}/").ToList();
        if (calendars.Count == 0)
            throw new DefinitionException([new(new SourceSpan($"{CalendarFolder}/", 0, 0), "no working-day calendar found",
                "add calendars/<id>.yaml with scope: national")]);
        return Parse(YamlFiles(directory, ""), calendars);
    }

    private static IEnumerable<(string Name, string Text)> YamlFiles(string directory, string prefix) =>
        !Directory.Exists(directory)
            ? []
            : Directory.EnumerateFiles(directory)
                .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => (prefix + Path.GetFileName(f), File.ReadAllText(f)));

    /// <summary>Builds a catalogue from file names and texts; <see cref="Load"/> reads them from disk.</summary>
    public static WorkflowCatalog Parse(IEnumerable<(string Name, string Text)> files,
        IEnumerable<(string Name, string Text)>? calendarFiles = null)
    {
        var problems = new List<DefinitionProblem>();
        var calendars = CalendarCatalog.Parse(calendarFiles ?? [], problems);
        var agencies = ImmutableArray<Agency>.Empty;
        var definitions = new List<WorkflowDefinition>();
        var foundAgencies = false;
        foreach (var (name, text) in files)
        {
            if (name == AgencyFile)
            {
                foundAgencies = true;
                agencies = DefinitionParser.ParseAgencies(name, text, problems);
            }
            else if (DefinitionParser.ParseDefinition(name, text, problems) is { } definition)
                definitions.Add(definition);
        }
        if (!foundAgencies)
            problems.Add(new(new SourceSpan(AgencyFile, 0, 0), "the agency catalogue is missing",
                "every step's agency must be listed in agencies.yaml"));

        var rules = new DefinitionRules(agencies.Select(a => a.Code).ToHashSet());
        foreach (var definition in definitions)
            problems.AddRange(rules.Check(definition));
        problems.AddRange(Variants.Check(definitions));
        foreach (var duplicate in definitions.GroupBy(d => (d.Id, d.Version)).Where(g => g.Count() > 1))
            foreach (var d in duplicate.Skip(1))
                problems.Add(new(d.At("id"),
                    $"procedure '{d.Id}' version {d.Version} is also defined in {duplicate.First().Source.File}",
                    "raise the version of the newer file"));

        if (problems.Count > 0) throw new DefinitionException(problems);
        return new WorkflowCatalog(agencies, definitions, calendars);
    }

    /// <summary>
    /// A catalogue rebuilt from what a store holds: the agency catalogue and calendars a server last loaded, and every
    /// stored definition version (each was checked against the agencies when it was stored, so it is not checked again
    /// against today's). A later text of the same id and version replaces an earlier one.
    /// </summary>
    public static WorkflowCatalog FromStored(string? agencies, IEnumerable<(string Name, string Text)> calendarFiles,
        IEnumerable<(string Name, string Text)> definitions)
    {
        var problems = new List<DefinitionProblem>();
        var calendars = CalendarCatalog.Parse(calendarFiles, problems);
        var codes = agencies is null ? ImmutableArray<Agency>.Empty : DefinitionParser.ParseAgencies(AgencyFile, agencies, problems);
        var parsed = definitions.Select(d => DefinitionParser.ParseDefinition(d.Name, d.Text, problems)).OfType<WorkflowDefinition>()
            .GroupBy(d => (d.Id, d.Version)).Select(g => g.Last()).ToList();
        if (problems.Count > 0) throw new DefinitionException(problems);
        return new WorkflowCatalog(codes, parsed, calendars);
    }

    /// <summary>
    /// Checks a definition text against this catalogue's agencies, as for a file of the folder; throws with every
    /// problem.
    /// </summary>
    public WorkflowDefinition Check(string name, string text)
    {
        var problems = new List<DefinitionProblem>();
        var definition = DefinitionParser.ParseDefinition(name, text, problems);
        if (definition is not null)
        {
            problems.AddRange(new DefinitionRules(Agencies.Select(a => a.Code).ToHashSet()).Check(definition));
            problems.AddRange(Variants.Check(definition, Find));
        }
        if (definition is null || problems.Count > 0) throw new DefinitionException(problems);
        return definition;
    }

    /// <summary>Re-reads one stored definition text, as pinned to a running application.</summary>
    public WorkflowDefinition ParseStored(string name, string text)
    {
        var problems = new List<DefinitionProblem>();
        var definition = DefinitionParser.ParseDefinition(name, text, problems);
        if (definition is null || problems.Count > 0) throw new DefinitionException(problems);
        return definition;
    }
}
