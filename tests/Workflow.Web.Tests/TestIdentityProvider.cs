using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Workflow.Web.Tests;

/// <summary>
/// A minimal OpenID Connect provider on a loopback port, answering as an organisation's would: the discovery document,
/// its signing keys, an authorize endpoint that signs in whoever the test names in <see cref="Next"/> (no password page),
/// a token endpoint that trades the code for an RS256-signed id_token with sub, name, role, agency and centre, and the
/// user information endpoint. Codes are single use and bound to the client and the redirect address.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public sealed record Account(string Sub, string Name, string Role, string? Agency, string? Centre);

    private sealed record Grant(Account Who, string Nonce, string RedirectUri);

    public const string ClientId = "workspace";
    public const string ClientSecret = "workspace-secret";

    private readonly WebApplication _app;
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, Grant> _codes = new();
    private readonly ConcurrentDictionary<string, Account> _accessTokens = new();

    /// <summary>The person the next authorize request signs in.</summary>
    public Account? Next { get; set; }

    public string Authority { get; private set; } = "";

    private TestIdentityProvider()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Authority,
            ["authorization_endpoint"] = $"{Authority}/authorize",
            ["token_endpoint"] = $"{Authority}/token",
            ["userinfo_endpoint"] = $"{Authority}/userinfo",
            ["jwks_uri"] = $"{Authority}/jwks",
            ["response_types_supported"] = new[] { "code" },
            ["response_modes_supported"] = new[] { "query", "form_post" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post", "client_secret_basic" },
        }));
        _app.MapGet("/jwks", () =>
        {
            var key = _rsa.ExportParameters(false);
            return Results.Json(new
            {
                keys = new[]
                {
                    new
                    {
                        kty = "RSA", use = "sig", alg = "RS256", kid = "test-key",
                        n = Base64UrlEncoder.Encode(key.Modulus), e = Base64UrlEncoder.Encode(key.Exponent),
                    },
                },
            });
        });
        _app.MapGet("/authorize", Authorize);
        _app.MapPost("/token", TokenAsync);
        _app.MapGet("/userinfo", (HttpContext http) =>
            AuthenticationHeaderValue.TryParse(http.Request.Headers.Authorization, out var header)
            && header.Parameter is { } token && _accessTokens.TryGetValue(token, out var who)
                ? Results.Json(Claims(who))
                : Results.Unauthorized());
    }

    public static async Task<TestIdentityProvider> StartAsync()
    {
        var provider = new TestIdentityProvider();
        await provider._app.StartAsync();
        provider.Authority = provider._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.First().TrimEnd('/');
        return provider;
    }

    private IResult Authorize(HttpContext http)
    {
        var query = http.Request.Query;
        string? redirect = query["redirect_uri"];
        if (query["client_id"] != ClientId || query["response_type"] != "code" || redirect is null || Next is null)
            return Results.BadRequest("unknown client, response type or redirect, or nobody to sign in");
        var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _codes[code] = new Grant(Next, query["nonce"].ToString(), redirect);
        var state = query["state"].ToString();
        if (query["response_mode"] != "form_post")
            return Results.Redirect($"{redirect}?code={code}&state={Uri.EscapeDataString(state)}");
        // form_post: the browser carries the code back in a POST, as the providers that support it answer.
        var html = HtmlEncoder.Default;
        return Results.Content(
            $"""
             <!DOCTYPE html><html lang="en"><head><title>Signing in</title></head>
             <body onload="document.forms[0].submit()"><form method="post" action="{html.Encode(redirect)}">
             <input type="hidden" name="code" value="{code}" /><input type="hidden" name="state" value="{html.Encode(state)}" />
             <noscript><button type="submit">Continue</button></noscript></form></body></html>
             """, "text/html");
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var secret = form["client_secret"].ToString();
        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var basic) && basic.Scheme == "Basic")
            secret = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(basic.Parameter ?? "")).Split(':').Last();
        if (secret != ClientSecret || form["grant_type"] != "authorization_code"
            || !_codes.TryRemove(form["code"].ToString(), out var grant) || grant.RedirectUri != form["redirect_uri"])
            return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
        var now = DateTime.UtcNow;
        var claims = Claims(grant.Who);
        claims["nonce"] = grant.Nonce;
        var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = ClientId,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = "test-key" }, SecurityAlgorithms.RsaSha256),
        });
        var accessToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _accessTokens[accessToken] = grant.Who;
        return Results.Json(new { access_token = accessToken, token_type = "Bearer", expires_in = 300, id_token = idToken });
    }

    private static Dictionary<string, object> Claims(Account who)
    {
        var claims = new Dictionary<string, object> { ["sub"] = who.Sub, ["name"] = who.Name, ["role"] = who.Role };
        if (who.Agency is not null) claims["agency"] = who.Agency;
        if (who.Centre is not null) claims["centre"] = who.Centre;
        return claims;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _rsa.Dispose();
    }
}
