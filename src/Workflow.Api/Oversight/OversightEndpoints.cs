using Workflow.Api.Hosting;

namespace Workflow.Api.Oversight;

/// <summary>
/// <c>/api/oversight</c>: questions and checks over the whole store, for auditors and admins only. One application's
/// verification, case file and access log live under <c>/applications/{id}</c> with the rest of that resource.
/// </summary>
public static class OversightEndpoints
{
    public static void MapOversight(this IEndpointRouteBuilder api)
    {
        var oversight = api.MapGroup("/oversight").WithTags("Oversight").RequireAuthorization(Policies.AuditorOrAdmin);
        oversight.MapQueries();
        oversight.MapStoreVerification();
        oversight.MapCaseSearch();
        // Watchers of an escalation target are supervisors, not oversight: the alerts ask the policy per target.
        api.MapAlerts();
    }
}
