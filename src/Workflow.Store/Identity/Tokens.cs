using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Workflow.Core.Applications;

namespace Workflow.Store.Identity;

public static class Roles
{
    public const string Clerk = "clerk";
    public const string Officer = "officer";
    public const string Supervisor = "supervisor";
    public const string Auditor = "auditor";
    public const string Designer = "designer";
    public const string Admin = "admin";

    public static readonly string[] All = [Clerk, Officer, Supervisor, Auditor, Designer, Admin];
}

/// <summary>Claim names carried by every token, and development tokens that a Development server accepts.</summary>
public static class Tokens
{
    public const string UserClaim = "sub";
    public const string NameClaim = "name";
    public const string AgencyClaim = "agency";
    public const string RoleClaim = "role";
    public const string CentreClaim = "centre";

    public const string Issuer = "workflow";
    public const string Audience = "workflow-api";

    /// <summary>
    /// The development signing key. Public on purpose: it is only accepted in Development, and outside Development the
    /// server refuses to start without a signing key or an authority of its own.
    /// </summary>
    public const string DevelopmentSigningKey = "workflow-development-signing-key-not-for-production-use-0123456789";

    public static SymmetricSecurityKey KeyFrom(string secret) => new(Encoding.UTF8.GetBytes(secret));

    public static string Mint(string user, string role, string? agency, string? name = null, string? centre = null,
        string signingKey = DevelopmentSigningKey, TimeSpan? lifetime = null, DateTime? now = null)
    {
        var claims = new Dictionary<string, object> { [UserClaim] = user, [NameClaim] = name ?? user, [RoleClaim] = role };
        if (agency is not null) claims[AgencyClaim] = agency;
        if (centre is not null) claims[CentreClaim] = centre;
        var issued = now ?? DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = claims,
            IssuedAt = issued,
            NotBefore = issued,
            Expires = issued + (lifetime ?? TimeSpan.FromHours(12)),
            SigningCredentials = new SigningCredentials(KeyFrom(signingKey), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>The actor recorded on events, read from an authenticated principal.</summary>
    public static Actor ActorOf(ClaimsPrincipal principal)
    {
        string? Claim(string type) => principal.FindFirst(type)?.Value;
        return new Actor(Claim(UserClaim) ?? "unknown", Claim(NameClaim) ?? Claim(UserClaim) ?? "unknown", Claim(AgencyClaim), Claim(RoleClaim) ?? "none");
    }
}
