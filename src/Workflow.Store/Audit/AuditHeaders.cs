using JasperFx.Events;
using Marten;
using Workflow.Core.Applications;
using Workflow.Core.Calendars;
using Workflow.Core.Definitions;

namespace Workflow.Store.Audit;

/// <summary>
/// The audit metadata every event carries, written and read here only: who acted (the user id is Marten's user name),
/// in which role and agency, for whom, through which channel, and under which procedure and calendar versions. The
/// command shell and the access log write it; the case file, the history and the command-line replay read it.
/// The header names are stored with every event: never rename one.
/// </summary>
public sealed record AuditHeaders(
    string? ActorId,
    string? ActorName,
    string? ActorRole,
    string? ActorAgency,
    string? OnBehalfOf,
    string? Channel,
    string? Procedure,
    string? ProcedureHash,
    string? Calendar)
{
    private const string ActorNameKey = "actor-name";
    private const string ActorRoleKey = "actor-role";
    private const string ActorAgencyKey = "actor-agency";
    private const string OnBehalfOfKey = "on-behalf-of";
    private const string ChannelKey = "channel";
    private const string ProcedureKey = "procedure";
    private const string ProcedureHashKey = "procedure-hash";
    private const string CalendarKey = "calendar";

    /// <summary>Who acts, for whom and through which channel, with the ids that link the events to their cause.</summary>
    public static void Stamp(IDocumentSession session, Actor actor, string channel, string correlationId, string? causationId = null,
        string? onBehalfOf = null)
    {
        session.CorrelationId = correlationId;
        session.CausationId = causationId;
        session.LastModifiedBy = actor.UserId;
        session.SetHeader(ActorNameKey, actor.Name);
        session.SetHeader(ActorRoleKey, actor.Role);
        if (actor.Agency is not null) session.SetHeader(ActorAgencyKey, actor.Agency);
        session.SetHeader(ChannelKey, channel);
        if (onBehalfOf is not null) session.SetHeader(OnBehalfOfKey, onBehalfOf);
    }

    /// <summary>The rules in force for a command: the procedure version and the calendar version.</summary>
    public static void StampRules(IDocumentSession session, WorkflowDefinition definition, WorkingCalendar calendar)
    {
        session.SetHeader(ProcedureKey, $"{definition.Id}@{definition.Version}");
        session.SetHeader(ProcedureHashKey, definition.Hash);
        session.SetHeader(CalendarKey, calendar.Version);
    }

    /// <summary>The same rules on one event, for a session whose events belong to several commands (the sweeper's batches).</summary>
    public static void StampRules(IEvent e, WorkflowDefinition definition, WorkingCalendar calendar)
    {
        e.SetHeader(ProcedureKey, $"{definition.Id}@{definition.Version}");
        e.SetHeader(ProcedureHashKey, definition.Hash);
        e.SetHeader(CalendarKey, calendar.Version);
    }

    public static AuditHeaders Of(IEvent e)
    {
        string? Header(string name) => e.Headers?.TryGetValue(name, out var value) == true ? value?.ToString() : null;
        return new AuditHeaders(e.UserName, Header(ActorNameKey), Header(ActorRoleKey), Header(ActorAgencyKey), Header(OnBehalfOfKey),
            Header(ChannelKey), Header(ProcedureKey), Header(ProcedureHashKey), Header(CalendarKey));
    }

    /// <summary>The actor as one line: name (role, agency), or the user id when no name was recorded.</summary>
    public string? Describe() =>
        ActorName is null ? ActorId : $"{ActorName} ({string.Join(", ", new[] { ActorRole, ActorAgency }.OfType<string>())})";
}
