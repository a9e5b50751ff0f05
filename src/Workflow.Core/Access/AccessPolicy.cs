using Workflow.Core.Applications;
using Workflow.Core.Definitions;

namespace Workflow.Core.Access;

/// <summary>The roles a token may carry. Any other role, or none, is refused at authentication.</summary>
public static class Roles
{
    public const string Clerk = "clerk";
    public const string Officer = "officer";
    public const string Supervisor = "supervisor";
    public const string Auditor = "auditor";
    public const string Designer = "designer";
    public const string Admin = "admin";

    /// <summary>
    /// The applicant, proved by the tracking number and access code on the public tracking page. Never carried by a token.
    /// </summary>
    public const string Citizen = "citizen";

    /// <summary>The deadline clock. Never carried by a token: only the server acts as the system.</summary>
    public const string System = "system";

    public static readonly string[] All = [Clerk, Officer, Supervisor, Auditor, Designer, Admin];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role);
}

/// <summary>
/// What a role may do at all, before looking at a particular application, agency or centre. Reading procedures and
/// calendars needs no permission: every accepted token may.
/// </summary>
public enum Permission
{
    /// <summary>Publish and retire versions, migrate running applications between them.</summary>
    ChangeProcedures,

    /// <summary>Receive applications, corrections and withdrawals at the counter.</summary>
    Counter,
    DecideSteps,
    AcknowledgeEscalations,

    /// <summary>Give an open step to a named officer of the agency (the desk).</summary>
    ReassignSteps,
    ReadApplications,
    ReadAgencyWork,
    Oversight,
    Seal,

    /// <summary>Read the performance statistics of every centre and agency (the public page shows a summary to anyone).</summary>
    ReadStatistics,
}

/// <summary>The caller may not do this. The edge answers 403 and nothing changes.</summary>
public sealed class AccessDenied(string message) : Exception(message)
{
    /// <summary>
    /// The only thing said to a caller who may not read the application: not its tracking number, procedure, steps or
    /// agencies, not even whether the step named exists.
    /// </summary>
    public const string Unreadable = "You may not read or change this application.";
}

/// <summary>What the policy needs to know about an application: its centre and the agencies whose steps it opened.</summary>
public sealed record ApplicationScope(string Centre, IReadOnlyCollection<string> Agencies)
{
    public static ApplicationScope Of(Application state) =>
        new(state.Centre, [.. state.Steps.Values.Where(s => s.Status != StepStatus.Skipped).Select(s => s.Agency).Distinct()]);
}

/// <summary>
/// Who may do what: the README's roles table, in one place. Pure. The command shell asks it before deciding, the read
/// endpoints before answering, the host's named authorization policies are built from <see cref="RolesWith"/>, and
/// the decider asks it whether a return beyond the cap is allowed.
/// <list type="bullet">
/// <item>A clerk belongs to a centre (token claim <c>centre</c>): receives, corrects and withdraws its applications,
/// decides its centre-agency steps and reads its applications. A clerk's <c>agency</c> claim gives no rights.</item>
/// <item>An officer or supervisor acts for one agency: decides its steps, reads the applications it worked on and its
/// inbox; a supervisor also acknowledges its escalations and may return a file beyond the cap. For the centre agency
/// the centre must match too: only a clerk decides the centre's steps.</item>
/// <item>The desk: claiming, releasing and confirming a step go with deciding it; reassigning it is for a supervisor of
/// its agency; delegating and recusing for those who decide steps of the application.</item>
/// <item>An auditor and an admin read everything and change nothing; a designer works on procedures only.</item>
/// </list>
/// </summary>
public static class AccessPolicy
{
    /// <summary>The agency code of the one-door service centres in the agency catalogue.</summary>
    public const string CentreAgency = "odsc";

    private static readonly Dictionary<Permission, string[]> Table = new()
    {
        [Permission.ChangeProcedures] = [Roles.Designer],
        [Permission.Counter] = [Roles.Clerk],
        [Permission.DecideSteps] = [Roles.Clerk, Roles.Officer, Roles.Supervisor],
        [Permission.AcknowledgeEscalations] = [Roles.Supervisor],
        [Permission.ReassignSteps] = [Roles.Supervisor],
        [Permission.ReadApplications] = [Roles.Clerk, Roles.Officer, Roles.Supervisor, Roles.Auditor, Roles.Admin],
        [Permission.ReadAgencyWork] = [Roles.Clerk, Roles.Officer, Roles.Supervisor, Roles.Auditor, Roles.Admin],
        [Permission.Oversight] = [Roles.Auditor, Roles.Admin],
        [Permission.ReadStatistics] = [Roles.Supervisor, Roles.Auditor, Roles.Admin],
        // The server seals on its own clock; sealing is not a person's act, and auditors and admins change nothing.
        [Permission.Seal] = [Roles.System],
    };

    public static IReadOnlyList<string> RolesWith(Permission permission) => Table[permission];

    public static bool Allows(string? role, Permission permission) => role is not null && Table[permission].Contains(role);

    public static bool Allows(Actor actor, Permission permission) => Allows(actor.Role, permission);

    /// <summary>
    /// Whether the actor may read this application (details, replay, history, case file, verification): oversight reads
    /// everything, a clerk the applications of their centre, an officer or supervisor those their agency worked on.
    /// </summary>
    public static bool MayRead(Actor actor, ApplicationScope application) =>
        Allows(actor, Permission.ReadApplications) && (Allows(actor, Permission.Oversight) || (actor.Role == Roles.Clerk
            ? OfCentre(actor, application.Centre)
            : actor.Agency is { } agency && application.Agencies.Contains(agency)
              && (agency != CentreAgency || OfCentre(actor, application.Centre))));

    /// <summary>Whether the actor may read an agency's inbox and overdue steps: a clerk reads the centre agency's.</summary>
    public static bool MayReadAgencyWork(Actor actor, string agency) =>
        Allows(actor, Permission.ReadAgencyWork) && (Allows(actor, Permission.Oversight) || (actor.Role == Roles.Clerk
            ? agency == CentreAgency && actor.Centre is not null
            : actor.Agency == agency));

    /// <summary>The provincial home-affairs department: an escalation target watched per centre (the province's centre).</summary>
    public const string ProvincialHomeAffairs = "provincial-home-affairs";

    /// <summary>The national dashboard of the ministry of home affairs: an escalation target watched for every centre.</summary>
    public const string NationalDashboard = "national-dashboard";

    /// <summary>
    /// The escalation targets that are not an agency of the case but people who watch late work from above. Such a watcher
    /// signs in as a supervisor whose <c>agency</c> claim names the target (and, for the provincial department, whose
    /// <c>centre</c> claim names the centre it oversees): they read the alerts that name their target and acknowledge them,
    /// and nothing else of the case.
    /// </summary>
    public static readonly string[] WatchedTargets = [ProvincialHomeAffairs, NationalDashboard];

    /// <summary>The escalation target the actor watches, or null.</summary>
    public static string? WatchedTarget(string? role, string? agency) =>
        role == Roles.Supervisor && agency is not null && WatchedTargets.Contains(agency) ? agency : null;

    public static string? WatchedTarget(Actor actor) => WatchedTarget(actor.Role, actor.Agency);

    /// <summary>Whether the actor may read the alerts of a target: its watchers, and oversight (read only).</summary>
    public static bool MayReadAlerts(Actor actor, string target) =>
        WatchedTargets.Contains(target) && (Allows(actor, Permission.Oversight) || WatchedTarget(actor) == target);

    /// <summary>
    /// The centre whose alerts the actor sees: null for every centre (the national dashboard, oversight); the provincial
    /// department sees its own centre only, and nothing when its token names none.
    /// </summary>
    public static string? AlertCentreScope(Actor actor) =>
        WatchedTarget(actor) == ProvincialHomeAffairs ? actor.Centre ?? "" : null;

    /// <summary>Whether the watcher may acknowledge an escalation level that notified these targets, of a case of that centre.</summary>
    public static bool MayAcknowledgeAlert(Actor actor, IEnumerable<string> notified, string centre) =>
        WatchedTarget(actor) is { } target && notified.Contains(target) && (target != ProvincialHomeAffairs || OfCentre(actor, centre));

    /// <summary>Whether reading an application is recorded in its access log: reading beyond one's own work is.</summary>
    public static bool RecordsReading(Actor actor) => Allows(actor, Permission.Oversight);

    /// <summary>
    /// A return beyond the procedure's cap needs a supervisor (of the step's agency, which <see cref="EnsureMayAct"/>
    /// checks); the decider still requires the reason code citing a listed requirement.
    /// </summary>
    public static bool MayReturnBeyondCap(Actor actor) => actor.Role == Roles.Supervisor;

    /// <summary>
    /// Whether the actor may act on another officer's hold on a step (decide or release a claimed step, end another's
    /// delegation): a supervisor, whose agency <see cref="EnsureMayAct"/> has already checked.
    /// </summary>
    public static bool MayOverrideHolder(Actor actor) => actor.Role == Roles.Supervisor;

    /// <summary>A new application: a clerk receives it for their own centre.</summary>
    public static void EnsureMayReceive(Actor actor, string centre)
    {
        if (!Allows(actor, Permission.Counter))
            throw new AccessDenied("applications are received at the centre by a clerk");
        if (!OfCentre(actor, centre))
            throw new AccessDenied(actor.Centre is null
                ? "your token names no centre; a clerk receives applications for their own centre"
                : $"you receive applications for your own centre ({actor.Centre}) only");
    }

    /// <summary>
    /// A command on an existing application. A caller who may not read the application learns nothing about it
    /// (<see cref="AccessDenied.Unreadable"/>); one who may read it is told why the command is refused.
    /// </summary>
    public static void EnsureMayAct(Actor actor, ApplicationCommand command, WorkflowDefinition definition, ApplicationScope application)
    {
        if (command is ReachDeadline or RecalculateDeadlines)
        {
            if (actor.Role != Roles.System) throw new AccessDenied("deadlines are reached by the deadline clock only");
            return;
        }
        if (command is Citizens.RateService)
        {
            if (actor.Role != Roles.Citizen)
                throw new AccessDenied("the service is rated by the citizen, with the tracking number and access code");
            return;
        }
        if (command is MigrateApplication)
        {
            // A designer moves running cases between versions of a procedure without reading their content.
            if (!Allows(actor, Permission.ChangeProcedures))
                throw new AccessDenied("running applications are migrated between versions by a designer");
            return;
        }
        if (command is AcknowledgeEscalation alert && WatchedTarget(actor) is not null)
        {
            // A watcher reads nothing of the case but the alert: refused alike whether the level exists or not.
            if (!MayAcknowledgeAlert(actor, definition.Escalation.NotifiedAt(alert.Level), application.Centre))
                throw new AccessDenied(AccessDenied.Unreadable);
            return;
        }
        if (!MayRead(actor, application)) throw new AccessDenied(AccessDenied.Unreadable);
        switch (command)
        {
            case SubmitApplication:
                throw new AccessDenied("this application has already been received");
            case SubmitCorrection or WithdrawApplication:
                if (!Allows(actor, Permission.Counter) || !OfCentre(actor, application.Centre))
                    throw new AccessDenied("corrections and withdrawals are received by a clerk of the application's centre");
                break;
            case DecideStep decide:
                if (definition.FindStep(decide.StepId) is not { } step) return; // the decider answers that the step is unknown
                EnsureMayDecide(actor, step, application);
                break;
            case DeskCommand desk:
                EnsureMayWorkTheDesk(actor, desk, definition, application);
                break;
            case AcknowledgeEscalation acknowledge:
                if (definition.FindStep(acknowledge.StepId) is not { } escalated) return;
                if (actor.Role != Roles.Supervisor || actor.Agency != escalated.Agency
                    || (escalated.Agency == CentreAgency && !OfCentre(actor, application.Centre)))
                    throw new AccessDenied(
                        $"an escalation of step '{escalated.Id}' is acknowledged by a supervisor of {escalated.Agency}");
                break;
            default:
                throw new AccessDenied($"{command.GetType().Name} is not a command a person may send");
        }
    }

    private static bool OfCentre(Actor actor, string centre) => actor.Centre is { } own && own == centre;

    /// <summary>Only a clerk of the application's centre decides the centre's steps; an officer of the agency the others.</summary>
    private static void EnsureMayDecide(Actor actor, StepDefinition step, ApplicationScope application)
    {
        if (step.Agency == CentreAgency)
        {
            if (actor.Role != Roles.Clerk || !OfCentre(actor, application.Centre))
                throw new AccessDenied($"step '{step.Id}' is decided by a clerk of the application's centre");
            return;
        }
        if (actor.Role is not (Roles.Officer or Roles.Supervisor) || actor.Agency != step.Agency)
            throw new AccessDenied($"step '{step.Id}' is decided by an officer of {step.Agency}");
        if (step.Role is { } role && actor.Role != role && actor.Role != Roles.Supervisor)
            throw new AccessDenied($"step '{step.Id}' is decided by a {role} of {step.Agency}");
    }

    // The desk. Claiming, releasing and confirming a step are open to whoever may decide it; reassigning it to those who
    // supervise its deciders (a supervisor of the agency; for the centre's steps, a supervisor of the centre). Delegating,
    // ending a delegation and recusing concern the case as a whole: open to those who may decide one of its steps (a clerk
    // of its centre, an officer or supervisor of another agency that worked on it).
    private static void EnsureMayWorkTheDesk(Actor actor, DeskCommand command, WorkflowDefinition definition, ApplicationScope application)
    {
        var stepId = command switch
        {
            ClaimStep c => c.StepId,
            ReleaseStep c => c.StepId,
            ReassignStep c => c.StepId,
            ConfirmStepApproval c => c.StepId,
            _ => null,
        };
        if (stepId is null)
        {
            var works = actor.Role == Roles.Clerk
                ? OfCentre(actor, application.Centre)
                : actor.Role is Roles.Officer or Roles.Supervisor && actor.Agency is { } agency && agency != CentreAgency
                  && application.Agencies.Contains(agency);
            if (!works) throw new AccessDenied("delegations and recusals are for the officers who decide steps of this application");
            return;
        }
        if (definition.FindStep(stepId) is not { } step) return; // the decider answers that the step is unknown
        if (command is not ReassignStep)
        {
            EnsureMayDecide(actor, step, application);
            return;
        }
        if (!Allows(actor, Permission.ReassignSteps) || actor.Agency != step.Agency
            || (step.Agency == CentreAgency && !OfCentre(actor, application.Centre)))
            throw new AccessDenied($"step '{step.Id}' is reassigned by a supervisor of {step.Agency}");
    }

    /// <summary>
    /// The centre whose items the actor sees in an agency's inbox and overdue list: null for every centre. The centre's own
    /// staff see their centre's items only; for other agencies, and for oversight, every centre.
    /// </summary>
    public static string? CentreScope(Actor actor, string agency) =>
        agency != CentreAgency || Allows(actor, Permission.Oversight) ? null : actor.Centre ?? "";
}
