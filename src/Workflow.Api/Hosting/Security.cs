using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Workflow.Core.Access;
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
                throw new InvalidOperationException(
                    "Auth:SigningKey or Auth:Authority must be set outside Development (Auth__SigningKey / Auth__Authority).");
            signingKey = Tokens.DevelopmentSigningKey;
        }
        if (!development && signingKey == Tokens.DevelopmentSigningKey)
            throw new InvalidOperationException(
                "Auth:SigningKey is the public development key; set a secret key of your own outside Development.");
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
            // A signed token without a user or with an unknown role is not a caller we can record: 401, like no token.
            options.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    if (Tokens.Refusal(context.Principal!) is { } refusal) context.Fail(refusal);
                    return Task.CompletedTask;
                },
            };
        });
        builder.Services.AddAuthorization(options =>
        {
            foreach (var (name, permission) in Policies.Named)
                options.AddPolicy(name, policy => policy.RequireAuthenticatedUser()
                    .RequireAssertion(context => AccessPolicy.Allows(context.User.FindFirst(Tokens.RoleClaim)?.Value, permission)));
        });
        return builder;
    }
}

/// <summary>
/// The named authorization policies on routes and groups, each the set of roles that <see cref="AccessPolicy"/> gives a
/// permission. Whether a caller may touch one particular application, agency or centre is asked of the policy in the
/// command shell and the read endpoints.
/// </summary>
public static class Policies
{
    public const string Designer = "designer";
    public const string AuditorOrAdmin = "auditor-or-admin";
    public const string ReadsApplications = "reads-applications";
    public const string ReadsAgencyWork = "reads-agency-work";
    public const string Counter = "counter";
    public const string DecidesSteps = "decides-steps";
    public const string Supervisor = "supervisor";
    public const string ReassignsSteps = "reassigns-steps";
    public const string System = "system";
    public const string ReadsStatistics = "reads-statistics";

    public static readonly IReadOnlyDictionary<string, Permission> Named = new Dictionary<string, Permission>
    {
        [Designer] = Permission.ChangeProcedures,
        [AuditorOrAdmin] = Permission.Oversight,
        [ReadsApplications] = Permission.ReadApplications,
        [ReadsAgencyWork] = Permission.ReadAgencyWork,
        [Counter] = Permission.Counter,
        [DecidesSteps] = Permission.DecideSteps,
        [Supervisor] = Permission.AcknowledgeEscalations,
        [ReassignsSteps] = Permission.ReassignSteps,
        [System] = Permission.Seal,
        [ReadsStatistics] = Permission.ReadStatistics,
    };
}
