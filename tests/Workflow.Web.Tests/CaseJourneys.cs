using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Workflow.Web.Tests;

/// <summary>A case through the browser, from the counter to the citizen's rating, one person's task per test.</summary>
public sealed class when_people_work_a_case_in_the_browser(WorkspaceFixture workspace) : CaseJourney(workspace)
{
    [Fact]
    public async Task a_clerk_receives_an_application_and_prints_the_receipt()
    {
        var page = await Workspace.WindowAsync();
        await SignInAsync(page, Clerk);
        await ChooseLanguageAsync(page, "en");
        var receipt = await ReceiveAsync(page, "en", "counter");

        receipt.TrackingNumber.ShouldMatch(@"^VTE-\d{4}-\d+$");
        receipt.AccessCode.Length.ShouldBeGreaterThan(5);
        var text = await page.Locator("main").InnerTextAsync();
        text.ShouldContain("Application form");
        text.ShouldContain("Owner's identity card");
        text.ShouldContain("Expected decision by");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Print the receipt" })).ToBeVisibleAsync();
        // The page's looks come from the host itself, no network beyond it.
        (await page.APIRequest.GetAsync("/_content/MudBlazor/MudBlazor.min.css")).Status.ShouldBe(200);
        (await page.APIRequest.GetAsync("/workspace.css")).Status.ShouldBe(200);
        await AccessibleAsync(page);
    }

    [Fact]
    public async Task a_company_without_its_articles_is_not_received_and_the_clerk_is_told_which_document_is_missing()
    {
        var clerk = await SignedInAsync(Clerk);
        await FillTheCounterFormAsync(clerk, "en", "company");
        await clerk.GetByRole(AriaRole.Button, new() { Name = "Receive and print the receipt" }).ClickAsync();

        await Expect(clerk.GetByRole(AriaRole.Alert))
            .ToContainTextAsync("Articles of association: needed for this request. Tick it when the applicant hands it in.");
        await Expect(clerk.GetByRole(AriaRole.Alert)).Not.ToContainTextAsync("enterprise_type");
        await Expect(clerk.GetByLabel("Owner's identity card")).ToBeCheckedAsync();
        await Expect(clerk.GetByLabel("Name of the enterprise")).ToHaveValueAsync("Mekong Rice Trading");
        await ScreenshotAsync(clerk, "counter-missing-document");
        await AccessibleAsync(clerk);
        await using (var session = Workspace.Factory.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession())
            (await Marten.QueryableExtensions.CountAsync(session.Query<Workflow.Store.Applications.ApplicationDetails>())).ShouldBe(0);

        await clerk.GetByLabel("Articles of association").CheckAsync();
        await clerk.GetByRole(AriaRole.Button, new() { Name = "Receive and print the receipt" }).ClickAsync();
        await Expect(clerk.GetByTestId("tracking-number")).ToHaveTextAsync(new Regex(@"^VTE-\d{4}-\d+$"));
        await Expect(clerk.Locator(".receipt")).ToContainTextAsync("Articles of association");
    }

    [Fact]
    public async Task an_officer_returns_the_step_the_citizen_sees_in_Lao_what_to_correct_and_the_clerk_records_it()
    {
        var clerk = await Workspace.WindowAsync();
        await SignInAsync(clerk, Clerk);
        await ChooseLanguageAsync(clerk, "en");
        var receipt = await ReceiveAsync(clerk, "en", "return-counter");
        await DecideAsync(clerk, receipt, "Approve", "all documents present", "return-intake");

        var officer = await Workspace.WindowAsync();
        await SignInAsync(officer, Registrar);
        await ChooseLanguageAsync(officer, "en");
        await officer.GotoAsync("/desk");
        var claim = officer.GetByRole(AriaRole.Button,
            new() { NameRegex = new Regex($"I will work on it: .*, {receipt.TrackingNumber}") });
        await claim.ClickAsync();
        await Expect(officer.GetByRole(AriaRole.Button, new() { NameRegex = new Regex($"Let it go: .*, {receipt.TrackingNumber}") }))
            .ToBeVisibleAsync();
        await ScreenshotAsync(officer, "return-inbox");
        await AccessibleAsync(officer);
        await officer.GetByRole(AriaRole.Link, new() { Name = $"Open application {receipt.TrackingNumber}" }).ClickAsync();
        await DecideAsync(officer, receipt, "Return for correction", "the enterprise name is not in Lao script", "return-case",
            comment: "add the name in Lao");
        // The map: the completeness check done, registration open (with the citizen), the later steps not reached.
        await Expect(officer.Locator("svg.map g.step.done")).ToHaveCountAsync(1);
        await Expect(officer.Locator("svg.map g.step.open")).ToContainTextAsync("with the citizen");
        await Expect(officer.Locator("svg.map g.step.not-reached")).ToHaveCountAsync(3);
        await AccessibleAsync(officer);

        var citizen = await Workspace.WindowAsync("lo");
        await TrackAsync(citizen, receipt, "ສະແດງຄຳຮ້ອງຂອງຂ້ອຍ");
        var answer = await citizen.Locator("main").InnerTextAsync();
        answer.ShouldContain("ສິ່ງທີ່ຕ້ອງແກ້ໄຂ");
        answer.ShouldContain("the enterprise name is not in Lao script");
        answer.ShouldContain("add the name in Lao");
        // Never the identity number or the contact, even to the one holding the code.
        answer.ShouldNotContain("0123456");
        answer.ShouldNotContain("5555");
        answer.ShouldNotContain("somchai@example.la");
        await ScreenshotAsync(citizen, "return-tracking-lo");
        await AccessibleAsync(citizen);

        // The applicant chose Lao at the counter: the receipt and the return reach his mailbox in Lao.
        await Workspace.SendMailAsync();
        var mails = Workspace.Smtp.Received.Where(m => m.Subject?.Contains(receipt.TrackingNumber) == true).ToList();
        mails.Select(m => m.Subject).ShouldBe(
            [$"ໄດ້ຮັບຄຳຮ້ອງເລກທີ {receipt.TrackingNumber} ແລ້ວ", $"ຄຳຮ້ອງເລກທີ {receipt.TrackingNumber}: ກະລຸນາແກ້ໄຂ"], ignoreOrder: true);
        mails.ShouldAllBe(m => m.To.Mailboxes.Single().Address == "somchai@example.la");
        (mails.Single(m => m.Subject!.EndsWith("ກະລຸນາແກ້ໄຂ")).TextBody ?? "").ShouldContain("the enterprise name is not in Lao script");
        mails.ShouldAllBe(m => m.TextBody != null && !m.TextBody.Contains("0123456"));

        await CorrectAsync(clerk, receipt, "the Lao name was added", "return-correction");
    }

    [Fact]
    public async Task a_stale_page_is_told_that_someone_decided_meanwhile_and_nothing_is_overwritten()
    {
        var clerk = await Workspace.WindowAsync();
        await SignInAsync(clerk, Clerk);
        await ChooseLanguageAsync(clerk, "en");
        var receipt = await ReceiveAsync(clerk, "en", "stale-counter");
        await DecideAsync(clerk, receipt, "Approve", "complete", "stale-intake");

        var first = await Workspace.WindowAsync();
        await SignInAsync(first, Registrar);
        await ChooseLanguageAsync(first, "en");
        await first.GotoAsync(receipt.CaseAddress);
        var second = await Workspace.WindowAsync();
        await SignInAsync(second, "moic-enterprise-registration-officer-2");
        await ChooseLanguageAsync(second, "en");
        await DecideAsync(second, receipt, "Approve", "registered", "stale-second");

        await first.GetByLabel("Return for correction").CheckAsync();
        await first.GetByRole(AriaRole.Textbox, new() { Name = "Reason (required)", Exact = true }).FillAsync("the name is missing");
        await first.GetByRole(AriaRole.Button, new() { Name = "Record the decision" }).ClickAsync();
        await Expect(first.GetByRole(AriaRole.Alert)).ToContainTextAsync("Someone decided this step meanwhile");
        await Expect(first.Locator(".timeline")).Not.ToContainTextAsync("Returned for correction");
        await ScreenshotAsync(first, "stale-case");
    }

    [Fact]
    public async Task two_officers_approve_a_four_eyes_step_and_the_citizen_sees_the_result_and_rates_it()
    {
        var clerk = await Workspace.WindowAsync();
        await SignInAsync(clerk, Clerk);
        await ChooseLanguageAsync(clerk, "en");
        var receipt = await ReceiveAsync(clerk, "en", "four-eyes-counter");
        await DecideAsync(clerk, receipt, "Approve", "complete", "four-eyes-intake");

        var registrar = await Workspace.WindowAsync();
        await SignInAsync(registrar, Registrar);
        await ChooseLanguageAsync(registrar, "en");
        await registrar.GotoAsync(receipt.CaseAddress);
        await DecideAsync(registrar, receipt, "Approve", "registered", "four-eyes-register");

        var first = await Workspace.WindowAsync();
        await SignInAsync(first, SealOfficer1);
        await ChooseLanguageAsync(first, "en");
        await DecideAsync(first, receipt, "Approve", "seal registered", "four-eyes-first");
        await Expect(first.Locator(".steps")).ToContainTextAsync("waiting for a second officer");

        var second = await Workspace.WindowAsync();
        await SignInAsync(second, SealOfficer2);
        await ChooseLanguageAsync(second, "en");
        await second.GotoAsync("/desk");
        await Expect(second.Locator("table.inbox")).ToContainTextAsync("waiting for a second officer");
        await ScreenshotAsync(second, "four-eyes-inbox");
        await DecideAsync(second, receipt, "Confirm the approval", "checked the file", "four-eyes-second");
        await Expect(second.Locator(".timeline")).ToContainTextAsync("Approval confirmed by a second officer");

        await DecideAsync(clerk, receipt, "Approve", "certificate handed over", "four-eyes-handover");
        await Expect(clerk.Locator(".status")).ToContainTextAsync("Approved");

        var citizen = await Workspace.WindowAsync();
        await citizen.GotoAsync("/");
        await ChooseLanguageAsync(citizen, "en");
        await TrackAsync(citizen, receipt, "Show my application");
        await Expect(citizen.Locator(".result")).ToBeVisibleAsync();
        await citizen.GetByLabel("5, very good").CheckAsync();
        await citizen.GetByLabel("Comment (optional)").FillAsync("quick and clear");
        await citizen.GetByRole(AriaRole.Button, new() { Name = "Send my rating" }).ClickAsync();
        await Expect(citizen.GetByRole(AriaRole.Status)).ToBeVisibleAsync();
        await Expect(citizen.GetByRole(AriaRole.Button, new() { Name = "Send my rating" })).ToHaveCountAsync(0);
        await ScreenshotAsync(citizen, "four-eyes-rated");
    }

    [Fact]
    public async Task a_whole_return_reads_in_Lao_for_the_clerk_the_officer_and_the_citizen()
    {
        var clerk = await SignedInAsync(Clerk, "lo");
        var receipt = await ReceiveAsync(clerk, "lo", "lao-counter");
        await Expect(clerk.Locator("html")).ToHaveAttributeAsync("lang", "lo");
        var text = await clerk.Locator("main").InnerTextAsync();
        text.ShouldContain("ໃບຮັບຄຳຮ້ອງ");
        text.ShouldContain("ເລກຕິດຕາມ");
        text.ShouldContain("ແບບຟອມຄຳຮ້ອງ");
        text.ShouldNotContain("Receipt");
        await DecideAsync(clerk, receipt, "ອະນຸມັດ", "ເອກະສານຄົບ", "lao-intake", language: "lo");

        var officer = await SignedInAsync(Registrar, "lo");
        await officer.GotoAsync("/desk");
        await Expect(officer.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("ວຽກຂອງຫ້ອງການ");
        await AccessibleAsync(officer);
        await ScreenshotAsync(officer, "lao-inbox");
        await DecideAsync(officer, receipt, "ສົ່ງຄືນໃຫ້ແກ້ໄຂ", "ຊື່ວິສາຫະກິດບໍ່ແມ່ນອັກສອນລາວ", "lao-return",
            comment: "ກະລຸນາຂຽນຊື່ເປັນພາສາລາວ", language: "lo");
        await Expect(officer.Locator(".status")).ToContainTextAsync("ສົ່ງຄືນໃຫ້ຜູ້ຍື່ນແກ້ໄຂ");
        var page = await officer.Locator("main").InnerTextAsync();
        foreach (var english in new[] { "Record", "Reason", "Approve", "Returned", "What happened", "due ", "Step" })
            page.ShouldNotContain(english);
        await AccessibleAsync(officer);

        var citizen = await Workspace.WindowAsync("lo");
        await TrackAsync(citizen, receipt, "ສະແດງຄຳຮ້ອງຂອງຂ້ອຍ");
        var answer = await citizen.Locator("main").InnerTextAsync();
        answer.ShouldContain("ສິ່ງທີ່ຕ້ອງແກ້ໄຂ");
        answer.ShouldContain("ກະລຸນາຂຽນຊື່ເປັນພາສາລາວ");
        answer.ShouldNotContain("Tracking number");
        await ScreenshotAsync(citizen, "lao-tracking");

        await CorrectAsync(clerk, receipt, "ເພີ່ມຊື່ພາສາລາວແລ້ວ", "lao-correction", language: "lo");
        (await clerk.Locator("main").InnerTextAsync()).ShouldNotContain("Correction received");
    }

    [Fact]
    public async Task an_officer_sees_only_his_agencys_desk_and_may_not_open_another_agencys_case()
    {
        var clerk = await Workspace.WindowAsync();
        await SignInAsync(clerk, Clerk);
        await ChooseLanguageAsync(clerk, "en");
        var receipt = await ReceiveAsync(clerk, "en", "agency-counter");
        await DecideAsync(clerk, receipt, "Approve", "complete", "agency-intake");

        var other = await Workspace.WindowAsync();
        await SignInAsync(other, SealOfficer1);
        await ChooseLanguageAsync(other, "en");
        await other.GotoAsync("/desk");
        (await other.Locator("main").InnerTextAsync()).ShouldNotContain(receipt.TrackingNumber);
        await other.GotoAsync(receipt.CaseAddress);
        await Expect(other.GetByRole(AriaRole.Alert)).ToContainTextAsync("You may not read or change this application.");
        (await other.Locator("main").InnerTextAsync()).ShouldNotContain("Somchai");

        await other.GotoAsync("/counter");
        await Expect(other.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Not for your role");
    }

    [Fact]
    public async Task an_officer_with_a_conflict_of_interest_steps_out_and_can_no_longer_decide()
    {
        var clerk = await Workspace.WindowAsync();
        await SignInAsync(clerk, Clerk);
        await ChooseLanguageAsync(clerk, "en");
        var receipt = await ReceiveAsync(clerk, "en", "recuse-counter");
        await DecideAsync(clerk, receipt, "Approve", "complete", "recuse-intake");

        var officer = await Workspace.WindowAsync();
        await SignInAsync(officer, Registrar);
        await ChooseLanguageAsync(officer, "en");
        await officer.GotoAsync(receipt.CaseAddress);
        await officer.GetByLabel("Why you step out of this case").FillAsync("the applicant is my cousin");
        await officer.GetByRole(AriaRole.Button, new() { Name = "Step out of this case" }).ClickAsync();
        await Expect(officer.Locator(".timeline")).ToContainTextAsync("Officer stepped out (conflict of interest)");
        await ScreenshotAsync(officer, "recuse-case");

        await officer.GetByLabel("Approve", new() { Exact = true }).CheckAsync();
        await officer.GetByRole(AriaRole.Textbox, new() { Name = "Reason (required)", Exact = true }).FillAsync("registered");
        await officer.GetByRole(AriaRole.Button, new() { Name = "Record the decision" }).ClickAsync();
        await Expect(officer.GetByRole(AriaRole.Alert)).ToContainTextAsync("You stepped out of this case.");
        await Expect(officer.Locator(".timeline")).Not.ToContainTextAsync("Step approved · Enterprise Registration Office");
    }

    [Fact]
    public async Task an_inspector_who_opens_a_case_in_the_browser_is_recorded_in_its_access_log()
    {
        var clerk = await Workspace.WindowAsync();
        await SignInAsync(clerk, Clerk);
        await ChooseLanguageAsync(clerk, "en");
        var receipt = await ReceiveAsync(clerk, "en", "inspector-counter");
        var id = Guid.Parse(receipt.CaseAddress["/cases/".Length..]);
        var log = Workspace.Factory.Services.GetRequiredService<Workflow.Store.Audit.AccessLog>();
        (await log.ForAsync(id)).ShouldBeEmpty("a clerk's own work is not an inspection");

        var inspector = await Workspace.WindowAsync();
        await SignInAsync(inspector, "auditor-1");
        await ChooseLanguageAsync(inspector, "en");
        await inspector.GotoAsync(receipt.CaseAddress);
        await Expect(inspector.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(receipt.TrackingNumber);
        await ScreenshotAsync(inspector, "inspector-case");

        var opened = (await log.ForAsync(id)).ShouldHaveSingleItem();
        opened.What.ShouldBe("case-page");
        opened.By.UserId.ShouldBe("auditor-1");
    }
}
