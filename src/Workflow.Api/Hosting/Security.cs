using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Workflow.Store.Identity;

namespace Workflow.Api.Hosting;

public static class Security
{
    /// <summary>
    /// JWT bearer tokens with the claims sub, name, agency and role. In Development tokens signed with the development key
    /// (see <c>workflow token</c>) are accepted; elsewhere the server refuses to start without <c>Auth:SigningKey</c>
    /// (at least 32 bytes, not the development key) or <c>Auth:Authority</c>.
    /// </summary>
    public static WebApplicationBuilder AddSecurity(this WebApplicationBuilder builder)
    {
        var auth = builder.Configuration.GetSection("Auth");
        var authority = auth["Authority"];
        var signingKey = auth["SigningKey"];
        var development = builder.Environment.IsDevelopment();
        if (string.IsNullOrWhiteSpace(authority) && string.IsNullOrWhiteSpace(signingKey))
        {
            if (!development)
                throw new InvalidOperationException("Auth:SigningKey or Auth:Authority must be set outside Development (Auth__SigningKey / Auth__Authority).");
            signingKey = Tokens.DevelopmentSigningKey;
        }
        if (!development && signingKey == Tokens.DevelopmentSigningKey)
            throw new InvalidOperationException("Auth:SigningKey is the public development key; set a secret key of your own outside Development.");
        if (!string.IsNullOrWhiteSpace(signingKey) && signingKey.Length < 32)
            throw new InvalidOperationException("Auth:SigningKey must be at least 32 characters long.");

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
            options.RequireHttpsMetadata = !development;
            if (!string.IsNullOrWhiteSpace(authority)) options.Authority = authority;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = string.IsNullOrWhiteSpace(authority) ? Tokens.Issuer : null,
                ValidAudience = auth["Audience"] ?? Tokens.Audience,
                IssuerSigningKey = string.IsNullOrWhiteSpace(signingKey) ? null : Tokens.KeyFrom(signingKey),
                NameClaimType = Tokens.NameClaim,
                RoleClaimType = Tokens.RoleClaim,
                ClockSkew = TimeSpan.FromMinutes(1),
            };
        });
        builder.Services.AddAuthorization();
        return builder;
    }
}
