using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

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

    /// <summary>
    /// Every page the host routes, read by each kind of person (and by nobody signed in), with a case open at an agency so
    /// that its decision and desk forms show: every form that posts carries the antiforgery token.
    /// </summary>
    [Fact]
    public async Task every_form_that_posts_on_every_page_carries_the_antiforgery_token()
    {
        var caseId = await Workspace.CaseAtTheRegistryAsync();
        var pages = Workspace.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ComponentTypeMetadata>() is not null)
            .Select(e => Address(e.RoutePattern.RawText!, caseId)).Distinct().ToList();
        pages.ShouldContain("/counter");
        pages.ShouldContain($"/cases/{caseId}");
        pages.Add("/counter?procedure=enterprise-registration");
        string?[] people =
        [
            null, "clerk-vte", "moic-enterprise-registration-officer-1", "moic-enterprise-registration-supervisor", "auditor-1",
            "designer-1",
        ];
        var scanned = 0;
        var missing = new List<string>();
        foreach (var person in people)
        {
            using var client = await SignedInClientAsync(person);
            foreach (var page in pages)
            {
                var answer = await client.GetAsync(page);
                ((int)answer.StatusCode).ShouldBeLessThan(500, $"{page} for {person ?? "nobody"}");
                foreach (Match form in PostingForm().Matches(await answer.Content.ReadAsStringAsync()))
                {
                    scanned++;
                    if (!form.Value.Contains("name=\"__RequestVerificationToken\""))
                        missing.Add($"{page} for {person ?? "nobody"}: {form.Value[..Math.Min(120, form.Value.Length)]}");
                }
            }
        }
        missing.ShouldBeEmpty();
        // Sign-in, language, sign-out, the receive form, the desk, decision, correction and desk actions at least.
        scanned.ShouldBeGreaterThan(20);
    }

    /// <summary>
    /// Every page, read by each kind of person with every value its address takes (each query parameter any page declares)
    /// set to something that is not what it expects, as a hand-edited or truncated link would: never a server error.
    /// </summary>
    [Fact]
    public async Task a_page_whose_address_carries_values_of_the_wrong_kind_still_answers()
    {
        var caseId = await Workspace.CaseAtTheRegistryAsync();
        var endpoints = Workspace.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ComponentTypeMetadata>() is not null).ToList();
        var names = endpoints.SelectMany(e => e.Metadata.GetMetadata<ComponentTypeMetadata>()!.Type
                .GetProperties(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public |
                               System.Reflection.BindingFlags.NonPublic)
                .Select(p => (Property: p, Query: p.GetCustomAttributes(typeof(SupplyParameterFromQueryAttribute), true)
                    .Cast<SupplyParameterFromQueryAttribute>().FirstOrDefault()))
                .Where(p => p.Query is not null).Select(p => (p.Query!.Name ?? p.Property.Name).ToLowerInvariant()))
            .Distinct().Order().ToList();
        names.ShouldContain("page");
        names.ShouldContain("refused");
        var pages = endpoints.Select(e => Address(e.RoutePattern.RawText!, caseId)).Distinct().ToList();
        string?[] people = [null, "clerk-vte", "moic-enterprise-registration-officer-1", "auditor-1", "designer-1"];
        var failures = new List<string>();
        foreach (var value in new[] { "abc", "2147483648", "-1", "0001-01-01", "maybe", "%ED%A0%80" })
        {
            var query = "?" + string.Join("&", names.Select(n => $"{n}={value}"));
            foreach (var person in people)
            {
                using var client = await SignedInClientAsync(person);
                foreach (var page in pages)
                    if ((int)(await client.GetAsync(page + query)).StatusCode >= 500) failures.Add($"{page}{query} for {person ?? "nobody"}");
            }
        }
        failures.ShouldBeEmpty();
    }

    /// <summary>
    /// A form posted by hand past what the page allows: a NUL character (%00), which the framework's form reader refuses, is
    /// told in plain words in the person's language, not as a missing antiforgery token; a reason longer than the API
    /// accepts, or a form without the case's version, is refused on the page. Nothing is recorded.
    /// </summary>
    [Theory]
    [InlineData("en", "The form could not be read", "Something in the form cannot be kept (such as the NUL character)")]
    [InlineData("lo", "ອ່ານແບບຟອມບໍ່ໄດ້", "ບໍ່ມີຫຍັງຖືກບັນທຶກ")]
    public async Task a_decision_posted_by_hand_with_a_NUL_an_overlong_reason_or_no_version_records_nothing(string language,
        string title, string text)
    {
        var caseId = await Workspace.CaseAtTheRegistryAsync();
        var client = await SignedInClientAsync("moic-enterprise-registration-officer-1");
        client.DefaultRequestHeaders.Add("Cookie", $".workflow.language=c%3D{language}%7Cuic%3D{language}");
        var store = Workspace.Factory.Services.GetRequiredService<Marten.IDocumentStore>();
        async Task<long> VersionAsync()
        {
            await using var query = store.QuerySession();
            return (await query.Events.FetchStreamStateAsync(caseId))!.Version;
        }
        var version = await VersionAsync();

        async Task<HttpResponseMessage> DecideAsync(string reason, string? version)
        {
            var page = await client.GetStringAsync($"/cases/{caseId}");
            var fields = new List<KeyValuePair<string, string>>
            {
                new("_handler", "decide"), new("__RequestVerificationToken", TokenField().Match(page).Groups[1].Value),
                new("step", "register"), new("outcome", "approve"), new("reason", reason),
            };
            if (version is not null) fields.Add(new("version", version));
            return await client.PostAsync($"/cases/{caseId}", new FormUrlEncodedContent(fields));
        }

        var nul = await DecideAsync("looks\0fine", $"{version}");
        nul.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var refusal = WebUtility.HtmlDecode(await nul.Content.ReadAsStringAsync());
        refusal.ShouldContain(title);
        refusal.ShouldContain(text);
        refusal.ShouldNotContain("antiforgery");

        var overlong = await DecideAsync(new string('x', 4_001), $"{version}");
        overlong.StatusCode.ShouldBe(HttpStatusCode.OK);
        WebUtility.HtmlDecode(await overlong.Content.ReadAsStringAsync()).ShouldContain(language == "en"
            ? "What was written is longer than the service keeps" : "ສິ່ງທີ່ຂຽນຍາວເກີນກວ່າທີ່ລະບົບເກັບໄດ້");

        var blind = await DecideAsync("complete and correct", "seven");
        WebUtility.HtmlDecode(await blind.Content.ReadAsStringAsync()).ShouldContain(language == "en"
            ? "This page did not say which state of the application it showed" : "ໜ້ານີ້ບໍ່ໄດ້ບອກວ່າສະແດງຄຳຮ້ອງໃນສະພາບໃດ");

        (await VersionAsync()).ShouldBe(version);
    }

    private static string Address(string route, Guid caseId) => "/" + RouteParameter().Replace(route.TrimStart('/'), p =>
        p.Value.Contains(":guid") ? caseId.ToString() : p.Value.Contains(":int") ? "1" : "enterprise-registration");

    private async Task<HttpClient> SignedInClientAsync(string? person)
    {
        var client = Client(out _);
        if (person is null) return client;
        var token = TokenField().Match(await client.GetStringAsync("/account/sign-in")).Groups[1].Value;
        (await client.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["person"] = person,
        }))).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return client;
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

    [GeneratedRegex(@"<form\b[^>]*\bmethod=""post""[^>]*>.*?</form>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex PostingForm();

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();
}
