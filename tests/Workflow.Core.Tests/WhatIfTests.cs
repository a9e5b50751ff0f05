using System.Text.Json;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Core.WhatIf;

namespace Workflow.Core.Tests;

/// <summary>
/// The mapping rules of what-if from history (README, What-if from history) on one case recorded by the decider at the
/// Vientiane centre in June 2024 (no public holiday closes offices): a check that returns the file once, then a decision.
/// </summary>
public class when_a_recorded_case_is_replayed_through_a_draft
{
    private const string Flow = """
        id: flow
        version: 1
        title: A check, then a decision
        deadline: 10 working days
        on_return: pause
        data:
          name: { type: text, required: true }
        steps:
          intake:
            agency: odsc
            title: Intake
            deadline: 1 working day
            approve: check
          check:
            agency: a
            title: Check the file
            deadline: 4 working days
            approve: decide
            return: citizen
          decide:
            agency: b
            title: Decide
            deadline: 4 working days
            approve: approved
            reject: rejected
        """;

    private static readonly WorkflowDefinition Recorded = Procedures.Parse(Flow);

    private static DateTimeOffset June(int day, int hour) => Procedures.Lao(2024, 6, day, hour);

    /// <summary>
    /// Complete Mon 3 June 10:00; the check returns the file Wed 5 June 11:00; the citizen corrects it Mon 10 June 09:00; the
    /// check approves Tue 11 June 10:00; the decision approves Thu 13 June 14:00: 8 working days from completeness.
    /// </summary>
    private static CaseHistory History()
    {
        var events = new List<object>();
        Application? state = null;
        void Do(ApplicationCommand command, DateTimeOffset at)
        {
            foreach (var e in Decider.Decide(command, state, Recorded, Procedures.Catalog.Calendars.ForCentre("VTE", at), at))
            {
                state = Application.Evolve(state, e);
                events.Add(e);
            }
        }
        var id = Guid.Parse("00000000-0000-4000-8000-0000000000f1");
        Do(new SubmitApplication(id, "VTE-1", "VTE", "counter", new Applicant("Noy"), Procedures.Data(new() { ["name"] = "Noy" }), [],
            Scenario.Clerk), June(3, 9));
        Do(new DecideStep("intake", StepOutcome.Approve, "complete", null, Scenario.Clerk), June(3, 10));
        Do(new DecideStep("check", StepOutcome.Return, "a page is missing", null, Scenario.Officer("a")), June(5, 11));
        Do(new SubmitCorrection(new Dictionary<string, JsonElement>(), [], "page added", Scenario.Clerk), June(10, 9));
        Do(new DecideStep("check", StepOutcome.Approve, "in order", null, Scenario.Officer("a")), June(11, 10));
        Do(new DecideStep("decide", StepOutcome.Approve, "granted", null, Scenario.Officer("b")), June(13, 14));
        return CaseHistory.From(id, events, Procedures.Catalog.Calendars)!;
    }

    private static CaseReplay Replay(string draft) =>
        HistoryReplay.Replay(History(), Procedures.Parse(draft), Procedures.Catalog.Calendars);

    [Fact]
    public void the_recorded_case_is_what_happened()
    {
        var actual = History().Actual;

        (actual.Status, actual.Verdict, actual.WorkingDays, actual.Returns).ShouldBe(("approved", CaseTimeliness.OnTime, 8, 1));
        actual.Steps.Select(s => (s.StepId, s.WorkingDays)).ShouldBe([("intake", 0), ("check", 2), ("check", 1), ("decide", 2)]);
    }

    [Fact]
    public void a_renamed_step_of_the_same_agency_takes_the_recorded_decisions()
    {
        var replay = Replay(Flow.Replace("approve: check", "approve: verify").Replace("  check:", "  verify:"));

        replay.Unmappable.ShouldBeNull();
        replay.Draft!.Steps.Select(s => (s.StepId, s.WorkingDays)).ShouldBe([("intake", 0), ("verify", 2), ("verify", 1), ("decide", 2)]);
        replay.Draft.WorkingDays.ShouldBe(8);
    }

    [Fact]
    public void a_removed_step_goes_with_its_return_and_the_correction_of_it()
    {
        var check = Flow.IndexOf("  check:", StringComparison.Ordinal);
        var replay = Replay((Flow[..check] + Flow[Flow.IndexOf("  decide:", StringComparison.Ordinal)..])
            .Replace("approve: check", "approve: decide"));

        // The decision opens at the completeness check (Mon 3 June 10:00), 6 working days before it opened in the history, and
        // keeps its 2 working days: Wed 5 June 14:00, 2 working days from completeness, with no return.
        replay.Unmappable.ShouldBeNull();
        (replay.Draft!.Verdict, replay.Draft.WorkingDays, replay.Draft.Returns, replay.Draft.DecidedAt)
            .ShouldBe((CaseTimeliness.OnTime, 2, 0, June(5, 14)));
    }

    [Fact]
    public void a_correction_later_than_the_drafts_window_lets_the_case_lapse()
    {
        // Two calendar days after the return (Wed 5 June) end on Fri 7 June; the citizen came back on Mon 10 June.
        var replay = Replay(Flow.Replace("on_return: pause", "on_return: pause\ncorrection_deadline: 2 calendar days"));

        replay.Unmappable.ShouldBeNull();
        (replay.Draft!.Status, replay.Draft.Verdict).ShouldBe(("lapsed", (string?)null));
    }

    [Fact]
    public void a_draft_that_asks_for_data_the_case_never_gave_cannot_map_it()
    {
        var replay = Replay(Flow.Replace("  name: { type: text, required: true }",
            "  name: { type: text, required: true }\n  phone: { type: text, required: true }"));

        replay.Draft.ShouldBeNull();
        replay.Unmappable!.ShouldContain("does not accept the recorded data");
        replay.Unmappable!.ShouldContain("phone");
    }
}
