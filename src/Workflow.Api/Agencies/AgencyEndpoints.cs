using Workflow.Api.Desk;
using Workflow.Api.Hosting;

namespace Workflow.Api.Agencies;

/// <summary>
/// <c>/api/agencies/{agency}</c>: what waits for one agency and its officers' absences. The group requires reading an
/// agency's work; whether the caller belongs to this agency (or this centre) is asked of the access policy in each route.
/// </summary>
public static class AgencyEndpoints
{
    public static void MapAgencies(this IEndpointRouteBuilder api)
    {
        var agency = api.MapGroup("/agencies/{agency}").WithTags("Agencies").RequireAuthorization(Policies.ReadsAgencyWork);
        agency.MapInbox();
        agency.MapOverdue();
        agency.MapAgencyDelegation();
    }
}
