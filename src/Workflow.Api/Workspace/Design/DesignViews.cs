using System.Text.Json;
using Marten;
using Microsoft.Extensions.Localization;
using Workflow.Api.Tracking;
using Workflow.Core.Applications;
using Workflow.Core.Calendars;
using Workflow.Core.Definitions;
using Workflow.Store.Applications;
using Workflow.Store.Definitions;

namespace Workflow.Api.Workspace.Design;

/// <summary>The resources <c>DesignTexts.resx</c> (English) and <c>DesignTexts.lo.resx</c> (Lao): the designers' pages' words.</summary>
public sealed class DesignTexts;

/// <summary>One step of a path through a procedure, with its own deadline and its due date when every agency takes all its time.</summary>
public sealed record PathStep(string StepId, string Agency, int WorkingDays, DateTimeOffset OpenedAt, DateTimeOffset DueAt,
    bool BeforeClock);

/// <summary>One path from the completeness check to an end, as the simulation page lists it.</summary>
public sealed record PathRow(IReadOnlyList<PathStep> Steps, string End, int WorkingDays, int LegalDays)
{
    public int Spare => LegalDays - WorkingDays;
}

/// <summary>What the designers' pages read: a version's status, running cases per version, paths on the real calendar.</summary>
public static class DesignViews
{
    /// <summary>draft, in-force, scheduled, replaced (an earlier version whose running cases finish on it) or retired.</summary>
    public static string Status(VersionView version, DateOnly today) =>
        version.RetiredAt is not null ? "retired"
        : version.InForce ? "in-force"
        : version.EffectiveFrom is { } from && from > today ? "scheduled"
        : "replaced";

    /// <summary>Running applications (submitted, in progress or with the citizen: rule 14 of Core/README.md) per version.</summary>
    public static async Task<Dictionary<int, int>> RunningAsync(IQuerySession session, string workflowId, CancellationToken cancellation)
    {
        var running = await session.Query<ApplicationDetails>()
            .Where(d => d.WorkflowId == workflowId && d.Status.IsOneOf(ApplicationStatuses.Running))
            .Select(d => d.WorkflowVersion).ToListAsync(cancellation);
        return running.GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
    }

    /// <summary>
    /// The paths of the procedure (approvals and refusals, <see cref="Paths.All"/>, at most <see cref="Paths.MaxListed"/>;
    /// <c>More</c> when it has others) on the calendar of the centre: each step opens when the one before it is due, as if
    /// every agency took all its time, so the path's end is its latest date.
    /// </summary>
    public static (IReadOnlyList<PathRow> Rows, bool More) AllPaths(WorkflowDefinition definition, WorkingCalendar calendar,
        DateTimeOffset start)
    {
        var rows = new List<PathRow>();
        var paths = Paths.All(definition, Paths.MaxListed + 1);
        foreach (var path in paths.Take(Paths.MaxListed))
        {
            var at = start;
            var steps = new List<PathStep>();
            foreach (var id in path.Steps)
            {
                if (definition.FindStep(id) is not { } step) continue;
                var due = calendar.AddWorkingDays(at, step.DeadlineDays);
                steps.Add(new PathStep(id, step.Agency, step.DeadlineDays, at, due, step == definition.Start));
                at = due;
            }
            var end = path.Steps.LastOrDefault(s => definition.FindStep(s) is null) ?? WorkflowDefinition.Approved;
            rows.Add(new PathRow(steps, end, path.WorkingDays, definition.DeadlineDays));
        }
        return (rows, paths.Count > Paths.MaxListed);
    }

    /// <summary>The centre a simulation counts on unless the designer chooses another: Vientiane Capital's one-door centre.</summary>
    public const string DefaultCentre = "VTE";

    /// <summary>
    /// The centres a simulation may count on, each with the title of its calendar on a day: those a calendar names, those a
    /// local variant names, and last every other centre (code "") on the national calendar.
    /// </summary>
    public static IReadOnlyList<(string Code, string Calendar)> Centres(CalendarCatalog calendars, WorkflowDefinition? definition,
        DateOnly day, string otherCentres)
    {
        var inForce = calendars.Ids.Select(id => calendars.InForce(id, day)).OfType<CalendarFile>().ToList();
        var national = inForce.FirstOrDefault(f => f.Scope == CalendarScope.National)?.Title ?? "";
        var named = inForce.SelectMany(f => f.Centres.Select(c => (Code: c, Calendar: f.Title)))
            .Concat((definition?.Centres ?? []).Select(c => (Code: c, Calendar: national)))
            .DistinctBy(c => c.Code).OrderBy(c => c.Code, StringComparer.Ordinal);
        return [.. named, ("", string.Format(System.Globalization.CultureInfo.InvariantCulture, otherCentres, national))];
    }

    /// <summary>
    /// The editor's problem lines marked in the text itself: one band of the textarea's background per line, where the line
    /// sits (6px padding, 20px lines, as in design.css).
    /// </summary>
    public static string? MarkedLines(IEnumerable<int> lines)
    {
        var bands = lines.Order().Select(n => (Top: 6 + (n - 1) * 20, Bottom: 6 + n * 20))
            .Select(b => $"linear-gradient(transparent {b.Top}px, #fdecee {b.Top}px, #fdecee {b.Bottom}px, transparent {b.Bottom}px)")
            .ToList();
        return bands.Count == 0 ? null : $"background: {string.Join(", ", bands)};";
    }

    /// <summary>
    /// A problem's link moves the editor's cursor to its line and column and brings the line into view. Without the script the
    /// link still leads to the line in the numbered copy below the editor.
    /// </summary>
    public const string GoToLineScript = """
        <script>
        document.addEventListener('click', function (e) {
            var link = e.target.closest && e.target.closest('a[data-line]'), editor = document.getElementById('source');
            if (!link || !editor) return;
            var line = +link.dataset.line, column = +link.dataset.column || 1, lines = editor.value.split('\n'), at = 0;
            for (var i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
            at += Math.min(column - 1, (lines[line - 1] || '').length);
            e.preventDefault();
            editor.focus({ preventScroll: true });
            editor.setSelectionRange(at, at);
            var top = editor.getBoundingClientRect().top + window.scrollY + (line - 1) * 20;
            window.scrollTo({ top: Math.max(0, top - window.innerHeight / 3) });
        });
        </script>
        """;

    /// <summary>A procedure's name as a heading or list item reads it: its first letter a capital.</summary>
    public static string ProcedureName(this CitizenWords words, string language, string workflowId) =>
        words.Procedure(language, workflowId) is { Length: > 0 } name ? char.ToUpperInvariant(name[0]) + name[1..] : workflowId;

    /// <summary>A value typed on the simulation form as the JSON value of its field's type; null when it does not read.</summary>
    public static JsonElement? Value(DataField field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        text = text.Trim();
        return field.Type switch
        {
            FieldType.Number => decimal.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n)
                ? JsonSerializer.SerializeToElement(n) : null,
            FieldType.YesNo => text is "true" or "false" ? JsonSerializer.SerializeToElement(text == "true") : null,
            _ => JsonSerializer.SerializeToElement(text),
        };
    }
}
