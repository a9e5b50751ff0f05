using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using MudBlazor.Services;
using Workflow.Core.Definitions;
using Workflow.Store.Identity;
using Workflow.Store.Notifications;

namespace Workflow.Api.Workspace;

/// <summary>
/// The people's workspace: Razor components served by the API host. Pages sign in with a cookie (OpenID Connect when
/// <c>Auth:Authority</c> and <c>Auth:ClientId</c> are set; the development sign-in page otherwise, in Development only);
/// the API under <c>/api</c> keeps bearer tokens and never accepts the cookie, so a page's cookie cannot call the API.
/// </summary>
public static class WorkspaceSetup
{
    public const string CookieScheme = "workspace";
    public const string OidcScheme = "workspace-oidc";
    private const string Selector = "api-or-workspace";

    /// <summary>The cookie that remembers the language a person chose (lo or en).</summary>
    public const string LanguageCookie = ".workflow.language";

    public static WebApplicationBuilder AddWorkspace(this WebApplicationBuilder builder)
    {
        // Interactive only where a page says so (the oversight case view's slider, the live alerts).
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddSingleton<People>();
        builder.Services.AddSingleton<Api.Desk.Colleagues>();
        builder.Services.Configure<RequestLocalizationOptions>(o =>
        {
            var cultures = new[] { new CultureInfo(Languages.Lao), new CultureInfo(Languages.English) };
            o.DefaultRequestCulture = new RequestCulture(Languages.Lao);
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            o.RequestCultureProviders = [new CookieRequestCultureProvider { CookieName = LanguageCookie }];
        });

        var authority = builder.Configuration["Auth:Authority"];
        var clientId = builder.Configuration["Auth:ClientId"];
        var oidc = SignsInAtProvider(builder.Configuration);
        // The API's scheme stays the default for /api; every other path (the pages, sign-in) reads the cookie.
        builder.Services.Configure<AuthenticationOptions>(o => o.DefaultScheme = Selector);
        var authentication = builder.Services.AddAuthentication()
            .AddPolicyScheme(Selector, Selector, o => o.ForwardDefaultSelector = http =>
                http.Request.Path.StartsWithSegments("/api") ? JwtBearerDefaults.AuthenticationScheme : CookieScheme)
            .AddCookie(CookieScheme, o =>
            {
                o.LoginPath = "/account/sign-in";
                o.AccessDeniedPath = "/account/denied";
                o.Cookie.Name = ".workflow.workspace";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.ExpireTimeSpan = TimeSpan.FromHours(10);
                if (oidc) o.ForwardChallenge = OidcScheme;
            });
        if (oidc)
            authentication.AddOpenIdConnect(OidcScheme, o =>
            {
                o.Authority = authority;
                o.ClientId = clientId;
                o.ClientSecret = builder.Configuration["Auth:ClientSecret"];
                o.ResponseType = "code";
                o.SignInScheme = CookieScheme;
                o.MapInboundClaims = false;
                o.GetClaimsFromUserInfoEndpoint = true;
                o.RequireHttpsMetadata = !builder.Environment.IsDevelopment();
                // The same claims as the API's tokens: sub, name, role, agency, centre.
                o.TokenValidationParameters.NameClaimType = Tokens.NameClaim;
                o.TokenValidationParameters.RoleClaimType = Tokens.RoleClaim;
                foreach (var claim in new[] { Tokens.RoleClaim, Tokens.AgencyClaim, Tokens.CentreClaim })
                    o.ClaimActions.MapUniqueJsonKey(claim, claim);
                o.Events.OnTicketReceived = SignedInAsync;
                o.Events.OnRemoteFailure = RefusedAsync;
            });
        return builder;
    }

    /// <summary>
    /// The provider's answer, once its user information is in: a person whose account carries no user id or no known role
    /// of this service is refused here (no cookie), as the API refuses such a token; anyone else joins the directory.
    /// </summary>
    private static async Task SignedInAsync(TicketReceivedContext context)
    {
        var log = context.HttpContext.RequestServices.GetRequiredService<ILogger<People>>();
        var principal = context.Principal;
        if ((principal is null ? "no identity" : Tokens.Refusal(principal)) is { } refusal)
        {
            log.LogWarning("Workspace sign-in of {Actor} refused: {Reason}", principal?.FindFirst(Tokens.UserClaim)?.Value, refusal);
            // Handled here, so no cookie is written.
            context.Response.Redirect(Refused);
            context.HandleResponse();
            return;
        }
        var who = Tokens.ActorOf(principal!);
        await context.HttpContext.RequestServices.GetRequiredService<Api.Desk.Colleagues>().RememberAsync(who);
        log.LogInformation("{Actor} signed in to the workspace as {Role} of {Agency}", who.UserId, who.Role, who.Agency);
        // Signed in from the home page: straight to the person's own work, as the development sign-in does.
        if (context.ReturnUri is null or "/")
            context.ReturnUri = new Person(who.UserId, who.Name, who.Role, who.Agency, who.Centre).Home;
    }

    private const string Refused = "/account/denied?refused=true";

    /// <summary>
    /// A broken sign-in (the provider's error, a stale or replayed answer) ends on a page that says so, never on an error page.
    /// </summary>
    private static Task RefusedAsync(RemoteFailureContext context)
    {
        context.HttpContext.RequestServices.GetRequiredService<ILogger<People>>()
            .LogWarning("Workspace sign-in failed: {Reason}", context.Failure?.Message);
        context.Response.Redirect("/account/denied?failed=true");
        context.HandleResponse();
        return Task.CompletedTask;
    }

    /// <summary>After authentication: the chosen language for the pages (not the API), and antiforgery on every form.</summary>
    public static WebApplication UseWorkspace(this WebApplication app)
    {
        // Static files as middleware, not endpoints: outside Development MapStaticAssets claims paths under /api too, so
        // a wrong method there would get 405 instead of the API's 404.
        app.UseStaticFiles();
        app.UseWhen(http => !http.Request.Path.StartsWithSegments("/api"), pages => pages.UseRequestLocalization());
        app.Use(UnreadableFormAsync);
        app.UseAntiforgery();
        return app;
    }

    /// <summary>
    /// A page's form that cannot be read (a NUL character, %00, in any field, or more fields than the framework reads: its
    /// form reader refuses both) is answered here in plain language, in the person's language, before the antiforgery check
    /// would call it a missing token. The form, once read, is kept for the check and the page. A body cut off or too large
    /// is left to the antiforgery check, as before.
    /// </summary>
    private static async Task UnreadableFormAsync(HttpContext http, RequestDelegate next)
    {
        if (!http.Request.Path.StartsWithSegments("/api") && HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType)
        {
            try
            {
                await http.Request.ReadFormAsync(http.RequestAborted);
            }
            catch (InvalidDataException)
            {
                var texts = http.RequestServices.GetRequiredService<IStringLocalizer<Texts>>();
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                http.Response.ContentType = "text/html; charset=utf-8";
                var language = System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "lo" ? "lo" : "en";
                var encoder = System.Text.Encodings.Web.HtmlEncoder.Default;
                await http.Response.WriteAsync($"""
                    <!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"><link href="/workspace.css" rel="stylesheet"><title>{encoder.Encode(texts["Form.UnreadableTitle"])}</title></head>
                    <body><main><h1>{encoder.Encode(texts["Form.UnreadableTitle"])}</h1><p>{encoder.Encode(texts["Form.UnreadableText"])}</p>
                    <p><a href="{encoder.Encode(http.Request.Path.Value ?? "/")}">{encoder.Encode(texts["Form.Back"])}</a></p></main></body></html>
                    """, http.RequestAborted);
                return;
            }
        }
        await next(http);
    }

    public static WebApplication MapWorkspace(this WebApplication app)
    {
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        Oversight.CaseFileDownload.MapCaseFileDownload(app);
        app.MapPost("/workspace/language", ChooseLanguage).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/account/sign-out", SignOut).ExcludeFromDescription();
        if (app.Environment.IsDevelopment())
            app.MapPost("/account/sign-in", SignInAs).AllowAnonymous().ExcludeFromDescription();
        // The sign-in page's button: off to the organisation's provider, and back to where the person was going.
        if (SignsInAtProvider(app.Configuration))
            app.MapGet("/account/sign-in/provider", (string? returnUrl) =>
                    Results.Challenge(new AuthenticationProperties { RedirectUri = Local(returnUrl) }, [OidcScheme]))
                .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static bool SignsInAtProvider(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["Auth:Authority"]) && !string.IsNullOrWhiteSpace(configuration["Auth:ClientId"]);

    /// <summary>Remembers the language for a year; form posts only, so antiforgery guards it.</summary>
    private static IResult ChooseLanguage(HttpContext http, [FromForm] string? language, [FromForm] string? returnUrl)
    {
        if (language is null || !Languages.All.Contains(language)) return Results.BadRequest();
        http.Response.Cookies.Append(LanguageCookie, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(language)),
            new CookieOptions
            {
                Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true,
            });
        return Results.LocalRedirect(Local(returnUrl));
    }

    private static async Task<IResult> SignInAs(HttpContext http, People people, Api.Desk.Colleagues colleagues, ILogger<People> log,
        [FromForm] string? person, [FromForm] string? returnUrl)
    {
        if (people.Find(person) is not { } who) return Results.BadRequest();
        var identity = new ClaimsIdentity(who.Claims(), CookieScheme, Tokens.NameClaim, Tokens.RoleClaim);
        var principal = new ClaimsPrincipal(identity);
        await http.SignInAsync(CookieScheme, principal);
        await colleagues.RememberAsync(Tokens.ActorOf(principal), http.RequestAborted);
        log.LogInformation("{Actor} signed in to the workspace as {Role} of {Agency}", who.UserId, who.Role, who.Agency);
        return Results.LocalRedirect(returnUrl is null ? who.Home : Local(returnUrl));
    }

    private static async Task<IResult> SignOut(HttpContext http, ILogger<People> log)
    {
        log.LogInformation("{Actor} signed out of the workspace", http.User.FindFirst(Tokens.UserClaim)?.Value);
        await http.SignOutAsync(CookieScheme);
        return Results.LocalRedirect("/");
    }

    private static string Local(string? url) => url is { Length: > 0 } && url.StartsWith('/') && !url.StartsWith("//") ? url : "/";
}

/// <summary>Someone who may sign in to the development workspace, with the claims a real sign-in would give.</summary>
public sealed record Person(string UserId, string Name, string Role, string? Agency, string? Centre)
{
    public IEnumerable<Claim> Claims()
    {
        yield return new Claim(Tokens.UserClaim, UserId);
        yield return new Claim(Tokens.NameClaim, Name);
        yield return new Claim(Tokens.RoleClaim, Role);
        if (Agency is not null) yield return new Claim(Tokens.AgencyClaim, Agency);
        if (Centre is not null) yield return new Claim(Tokens.CentreClaim, Centre);
    }

    public string Home =>
        AccessPolicy.Allows(Role, Permission.Counter) ? "/counter"
        : AccessPolicy.WatchedTarget(Role, Agency) is not null ? "/oversight/alerts"
        : AccessPolicy.Allows(Role, Permission.DecideSteps) ? "/desk"
        : AccessPolicy.Allows(Role, Permission.Oversight) ? "/oversight" : "/";
}

/// <summary>
/// The seeded people of the development sign-in: a clerk of the Vientiane centre, two officers and a supervisor of every
/// agency (two, so that four-eyes steps can be tried), an auditor and a designer.
/// </summary>
public sealed class People(WorkflowCatalog catalog)
{
    public IReadOnlyList<Person> All { get; } = Seed(catalog);

    public Person? Find(string? userId) => All.FirstOrDefault(p => p.UserId == userId);

    private static List<Person> Seed(WorkflowCatalog catalog)
    {
        var people = new List<Person> { new("clerk-vte", "Khamla Vongsa", Roles.Clerk, "odsc", "VTE") };
        foreach (var agency in catalog.Agencies.Where(a => a.Code != "odsc"))
        {
            people.Add(new($"{agency.Code}-officer-1", $"{agency.Name}: officer 1", Roles.Officer, agency.Code, "VTE"));
            people.Add(new($"{agency.Code}-officer-2", $"{agency.Name}: officer 2", Roles.Officer, agency.Code, "VTE"));
            people.Add(new($"{agency.Code}-supervisor", $"{agency.Name}: supervisor", Roles.Supervisor, agency.Code, "VTE"));
        }
        people.Add(new("odsc-supervisor-vte", "Head of the Vientiane centre", Roles.Supervisor, "odsc", "VTE"));
        people.Add(new("auditor-1", "Inspector Bounmy", Roles.Auditor, null, null));
        // Watchers of escalation targets (see AccessPolicy.WatchedTargets): supervisors whose agency names the target.
        people.Add(new("provincial-home-affairs-vte", "Provincial Home Affairs, Vientiane", Roles.Supervisor,
            AccessPolicy.ProvincialHomeAffairs, "VTE"));
        people.Add(new("national-dashboard-1", "National dashboard", Roles.Supervisor, AccessPolicy.NationalDashboard, null));
        people.Add(new("designer-1", "Designer Phout", Roles.Designer, null, null));
        people.Add(new("designer-2", "Designer Noy", Roles.Designer, null, null));
        return people;
    }
}
