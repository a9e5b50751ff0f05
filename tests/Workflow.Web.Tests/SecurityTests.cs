using System.Net;
using System.Text.RegularExpressions;

namespace Workflow.Web.Tests;

/// <summary>The workspace's forms and cookie, checked at the HTTP level on the same loopback host as the journeys.</summary>
public sealed partial class when_someone_posts_to_the_workspace(WorkspaceFixture workspace) : Journey(workspace)
{
    [Theory]
    [InlineData("/account/sign-in", "person=clerk-vte")]
    [InlineData("/workspace/language", "language=en")]
    [InlineData("/track", "_handler=track&number=VTE-2026-000001&code=AAAA-BBBB")]
    public async Task a_form_without_its_antiforgery_token_is_refused(string path, string body)
    {
        using var client = Client(out _);
        var answer = await client.PostAsync(path, new StringContent(body, null, "application/x-www-form-urlencoded"));

        answer.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        answer.Headers.Contains("Set-Cookie").ShouldBeFalse();
    }

    [Fact]
    public async Task the_sign_in_cookie_opens_the_pages_but_never_the_api()
    {
        using var client = Client(out var cookies);
        var form = await client.GetStringAsync("/account/sign-in");
        var token = TokenField().Match(form).Groups[1].Value;
        token.ShouldNotBeEmpty();
        var signIn = await client.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["person"] = "moic-enterprise-registration-officer-1",
        }));
        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        cookies.GetCookies(new Uri(Workspace.Address)).Any(c => c.Name == ".workflow.workspace").ShouldBeTrue();

        (await client.GetAsync("/desk")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/api/workflows")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        // Without the cookie the pages send a person to sign in.
        using var stranger = Client(out _);
        var desk = await stranger.GetAsync("/desk");
        desk.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        desk.Headers.Location!.ToString().ShouldContain("/account/sign-in");
    }

    private HttpClient Client(out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        return new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(Workspace.Address),
        };
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
