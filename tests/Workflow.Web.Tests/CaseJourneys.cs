using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Workflow.Web.Tests;

/// <summary>A case through the browser, from the counter to the citizen's rating, one person's task per test.</summary>
public sealed partial class when_people_work_a_case_in_the_browser(WorkspaceFixture workspace) : Journey(workspace)
{
    private const string Clerk = "clerk-vte";
    private const string Registrar = "moic-enterprise-registration-officer-1";
    private const string SealOfficer1 = "mops-seal-office-officer-1";
    private const string SealOfficer2 = "mops-seal-office-officer-2";

    private sealed record Receipt(string TrackingNumber, string AccessCode, string CaseAddress);

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

        await clerk.GotoAsync("/desk");
        await clerk.GetByRole(AriaRole.Link, new() { Name = receipt.TrackingNumber }).ClickAsync();
        await clerk.GetByLabel("What the citizen corrected").FillAsync("the Lao name was added");
        await clerk.GetByRole(AriaRole.Button, new() { Name = "Record the correction" }).ClickAsync();
        await Expect(clerk.GetByRole(AriaRole.Alert)).ToContainTextAsync("Recorded.");
        await Expect(clerk.Locator(".timeline")).ToContainTextAsync("Correction received");
        await ScreenshotAsync(clerk, "return-correction");
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
    public async Task the_whole_counter_visit_reads_in_Lao()
    {
        var clerk = await Workspace.WindowAsync("lo");
        await SignInAsync(clerk, Clerk);
        var receipt = await ReceiveAsync(clerk, "lo", "lao-counter");
        await Expect(clerk.Locator("html")).ToHaveAttributeAsync("lang", "lo");
        var text = await clerk.Locator("main").InnerTextAsync();
        text.ShouldContain("ໃບຮັບຄຳຮ້ອງ");
        text.ShouldContain("ເລກຕິດຕາມ");
        text.ShouldContain("ແບບຟອມຄຳຮ້ອງ");
        text.ShouldNotContain("Receipt");

        var citizen = await Workspace.WindowAsync("lo");
        await TrackAsync(citizen, receipt, "ສະແດງຄຳຮ້ອງຂອງຂ້ອຍ");
        (await citizen.Locator("main").InnerTextAsync()).ShouldNotContain("Tracking number");
        await ScreenshotAsync(citizen, "lao-tracking");
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

    private async Task<Receipt> ReceiveAsync(IPage page, string language, string screenshot)
    {
        string L(string en, string lo) => language == "lo" ? lo : en;
        await page.GotoAsync("/counter");
        await page.GetByLabel(L("Procedure", "ປະເພດຄຳຮ້ອງ")).SelectOptionAsync("enterprise-registration");
        await page.GetByRole(AriaRole.Button, new() { Name = L("Open the form", "ເປີດແບບຟອມ") }).ClickAsync();
        await page.GetByLabel(L("Full name", "ຊື່ ແລະ ນາມສະກຸນ")).FillAsync("Somchai Phommavong");
        await page.GetByLabel(L("Identity card number", "ເລກບັດປະຈຳຕົວ")).FillAsync("0123456");
        await page.GetByLabel(L("Language for messages", "ພາສາສຳລັບແຈ້ງຂ່າວ")).SelectOptionAsync("lo");
        await page.GetByLabel(L("Phone", "ເບີໂທລະສັບ"), new() { Exact = false }).First.FillAsync("+856 20 5555 1234");
        await page.GetByLabel(L("E-mail", "ອີເມວ")).FillAsync("somchai@example.la");
        await page.GetByLabel(L("Name of the enterprise", "ຊື່ວິສາຫະກິດ")).FillAsync("Mekong Rice Trading");
        await page.GetByLabel(L("Kind of enterprise", "ປະເພດວິສາຫະກິດ")).SelectOptionAsync("sole-trader");
        await page.GetByLabel(L("Registered capital (LAK)", "ທຶນຈົດທະບຽນ (ກີບ)")).FillAsync("50000000");
        await page.GetByLabel(L("Business sector", "ຂະແໜງທຸລະກິດ")).FillAsync("wholesale");
        await page.GetByLabel(L("Will the enterprise employ staff?", "ວິສາຫະກິດຈະຈ້າງພະນັກງານບໍ?")).SelectOptionAsync("false");
        await page.GetByLabel(L("Province", "ແຂວງ")).FillAsync("Vientiane Capital");
        await page.GetByLabel(L("Application form", "ແບບຟອມຄຳຮ້ອງ")).CheckAsync();
        await page.GetByLabel(L("Owner's identity card", "ບັດປະຈຳຕົວເຈົ້າຂອງ")).CheckAsync();
        await ScreenshotAsync(page, screenshot);
        await AccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = L("Receive and print the receipt", "ຮັບ ແລະ ພິມໃບຮັບ") }).ClickAsync();
        var number = (await page.GetByTestId("tracking-number").InnerTextAsync()).Trim();
        var code = (await page.GetByTestId("access-code").InnerTextAsync()).Trim();
        await ScreenshotAsync(page, $"{screenshot}-receipt");
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await ScreenshotAsync(page, $"{screenshot}-receipt-printed");
        await page.EmulateMediaAsync(new() { Media = Media.Screen });
        await using var session = Workspace.Factory.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession();
        var id = (await Marten.QueryableExtensions.FirstAsync(
            session.Query<Workflow.Store.Applications.ApplicationDetails>().Where(d => d.TrackingNumber == number))).Id;
        return new Receipt(number, code, $"/cases/{id}");
    }

    private async Task DecideAsync(IPage page, Receipt receipt, string outcome, string reason, string screenshot, string? comment = null)
    {
        await page.GotoAsync(receipt.CaseAddress);
        await page.GetByLabel(outcome, new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Reason (required)", Exact = true }).FillAsync(reason);
        if (comment is not null) await page.GetByLabel("Note for the citizen (optional)").FillAsync(comment);
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the decision" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Recorded.");
        await ScreenshotAsync(page, screenshot);
    }

    private static async Task TrackAsync(IPage page, Receipt receipt, string show)
    {
        await page.GotoAsync("/track");
        await page.Locator("#tracking-number").FillAsync(receipt.TrackingNumber);
        await page.Locator("#access-code").FillAsync(receipt.AccessCode);
        await page.GetByRole(AriaRole.Button, new() { Name = show }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
