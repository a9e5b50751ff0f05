using System.Text.RegularExpressions;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Workflow.Api.Workspace.Transparency;
using Workflow.Store.Identity;

namespace Workflow.Web.Tests;

/// <summary>A member of the public reads how the centres perform, without signing in.</summary>
public sealed class when_the_public_reads_the_transparency_page(WorkspaceFixture workspace) : Journey(workspace)
{
    private const string Applicant = "Chanthavong Sisouphanh";

    /// <summary>Three land-title transfers received at the Vientiane counter today, then counted by the async daemon.</summary>
    private async Task SeedAsync()
    {
        using var clerk = new HttpClient { BaseAddress = new Uri(Workspace.Address) };
        clerk.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            Tokens.Mint("clerk-vte", "clerk", "odsc", centre: "VTE"));
        for (var i = 0; i < 3; i++)
        {
            var response = await clerk.PostAsJsonAsync("/api/applications", new
            {
                workflowId = "land-title-transfer",
                applicant = new { name = Applicant, idNumber = "LA-4410-2290", phone = "+856 20 5544 8877" },
                data = new
                {
                    parcel_number = "XAY-88-12", title_number = "T-55120", transfer_kind = "sale", declared_value = 350_000_000,
                    village = "Ban Phonxay", seller_name = "Khamla", buyer_name = "Noy",
                },
                documents = new[] { "application-form", "land-title", "seller-id", "buyer-id", "sale-contract" },
            });
            response.EnsureSuccessStatusCode();
        }
        var store = Workspace.Factory.Services.GetRequiredService<IDocumentStore>();
        using (var daemon = await store.BuildProjectionDaemonAsync())
        {
            await daemon.StartAllAsync();
            await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
            await daemon.StopAllAsync();
        }
        await Workspace.Factory.Services.GetRequiredService<PublicFigures>().RefreshAsync(CancellationToken.None);
    }

    [Fact]
    public async Task a_member_of_the_public_opens_the_page_switches_to_Lao_and_downloads_the_csv()
    {
        await SeedAsync();
        var page = await Workspace.WindowAsync();
        await page.GotoAsync("/");
        await ChooseLanguageAsync(page, "en");
        await page.GetByRole(AriaRole.Link, new() { Name = "Performance", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "How the one-door service centres perform" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Centre VTE" })).ToBeVisibleAsync();
        // Each chart has a visible caption naming what it draws, over which months and how to read it, and is named by it.
        var months = $"{Month(-11, "en")} to {Month(0, "en")}";
        var received = $"Applications for land title transfer received each month from {months}. One bar for each month: the taller " +
                       "the bar, the more applications came in; the number is written above each bar.";
        await Expect(page.GetByText(received, new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = received, Exact = true })).ToContainTextAsync("3");
        var onTime = new Regex($"^The share of applications for land title transfer decided on time, each month from {months}\\. ");
        await Expect(page.GetByText(onTime)).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = onTime })).ToBeVisibleAsync();
        var table = page.GetByRole(AriaRole.Table).First;
        await Expect(table).ToContainTextAsync("Decided on time");
        // This month's row: three received, none decided yet.
        var month = DateTime.UtcNow.AddHours(7).ToString("MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-GB"));
        await Expect(table.GetByRole(AriaRole.Row, new() { NameRegex = new(month) })).ToContainTextAsync("3");
        (await page.Locator("main").InnerTextAsync()).ShouldNotContain(Applicant);
        await ScreenshotAsync(page, "transparency-en");
        await AccessibleAsync(page);

        await ChooseLanguageAsync(page, "lo");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "ຜົນງານຂອງສູນບໍລິການປະຕູດຽວ" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "ສູນ VTE" })).ToBeVisibleAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("CC BY 4.0");
        // The browser reads the pattern between slashes: a slash of a date is escaped.
        var monthsLo = $"{Month(-11, "lo")} ຫາ {Month(0, "lo")}".Replace("/", "\\/");
        var receivedLo = new Regex($"^.+: ຈຳນວນຄຳຮ້ອງທີ່ໄດ້ຮັບ ແຕ່ລະເດືອນ ແຕ່ {monthsLo}\\. ແທ່ງໜຶ່ງແມ່ນໜຶ່ງເດືອນ");
        await Expect(page.GetByText(receivedLo)).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = receivedLo })).ToContainTextAsync("3");
        await ScreenshotAsync(page, "transparency-lo");
        await AccessibleAsync(page);

        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Link, new() { Name = "ດາວໂຫຼດຕົວເລກເປັນຕາຕະລາງ (CSV)" }).ClickAsync());
        download.SuggestedFilename.ShouldEndWith(".csv");
        var csv = await File.ReadAllLinesAsync((await download.PathAsync())!);
        csv[0].ShouldStartWith("period,from,to,centre,agency,procedure,step,received");
        csv.Skip(1).ShouldContain(line => line.Contains(",VTE,,land-title-transfer,,3,"));
        string.Join('\n', csv).ShouldNotContain(Applicant);
    }

    /// <summary>A month from this one as the page names it: "November 2026" in English, "11/2026" in Lao.</summary>
    private static string Month(int months, string language)
    {
        var month = DateTime.UtcNow.AddHours(7).AddMonths(months);
        return language == "en"
            ? month.ToString("MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-GB"))
            : month.ToString("MM/yyyy", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
