using Microsoft.Extensions.Localization;
using Workflow.Api.Tracking;
using Workflow.Core.Definitions;
using Workflow.Design;
using Workflow.Store.Notifications;

namespace Workflow.Api.Workspace.Design;

/// <summary>A procedure drawn for the designers' pages, with the same layout as the BPMN export and the case page's map.</summary>
public static class DesignDiagram
{
    /// <summary>The procedure's drawing (lanes per agency) in the reader's language, with a path highlighted when given.</summary>
    public static string Svg(WorkflowDefinition definition, CitizenWords words, string language, IStringLocalizer texts,
        IReadOnlySet<string>? highlight = null, string id = "diagram")
    {
        var english = DiagramWords.English;
        var diagramWords = new DiagramWords
        {
            Received = texts["Diagram.Received"], Approved = texts["Diagram.Approved"], Rejected = texts["Diagram.Rejected"],
            Escalated = texts["Diagram.Escalated"], Lapsed = texts["Diagram.Lapsed"], Citizen = texts["Diagram.Citizen"],
            Correct = texts["Diagram.Correct"], Decision = texts["Diagram.Decision"], WhichApply = texts["Diagram.WhichApply"],
            Approve = texts["Diagram.Approve"], Reject = texts["Diagram.Reject"], Return = texts["Diagram.Return"],
            Always = texts["Diagram.Always"], When = texts["Diagram.When"], ApproveWhen = texts["Diagram.ApproveWhen"],
            WorkingDay = texts["Diagram.WorkingDay"], WorkingDays = texts["Diagram.WorkingDays"],
            CalendarDays = texts["Diagram.CalendarDays"],
        };
        return DiagramSvg.Render(Workflow.Design.Layout.Of(definition), new DiagramOptions
        {
            Title = texts["Diagram.Title", words.Procedure(language, definition.Id) is { } name && name != definition.Id
                ? name : definition.Title, definition.Version],
            Id = id,
            Words = language == Languages.English ? english : diagramWords,
            LaneName = agency => words.Agency(language, agency),
            StepTitle = step => words.Step(language, definition.Id, step, definition.FindStep(step)?.Title),
            Highlight = highlight,
        });
    }

}
