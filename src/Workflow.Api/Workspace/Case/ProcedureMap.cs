using System.Globalization;
using System.Resources;
using Workflow.Api.Tracking;
using Workflow.Core.Definitions;
using Workflow.Design;
using Workflow.Store.Applications;

namespace Workflow.Api.Workspace.Case;

/// <summary>The resources <c>MapTexts.resx</c> (English) and <c>MapTexts.lo.resx</c> (Lao): the words of a procedure map.</summary>
public sealed class MapTexts;

/// <summary>
/// The procedure map of one case as SVG, drawn on the server from the same layout as the BPMN export, so the map and
/// the file designers open in BPMN tools never disagree. Each step is drawn done, open (with its due date and holder),
/// returned to the citizen, not needed or not reached, with its words in the reader's language. The layout is never
/// wider than the page (<see cref="Workflow.Design.Layout.MaxWidth"/>): a long procedure continues in a further row.
/// </summary>
public static class ProcedureMap
{
    private static readonly ResourceManager Words = new(typeof(MapTexts));

    public static string Svg(WorkflowDefinition definition, WorkflowCatalog catalog, ApplicationDetails details, CitizenWords words,
        string language, Func<string, string> text)
    {
        var culture = CultureInfo.GetCultureInfo(language);
        string Word(string key) => Words.GetString(key, culture) ?? key;
        var marks = new Dictionary<string, StepMark>();
        foreach (var step in definition.Steps)
        {
            var open = details.OpenSteps.FirstOrDefault(s => s.StepId == step.Id);
            var done = details.CompletedSteps.LastOrDefault(s => s.StepId == step.Id);
            marks[step.Id] = open is not null
                ? open.AwaitingCorrection
                    ? new StepMark(StepState.Returned, text("Map.WithCitizen"))
                    : new StepMark(StepState.Open,
                        string.Format(CultureInfo.InvariantCulture, text("Map.Due"), CitizenWords.Date(language, open.DueAt))
                        + (open.Holder is { } holder ? $", {holder.Name}" : ""))
                : done is null ? new StepMark(StepState.NotReached, text("Map.NotReached"))
                : done.Outcome == "skipped" ? new StepMark(StepState.Skipped, text("Outcome.skipped"))
                : new StepMark(StepState.Done, text($"Outcome.{done.Outcome}"));
        }
        string Title(string step) => words.Step(language, definition.Id, step, definition.FindStep(step)?.Title);
        return DiagramSvg.Render(Workflow.Design.Layout.Of(definition), new DiagramOptions
        {
            Title = text("Map.Title"),
            // What a screen reader says for the picture: each step and where the case stands at it.
            Description = string.Join("; ", definition.Steps.Select(s => $"{Title(s.Id)}: {marks[s.Id].Note}")),
            Id = "procedure-map",
            Class = "map",
            LaneName = agency => words.Agency(language, agency),
            StepTitle = Title,
            Steps = marks,
            Words = new DiagramWords
            {
                Received = Word("Received"), Approved = Word("Approved"), Rejected = Word("Rejected"), Escalated = Word("Escalated"),
                Lapsed = Word("Lapsed"), Citizen = text("Map.Citizen"), Correct = text("Map.Correct"), Decision = Word("Decision"),
                WhichApply = Word("WhichApply"), Approve = Word("Approve"), Reject = Word("Reject"), Return = Word("Return"),
                Always = Word("Always"), When = Word("When"), ApproveWhen = Word("ApproveWhen"), WorkingDay = Word("WorkingDay"),
                WorkingDays = Word("WorkingDays"), CalendarDays = Word("CalendarDays"),
            },
        });
    }
}
