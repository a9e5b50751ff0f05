using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Workflow.Core.Applications;
using Workflow.Store.Applications;

namespace Workflow.Web.Tests;

/// <summary>The procedure map on a case page, as an officer reads it on a common 1280 px wide screen.</summary>
public sealed class when_an_officer_reads_the_procedure_map(WorkspaceFixture workspace) : Journey(workspace)
{
    /// <summary>A land title transfer: the procedure with the longest chain of steps, so the widest map.</summary>
    private async Task<Guid> TransferAsync()
    {
        var commands = Workspace.Factory.Services.GetRequiredService<ApplicationCommands>();
        var data = new Dictionary<string, object>
        {
            ["parcel_number"] = "XAY-88-12", ["title_number"] = "T-1", ["transfer_kind"] = "gift", ["declared_value"] = 1000,
            ["village"] = "Ban Phonxay", ["seller_name"] = "Khamla", ["buyer_name"] = "Noy",
        }.ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value));
        var clerk = new Actor("clerk-vte", "Clerk", "odsc", "clerk", "VTE");
        var result = await commands.SubmitAsync(new NewApplication(Guid.NewGuid(), "land-title-transfer", "VTE", "counter",
            new Applicant("Noy Sisavath"), data, ["application-form", "land-title", "seller-id", "buyer-id"]), clerk,
            new CommandContext("map-test"));
        return result.Id;
    }

    [Theory]
    [InlineData("en", "Citizen", "Completeness check", "not reached")]
    [InlineData("lo", "ປະຊາຊົນ", "ອະນຸມັດ", "ຍັງບໍ່ຮອດ")]
    public async Task the_map_fits_the_page_without_scrolling_sideways_and_speaks_the_readers_language(string language,
        string citizenLane, string word, string notReached)
    {
        var id = await TransferAsync();
        var page = await Workspace.WindowAsync(language);
        await page.SetViewportSizeAsync(1280, 900);
        await SignInAsync(page, "clerk-vte");
        // The workspace speaks Lao unless the reader chooses English.
        if (language == "en") await ChooseLanguageAsync(page, language);

        await page.GotoAsync($"/cases/{id}");

        var map = page.Locator("svg.map");
        await Expect(map).ToBeVisibleAsync();
        var frame = page.Locator(".map-frame");
        var scroll = await frame.EvaluateAsync<int>("f => f.scrollWidth");
        var client = await frame.EvaluateAsync<int>("f => f.clientWidth");
        scroll.ShouldBeLessThanOrEqualTo(client, "the map scrolls sideways");
        (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth")).ShouldBeLessThanOrEqualTo(1280);
        // Drawn at its own size, not shrunk: the words stay as large as the page's.
        var box = (await map.BoundingBoxAsync())!;
        var width = double.Parse((await map.GetAttributeAsync("width"))!, System.Globalization.CultureInfo.InvariantCulture);
        ((double)box.Width).ShouldBe(width, 1);
        var text = await map.TextContentAsync() ?? "";
        text.ShouldContain(citizenLane);
        text.ShouldContain(word);
        await Expect(map.Locator("g.step.open")).ToHaveCountAsync(1);
        // A screen reader hears where the case stands at each step.
        (await map.Locator("desc").TextContentAsync() ?? "").ShouldContain(notReached);
        await Expect(map.Locator("g.step.not-reached")).ToHaveCountAsync(5);
        await ScreenshotAsync(page, $"procedure-map-{language}");
        await AccessibleAsync(page);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
