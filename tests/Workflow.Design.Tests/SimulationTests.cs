using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Design;
using static Workflow.Core.Tests.Procedures;

namespace Workflow.Design.Tests;

public class when_a_designer_simulates_a_procedure
{
    [Fact]
    public void enterprise_registration_from_10_april_2024_places_its_due_dates_across_pi_mai()
    {
        var start = Lao(2024, 4, 10, 9);
        var result = Simulation.Run(Get("enterprise-registration"), Catalog.Calendars.ForCentre("VTE", start),
            Data(Company()), start);

        DateTimeOffset Due(string step) => result.Steps.Single(s => s.StepId == step).DueAt;
        Due("intake").ShouldBe(Lao(2024, 4, 11, 16));
        Due("register").ShouldBe(Lao(2024, 5, 2, 16), "13-18 April (Pi Mai, its days in lieu, a weekend) and 1 May are not counted");
        Due("social-security").ShouldBe(Lao(2024, 5, 6, 16));
        Due("seal").ShouldBe(Lao(2024, 5, 9, 16));
        Due("handover").ShouldBe(Lao(2024, 5, 10, 16));
        result.LegalDueAt.ShouldBe(Lao(2024, 5, 13, 16));
        result.Status.ShouldBe("approved");
        result.WorkingDaysUsed.ShouldBe(16);
        result.WithinLegalDeadline.ShouldBeTrue();
    }

    [Fact]
    public void a_return_sends_the_file_to_the_citizen_and_back_the_next_morning()
    {
        var start = Lao(2024, 6, 3, 9);
        var result = Simulation.Run(Get("enterprise-registration"), Catalog.Calendars.ForCentre("VTE", start),
            Data(Company(employees: false)), start,
            new Dictionary<string, StepOutcome> { ["register"] = StepOutcome.Return });

        result.Steps.Where(s => s.StepId == "register").Select(s => s.Outcome).ShouldBe(["return", "approve"]);
        result.Steps.Where(s => s.StepId == "register").Last().OpenedAt
            .ShouldBe(Lao(2024, 6, 19, 8), "returned at closing time on its due day, 18 June");
        result.Skipped.ShouldBe(["social-security"]);
        result.Status.ShouldBe("approved");
    }

    [Fact]
    public void the_simulation_of_a_paused_procedure_with_a_return_runs_to_its_end()
    {
        var start = Lao(2024, 6, 3, 9);

        var result = Simulation.Run(Get("land-title-transfer"), Catalog.Calendars.ForCentre("VTE", start), Data(Parcel),
            start, new Dictionary<string, StepOutcome> { ["title-check"] = StepOutcome.Return });

        result.Status.ShouldBe("approved");
        result.Steps.Count(step => step.StepId == "title-check").ShouldBe(2);
    }

    [Fact]
    public void all_paths_are_listed_by_the_language_rule_with_the_working_days_after_the_completeness_check()
    {
        var paths = Paths.All(Get("construction-permit"), Paths.MaxListed);

        paths.ShouldContain(p => p.Steps.SequenceEqual(new[]
            { "intake", "land-title-check", "site-inspection", "district-decision", "fee-and-issue", "approved" }));
        paths.Max(p => p.WorkingDays).ShouldBe(22);
    }

    [Fact]
    public void a_returned_case_that_finished_before_its_deadline_is_never_printed_as_more_days_than_the_legal_deadline()
    {
        var start = Lao(2024, 6, 3, 9);
        var calendar = Catalog.Calendars.ForCentre("VTE", start);
        var definition = Get("enterprise-registration");
        var result = Simulation.Run(definition, calendar, Data(Company()), start,
            new Dictionary<string, StepOutcome> { ["register"] = StepOutcome.Return });

        var line = Simulation.Summary(result, definition, calendar);

        line.ShouldContain("finished 2024-07-11 16:00: 16 of 17 working days on the legal clock (1 to spare)");
        line.ShouldContain("27 working days from the completeness check to the end, the citizen's correction included");
        line.ShouldNotContain("27 of 17");
        line.ShouldNotContain("OVER");
    }

    [Fact]
    public void a_case_without_a_return_prints_the_days_on_the_legal_clock()
    {
        var start = Lao(2024, 4, 10, 9);
        var calendar = Catalog.Calendars.ForCentre("VTE", start);
        var definition = Get("enterprise-registration");
        var result = Simulation.Run(definition, calendar, Data(Company()), start);

        Simulation.Summary(result, definition, calendar).ShouldBe(
            "approved; complete 2024-04-11 16:00, legal deadline 2024-05-13 16:00, finished 2024-05-10 16:00: " +
            "16 of 17 working days on the legal clock (1 to spare)");
    }

    [Fact]
    public void every_path_is_printed_with_each_steps_deadline()
    {
        var definition = Get("enterprise-registration");

        var lines = Paths.All(definition, Paths.MaxListed).Select(p => Simulation.Describe(p, definition)).ToList();

        lines.ShouldContain(" 16 of 17 working days (1 to spare)  " +
                            "intake (1 wd, before the clock) -> register (10 wd) -> seal (5 wd) -> handover (1 wd) -> approved");
        lines.ShouldContain(" 10 of 17 working days (7 to spare)  intake (1 wd, before the clock) -> register (10 wd) -> rejected");
    }
}
