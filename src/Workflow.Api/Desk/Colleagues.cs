using Marten;
using Workflow.Api.Workspace;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;

namespace Workflow.Api.Desk;

/// <summary>
/// Someone who signed in to the workspace, as the sign-in named them: the people directory's memory. The id is the
/// user id (<c>sub</c>), so signing in again updates the same document (name, role or agency changed at the provider).
/// </summary>
public sealed record StaffMember
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string Role { get; init; } = "";
    public string? Agency { get; init; }
    public string? Centre { get; init; }
    public DateTimeOffset LastSignedIn { get; init; }
}

/// <summary>
/// The people directory that reassignment and delegation choose from: the officers (and supervisors) of an agency, from
/// the seeded people in Development and, everywhere, from the people who have signed in to the workspace. The identity
/// provider stays the only source of who someone is; the directory only remembers whom the workspace has met, so a
/// new officer appears after his first sign-in. The case page still checks a posted choice against the directory.
/// </summary>
public sealed class Colleagues(IDocumentStore store, People people, IWebHostEnvironment environment, TimeProvider clock)
{
    public async Task RememberAsync(Actor actor, CancellationToken cancellation = default)
    {
        await using var session = store.LightweightSession();
        session.Store(new StaffMember
        {
            Id = actor.UserId, Name = actor.Name, Role = actor.Role, Agency = actor.Agency, Centre = actor.Centre,
            LastSignedIn = clock.GetUtcNow(),
        });
        await session.SaveChangesAsync(cancellation);
    }

    /// <summary>
    /// Who may hold a step of the agency, by name: people of that agency whose role decides steps; for the centre's own
    /// steps, only the staff of that centre.
    /// </summary>
    public async Task<IReadOnlyList<Officer>> OfAgencyAsync(string agency, string? centre, CancellationToken cancellation = default)
    {
        await using var session = store.QuerySession();
        var known = await session.Query<StaffMember>().Where(m => m.Agency == agency).ToListAsync(cancellation);
        var seeded = environment.IsDevelopment()
            ? people.All.Select(p => new StaffMember { Id = p.UserId, Name = p.Name, Role = p.Role, Agency = p.Agency, Centre = p.Centre })
            : [];
        return [.. known.Concat(seeded)
            .Where(m => m.Agency == agency && AccessPolicy.Allows(m.Role, Permission.DecideSteps)
                        && (agency != AccessPolicy.CentreAgency || m.Centre == centre))
            .DistinctBy(m => m.Id)
            .OrderBy(m => m.Name, StringComparer.CurrentCulture)
            .Select(m => new Officer(m.Id, m.Name))];
    }
}
