using Workflow.Core.Applications;
using Workflow.Core.Definitions;

namespace Workflow.Store.Identity;

/// <summary>The caller is authenticated but not allowed to do this. The edge answers 403 and nothing changes.</summary>
public sealed class AccessDenied(string message) : Exception(message);

/// <summary>
/// Who may do what to an application. Checked in the command shell and the read endpoints, so no endpoint can forget it.
/// An officer acts only for their own agency; an auditor reads everything and changes nothing.
/// </summary>
public static class Access
{
    private static readonly string[] Deciders = [Roles.Clerk, Roles.Officer, Roles.Supervisor];
    private static readonly string[] Readers = [Roles.Auditor, Roles.Admin, Roles.Clerk];

    public static void EnsureCanAct(Actor actor, ApplicationCommand command, WorkflowDefinition definition)
    {
        switch (command)
        {
            case DecideStep decide:
                if (!Deciders.Contains(actor.Role))
                    throw new AccessDenied($"the role '{actor.Role}' cannot decide steps");
                if (definition.FindStep(decide.StepId) is { } step)
                {
                    if (step.Agency != actor.Agency)
                        throw new AccessDenied($"step '{step.Id}' belongs to {step.Agency}; you act for {actor.Agency ?? "no agency"}");
                    if (step.Role is { } role && actor.Role != role && actor.Role != Roles.Supervisor)
                        throw new AccessDenied($"step '{step.Id}' is decided by a {role}");
                }
                break;
            case ReachDeadline or RecalculateDeadlines:
                if (actor.Role != DeadlineScopes.System.Role)
                    throw new AccessDenied("deadlines are reached by the deadline clock only");
                break;
            case AcknowledgeEscalation acknowledge:
                if (actor.Role is not (Roles.Supervisor or Roles.Admin))
                    throw new AccessDenied("an escalation is acknowledged by a supervisor");
                if (actor.Role == Roles.Supervisor && definition.FindStep(acknowledge.StepId) is { } escalated
                    && actor.Agency != escalated.Agency && actor.Agency != definition.Start.Agency)
                    throw new AccessDenied($"step '{escalated.Id}' belongs to {escalated.Agency}");
                break;
            case SubmitApplication or SubmitCorrection or WithdrawApplication:
                if (actor.Role != Roles.Clerk)
                    throw new AccessDenied("applications are received, corrected and withdrawn at the centre by a clerk");
                break;
        }
    }

    /// <summary>Whether the actor may read an application whose steps involved these agencies.</summary>
    public static bool CanRead(Actor actor, IEnumerable<string> agencies) =>
        Readers.Contains(actor.Role) || (actor.Agency is { } agency && agencies.Contains(agency));

    public static bool CanReadInbox(Actor actor, string agency) =>
        actor.Role is Roles.Auditor or Roles.Admin || actor.Agency == agency;
}
