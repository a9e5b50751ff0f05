using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Workflow.Api.Desk;
using Workflow.Core.Access;

namespace Workflow.Web.Tests;

/// <summary>
/// The workspace as it runs outside a trial: pages sign in through an organisation's OpenID Connect provider (one started
/// by the test), and the tracking page keeps its shipped limit of attempts a minute.
/// </summary>
public sealed class SignInFixture : WorkspaceFixture
{
    public TestIdentityProvider Provider { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Provider = await TestIdentityProvider.StartAsync();
        await base.InitializeAsync();
    }

    protected override Dictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings.Remove("Workflow:Tracking:PermitsPerMinute");
        settings["Auth:Authority"] = Provider.Authority;
        settings["Auth:ClientId"] = TestIdentityProvider.ClientId;
        settings["Auth:ClientSecret"] = TestIdentityProvider.ClientSecret;
        return settings;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Provider.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SignInCollection : ICollectionFixture<SignInFixture>
{
    public const string Name = "sign-in";
}

[Collection(SignInCollection.Name)]
public sealed class when_people_sign_in_through_their_organisation(SignInFixture workspace) : Journey(workspace)
{
    private TestIdentityProvider Provider => workspace.Provider;

    /// <summary>A browser window on the home page, in English, not signed in.</summary>
    private async Task<IPage> StrangerAsync()
    {
        var page = await Workspace.WindowAsync();
        await page.GotoAsync("/");
        await ChooseLanguageAsync(page, "en");
        return page;
    }

    [Fact]
    public async Task an_officer_signs_in_at_the_provider_and_lands_on_his_agencys_desk_and_in_the_directory()
    {
        Provider.Next = new("vilay-7", "Vilay Sengdara", Roles.Officer, "moic-enterprise-registration", "VTE");
        var page = await StrangerAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with your organisation's account" }).ClickAsync();
        // Back from the provider, straight to his own work.
        await page.WaitForURLAsync($"{Workspace.Address}/desk");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("My agency's work");
        await Assertions.Expect(page.Locator("header")).ToContainTextAsync("Vilay Sengdara (officer)");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("the Ministry of Industry and Commerce");
        (await page.Context.CookiesAsync()).ShouldContain(c => c.Name == ".workflow.workspace");
        await ScreenshotAsync(page, "oidc-desk");
        await AccessibleAsync(page);

        // Signed in once, he is a colleague his head of office can give a step to; other offices do not list him.
        var caseId = await Workspace.CaseAtTheRegistryAsync();
        var supervisor = await Workspace.WindowAsync();
        await SignInAsync(supervisor, "moic-enterprise-registration-supervisor");
        await ChooseLanguageAsync(supervisor, "en");
        await supervisor.GotoAsync($"/cases/{caseId}");
        await Assertions.Expect(supervisor.GetByLabel("Officer who takes the step").Locator("option", new() { HasText = "Vilay Sengdara" }))
            .ToHaveAttributeAsync("value", "vilay-7");
        (await Workspace.Factory.Services.GetRequiredService<Colleagues>().OfAgencyAsync("mops-seal-office", "VTE"))
            .ShouldNotContain(o => o.UserId == "vilay-7");
    }

    [Fact]
    public async Task an_account_without_a_role_of_this_service_is_refused_and_gets_no_cookie()
    {
        Provider.Next = new("visitor-3", "A visitor", "visitor", null, null);
        var page = await StrangerAsync();

        await page.GotoAsync("/desk");
        await page.WaitForURLAsync(url => url.Contains("/account/denied"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Your account cannot sign in here");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Ask your administrator");
        (await page.Context.CookiesAsync()).ShouldNotContain(c => c.Name == ".workflow.workspace");
        await ScreenshotAsync(page, "oidc-refused");
        await AccessibleAsync(page);
        await using var session = Workspace.Factory.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession();
        (await session.LoadAsync<StaffMember>("visitor-3")).ShouldBeNull("a refused account does not join the directory");
    }

    [Fact]
    public async Task a_forged_answer_from_the_provider_ends_on_a_page_that_says_sign_in_did_not_complete()
    {
        var page = await StrangerAsync();

        await page.GotoAsync("/signin-oidc?code=ABCDEF&state=not-a-state-of-ours");
        await page.WaitForURLAsync(url => url.Contains("/account/denied?failed=true"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sign-in did not complete");
        (await page.Context.CookiesAsync()).ShouldNotContain(c => c.Name == ".workflow.workspace");
        await AccessibleAsync(page);
    }

    [Fact]
    public async Task twenty_wrong_codes_in_a_minute_and_the_tracking_page_asks_the_citizen_to_wait()
    {
        var page = await StrangerAsync();
        await page.GotoAsync("/track");
        var answered = 0;
        for (var attempt = 1; attempt <= 20; attempt++)
        {
            await page.Locator("#tracking-number").FillAsync("VTE-2026-000001");
            await page.Locator("#access-code").FillAsync($"WRONG-{attempt:D3}");
            var response = await page.RunAndWaitForResponseAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Show my application" }).ClickAsync(),
                r => r.Url.EndsWith("/track") && r.Request.Method == "POST");
            if (response.Status == 429) break;
            await Assertions.Expect(page.GetByRole(AriaRole.Alert))
                .ToHaveTextAsync("No application matches this tracking number and access code.");
            answered++;
        }

        // The page itself was the first of the twenty requests a minute: nineteen codes were tried, the twentieth refused.
        answered.ShouldBe(19);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Please wait a minute");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Too many attempts. Please wait a minute and try again.");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await ScreenshotAsync(page, "tracking-too-many");
        await AccessibleAsync(page);
    }
}
