using Workflow.Api.Desk;
using Workflow.Api.Hosting;
using Workflow.Api.Oversight;

namespace Workflow.Api.Applications;

/// <summary>
/// <c>/api/applications</c>: one group for the resource, one use case per file. Reading an application is the least
/// any route here asks, so the group requires it; a route that needs more (receiving at the counter, deciding, the
/// desk, oversight) adds its own policy, and a route documented under another tag names it.
/// </summary>
public static class ApplicationEndpoints
{
    public static void MapApplications(this IEndpointRouteBuilder api)
    {
        var applications = api.MapGroup("/applications").WithTags("Applications").RequireAuthorization(Policies.ReadsApplications);
        applications.MapSubmission();
        applications.MapReads();
        applications.MapDecisions();
        applications.MapCorrections();
        applications.MapDesk();
        applications.MapVerification();
    }
}
