using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Workflow.Web.Tests;

/// <summary>
/// Base for journeys that work one enterprise registration: the people who take part, and what they do in the browser
/// (receive at the counter, decide on the case page, track as the citizen), in English or in Lao.
/// </summary>
public abstract class CaseJourney(WorkspaceFixture workspace) : Journey(workspace)
{
    protected const string Clerk = "clerk-vte";
    protected const string Registrar = "moic-enterprise-registration-officer-1";
    protected const string Registrar2 = "moic-enterprise-registration-officer-2";
    protected const string RegistrySupervisor = "moic-enterprise-registration-supervisor";
    protected const string SealOfficer1 = "mops-seal-office-officer-1";
    protected const string SealOfficer2 = "mops-seal-office-officer-2";

    protected sealed record Receipt(string TrackingNumber, string AccessCode, string CaseAddress)
    {
        public Guid Id => Guid.Parse(CaseAddress["/cases/".Length..]);
    }

    /// <summary>A person signed in, in a window of their own, reading the given language.</summary>
    protected async Task<IPage> SignedInAsync(string userId, string language = "en")
    {
        var page = await Workspace.WindowAsync(language);
        await SignInAsync(page, userId);
        if (language == "en") await ChooseLanguageAsync(page, "en");
        return page;
    }

    protected static string Say(string language, string en, string lo) => language == "lo" ? lo : en;

    protected async Task<Receipt> ReceiveAsync(IPage page, string language, string screenshot)
    {
        string L(string en, string lo) => Say(language, en, lo);
        await FillTheCounterFormAsync(page, language, "sole-trader");
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

    /// <summary>The counter's form for an enterprise registration of the given kind, with the two documents every kind needs.</summary>
    protected static async Task FillTheCounterFormAsync(IPage page, string language, string kind)
    {
        string L(string en, string lo) => Say(language, en, lo);
        await page.GotoAsync("/counter");
        await page.GetByLabel(L("Procedure", "ປະເພດຄຳຮ້ອງ")).SelectOptionAsync("enterprise-registration");
        await page.GetByRole(AriaRole.Button, new() { Name = L("Open the form", "ເປີດແບບຟອມ") }).ClickAsync();
        await page.GetByLabel(L("Full name", "ຊື່ ແລະ ນາມສະກຸນ")).FillAsync("Somchai Phommavong");
        await page.GetByLabel(L("Identity card number", "ເລກບັດປະຈຳຕົວ")).FillAsync("0123456");
        await page.GetByLabel(L("Language for messages", "ພາສາສຳລັບແຈ້ງຂ່າວ")).SelectOptionAsync("lo");
        await page.GetByLabel(L("Phone", "ເບີໂທລະສັບ"), new() { Exact = false }).First.FillAsync("+856 20 5555 1234");
        await page.GetByLabel(L("E-mail", "ອີເມວ")).FillAsync("somchai@example.la");
        await page.GetByLabel(L("Name of the enterprise", "ຊື່ວິສາຫະກິດ")).FillAsync("Mekong Rice Trading");
        await page.GetByLabel(L("Kind of enterprise", "ປະເພດວິສາຫະກິດ")).SelectOptionAsync(kind);
        await page.GetByLabel(L("Registered capital (LAK)", "ທຶນຈົດທະບຽນ (ກີບ)")).FillAsync("50000000");
        await page.GetByLabel(L("Business sector", "ຂະແໜງທຸລະກິດ")).FillAsync("wholesale");
        await page.GetByLabel(L("Will the enterprise employ staff?", "ວິສາຫະກິດຈະຈ້າງພະນັກງານບໍ?")).SelectOptionAsync("false");
        await page.GetByLabel(L("Province", "ແຂວງ")).FillAsync("Vientiane Capital");
        await page.GetByLabel(L("Application form", "ແບບຟອມຄຳຮ້ອງ")).CheckAsync();
        await page.GetByLabel(L("Owner's identity card", "ບັດປະຈຳຕົວເຈົ້າຂອງ")).CheckAsync();
    }

    /// <summary>Opens the case page and records a decision (by the outcome's label) with a reason, in the page's language.</summary>
    protected async Task DecideAsync(IPage page, Receipt receipt, string outcome, string reason, string screenshot,
        string? comment = null, string language = "en", string? reasonCode = null)
    {
        string L(string en, string lo) => Say(language, en, lo);
        await page.GotoAsync(receipt.CaseAddress);
        await page.GetByLabel(outcome, new() { Exact = true }).CheckAsync();
        if (reasonCode is not null)
            await page.GetByLabel(L("Which listed requirement is missing (needed for a further return)",
                "ເງື່ອນໄຂໃດທີ່ຂາດ (ຈຳເປັນສຳລັບການສົ່ງຄືນອີກ)")).SelectOptionAsync(new SelectOptionValue { Label = reasonCode });
        await page.GetByRole(AriaRole.Textbox, new() { Name = L("Reason (required)", "ເຫດຜົນ (ຈຳເປັນ)"), Exact = true }).FillAsync(reason);
        if (comment is not null)
            await page.GetByLabel(L("Note for the citizen (optional)", "ໝາຍເຫດເຖິງປະຊາຊົນ (ບໍ່ບັງຄັບ)")).FillAsync(comment);
        await page.GetByRole(AriaRole.Button, new() { Name = L("Record the decision", "ບັນທຶກຄຳຕັດສິນ") }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(L("Recorded.", "ບັນທຶກແລ້ວ."));
        await ScreenshotAsync(page, screenshot);
    }

    /// <summary>The clerk finds the returned file in the centre's work and records what the citizen brought.</summary>
    protected async Task CorrectAsync(IPage clerk, Receipt receipt, string what, string screenshot, string language = "en")
    {
        string L(string en, string lo) => Say(language, en, lo);
        await clerk.GotoAsync("/desk");
        await clerk.GetByRole(AriaRole.Link, new() { Name = receipt.TrackingNumber }).ClickAsync();
        await clerk.GetByLabel(L("What the citizen corrected", "ສິ່ງທີ່ປະຊາຊົນແກ້ໄຂ")).FillAsync(what);
        await clerk.GetByRole(AriaRole.Button, new() { Name = L("Record the correction", "ບັນທຶກການແກ້ໄຂ") }).ClickAsync();
        await Expect(clerk.GetByRole(AriaRole.Alert)).ToContainTextAsync(L("Recorded.", "ບັນທຶກແລ້ວ."));
        await Expect(clerk.Locator(".timeline")).ToContainTextAsync(L("Correction received", "ຮັບການແກ້ໄຂ"));
        await ScreenshotAsync(clerk, screenshot);
    }

    protected static async Task TrackAsync(IPage page, Receipt receipt, string show)
    {
        await page.GotoAsync("/track");
        await page.Locator("#tracking-number").FillAsync(receipt.TrackingNumber);
        await page.Locator("#access-code").FillAsync(receipt.AccessCode);
        await page.GetByRole(AriaRole.Button, new() { Name = show }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    protected static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
