using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Workflow.Core.Applications;

namespace Workflow.Store.Identity;

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

    /// <summary>
    /// Why an otherwise valid token is refused at authentication, or null when it is accepted: every action is recorded
    /// with who did it, so a token must name its user (<c>sub</c>) and one of the known roles.
    /// </summary>
    public static string? Refusal(ClaimsPrincipal principal) =>
        string.IsNullOrWhiteSpace(principal.FindFirst(UserClaim)?.Value) ? "the token names no user (claim sub)"
        : principal.FindAll(RoleClaim).ToList() is not [{ } role] ? "the token must carry exactly one role (claim role)"
        : !Roles.IsKnown(role.Value) ? $"'{role.Value}' is not a role of this service"
        : null;

    /// <summary>The actor recorded on events, read from a principal that authentication accepted.</summary>
    public static Actor ActorOf(ClaimsPrincipal principal)
    {
        if (Refusal(principal) is { } refusal) throw new InvalidOperationException($"not an accepted principal: {refusal}");
        string? Claim(string type) => principal.FindFirst(type)?.Value is { Length: > 0 } value ? value : null;
        var user = Claim(UserClaim)!;
        return new Actor(user, Claim(NameClaim) ?? user, Claim(AgencyClaim), Claim(RoleClaim)!, Claim(CentreClaim));
    }
}
