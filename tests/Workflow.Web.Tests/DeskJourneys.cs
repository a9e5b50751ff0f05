using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Workflow.Api.Workspace;
using Workflow.Core.Access;
using Workflow.Core.Applications;
using Workflow.Store.Applications;

namespace Workflow.Web.Tests;

/// <summary>The agency desk's own work on a case page: the return cap and the people directory.</summary>
public sealed class when_an_agency_works_a_case_at_its_desk(WorkspaceFixture workspace) : CaseJourney(workspace)
{
    [Fact]
    public async Task past_the_return_cap_only_the_supervisor_returns_again_naming_a_listed_requirement()
    {
        var clerk = await SignedInAsync(Clerk);
        var receipt = await ReceiveAsync(clerk, "en", "cap-counter");
        await DecideAsync(clerk, receipt, "Approve", "complete", "cap-intake");
        var officer = await SignedInAsync(Registrar);
        await DecideAsync(officer, receipt, "Return for correction", "the capital is not paid in", "cap-first-return");
        // The officer reads where the file is in staff words, not the citizen's.
        await Expect(officer.Locator(".status")).ToContainTextAsync("Returned to the applicant for correction on");
        await Expect(officer.Locator(".status")).ToContainTextAsync("waiting for the counter");
        await Expect(officer.Locator(".status")).Not.ToContainTextAsync("to you");
        await CorrectAsync(clerk, receipt, "the bank's proof of capital was added", "cap-correction");

        // The procedure allows one return: the officer is not offered a reason code, and a second return is refused.
        await officer.GotoAsync(receipt.CaseAddress);
        await Expect(officer.GetByLabel("Which listed requirement is missing (needed for a further return)")).ToHaveCountAsync(0);
        await officer.GetByLabel("Return for correction", new() { Exact = true }).CheckAsync();
        await officer.GetByRole(AriaRole.Textbox, new() { Name = "Reason (required)", Exact = true }).FillAsync("still unclear");
        await officer.GetByRole(AriaRole.Button, new() { Name = "Record the decision" }).ClickAsync();
        await Expect(officer.GetByRole(AriaRole.Alert)).ToContainTextAsync("Only the head of office may return it again");
        await ScreenshotAsync(officer, "cap-officer-refused");

        var supervisor = await SignedInAsync(RegistrySupervisor);
        await supervisor.GotoAsync(receipt.CaseAddress);
        var code = supervisor.GetByLabel("Which listed requirement is missing (needed for a further return)");
        // The procedure's listed documents and data fields, in plain words.
        await Expect(code.Locator("option")).ToContainTextAsync(["Choose…", "Application form", "Owner's identity card",
            "Articles of association", "Name of the enterprise"]);
        await AccessibleAsync(supervisor);
        await ScreenshotAsync(supervisor, "cap-supervisor-form");
        await DecideAsync(supervisor, receipt, "Return for correction", "the identity card has expired", "cap-supervisor-return",
            reasonCode: "Owner's identity card");
        await Expect(supervisor.Locator(".timeline li", new() { HasText = "Returned for correction" })).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task a_supervisor_gives_a_step_to_a_colleague_chosen_from_the_people_directory_and_no_one_else()
    {
        var clerk = await SignedInAsync(Clerk);
        var receipt = await ReceiveAsync(clerk, "en", "directory-counter");
        await DecideAsync(clerk, receipt, "Approve", "complete", "directory-intake");
        var people = Workspace.Factory.Services.GetRequiredService<People>();
        var colleague = people.Find(Registrar2)!.Name;

        // An officer delegates only to colleagues of his own office, never to himself.
        var officer = await SignedInAsync(Registrar);
        await officer.GotoAsync(receipt.CaseAddress);
        var delegates = await officer.GetByLabel("Colleague", new() { Exact = true }).Locator("option").AllInnerTextsAsync();
        delegates.ShouldContain(colleague);
        delegates.ShouldNotContain(people.Find(Registrar)!.Name);
        delegates.ShouldNotContain(people.Find(SealOfficer1)!.Name);

        var supervisor = await SignedInAsync(RegistrySupervisor);
        await supervisor.GotoAsync(receipt.CaseAddress);
        var to = supervisor.GetByLabel("Officer who takes the step");
        await to.SelectOptionAsync(new SelectOptionValue { Label = colleague });
        await supervisor.GetByLabel("Why you give it").FillAsync("officer 1 is on leave");
        await supervisor.GetByRole(AriaRole.Button, new() { Name = "Give the step" }).ClickAsync();
        await Expect(supervisor.GetByRole(AriaRole.Alert)).ToContainTextAsync("Recorded.");
        await Expect(supervisor.Locator(".steps")).ToContainTextAsync($"worked on by {colleague}");
        await ScreenshotAsync(supervisor, "directory-reassigned");

        // A name the list did not offer is refused by the server and changes nothing.
        await to.EvaluateAsync("s => { s.add(new Option('Mallory', 'mallory')); s.value = 'mallory'; }");
        await supervisor.GetByLabel("Why you give it").FillAsync("a stranger");
        await supervisor.GetByRole(AriaRole.Button, new() { Name = "Give the step" }).ClickAsync();
        await Expect(supervisor.GetByRole(AriaRole.Alert)).ToContainTextAsync("Choose a colleague of your office from the list.");
        await Expect(supervisor.Locator(".timeline li", new() { HasText = "Step given to another officer" })).ToHaveCountAsync(1);
        await Expect(supervisor.Locator(".steps")).ToContainTextAsync($"worked on by {colleague}");
    }

    [Fact]
    public async Task a_step_that_changed_hands_as_often_as_it_may_is_refused_in_plain_words_in_English_and_Lao()
    {
        var clerk = await SignedInAsync(Clerk);
        var receipt = await ReceiveAsync(clerk, "en", "hand-over-counter");
        await DecideAsync(clerk, receipt, "Approve", "complete", "hand-over-intake");
        // Claimed and let go in a loop, as often as a step may change hands.
        var commands = Workspace.Factory.Services.GetRequiredService<ApplicationCommands>();
        var looper = new Actor(Registrar2, "Registrar 2", "moic-enterprise-registration", Roles.Officer, "VTE");
        for (var i = 0; i < Decider.MaxHandOversPerStep; i++)
        {
            await commands.HandleAsync(receipt.Id, null, new ClaimStep("register", null, looper), new CommandContext("loop"));
            await commands.HandleAsync(receipt.Id, null, new ReleaseStep("register", "back to the pool", looper), new CommandContext("loop"));
        }
        var colleague = Workspace.Factory.Services.GetRequiredService<People>().Find(Registrar)!.Name;

        var supervisor = await SignedInAsync(RegistrySupervisor);
        await supervisor.GotoAsync(receipt.CaseAddress);
        await supervisor.GetByLabel("Officer who takes the step").SelectOptionAsync(new SelectOptionValue { Label = colleague });
        await supervisor.GetByLabel("Why you give it").FillAsync("officer 1 knows the company");
        await supervisor.GetByRole(AriaRole.Button, new() { Name = "Give the step" }).ClickAsync();
        var refusal = supervisor.GetByRole(AriaRole.Alert);
        await Expect(refusal).ToContainTextAsync("This step has changed hands 20 times, the most a step may. It can still be decided");
        await Expect(refusal).Not.ToContainTextAsync("hand-over-limit");
        await Expect(supervisor.Locator(".timeline li", new() { HasText = "Step given to another officer" })).ToHaveCountAsync(0);
        await ScreenshotAsync(supervisor, "hand-over-limit-en");
        await AccessibleAsync(supervisor);

        var officer = await SignedInAsync(Registrar, "lo");
        await officer.GotoAsync("/desk");
        await officer.GetByRole(AriaRole.Button, new() { NameRegex = new Regex($"ຂ້ອຍຈະເຮັດ: .*, {receipt.TrackingNumber}") }).ClickAsync();
        await Expect(officer.GetByRole(AriaRole.Alert)).ToContainTextAsync("ຂັ້ນຕອນນີ້ໄດ້ປ່ຽນມືມາແລ້ວ 20 ເທື່ອ");
        await ScreenshotAsync(officer, "hand-over-limit-lo");
        await AccessibleAsync(officer);

        // Still decided: nobody holds it, so any officer of the agency may.
        await DecideAsync(await SignedInAsync(Registrar), receipt, "Approve", "registered", "hand-over-decided");
        await using var session = Workspace.Factory.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession();
        (await session.LoadAsync<ApplicationDetails>(receipt.Id))!.OpenSteps.ShouldNotContain(s => s.StepId == "register");
    }
}
