using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Workflow.Core.Applications;
using Workflow.Store.Definitions;

namespace Workflow.Store.Audit;

/// <summary>
/// One recorded event as a case file shows it: when the store recorded it, who caused it, through which channel. The
/// event's own instants stay as recorded; the case file writes them in its office's zone (<see cref="InZone"/>).
/// </summary>
public sealed record CaseEvent(long Version, DateTimeOffset RecordedAt, string Type, string? ActorId, string? ActorName, string? ActorRole,
    string? ActorAgency, string? Channel, object Data)
{
    public static CaseEvent From(JasperFx.Events.IEvent e)
    {
        var audit = AuditHeaders.Of(e);
        return new CaseEvent(e.Version, e.Timestamp, e.EventTypeName, audit.ActorId, audit.ActorName, audit.ActorRole, audit.ActorAgency,
            audit.Channel, e.Data);
    }
}

/// <summary>
/// Reads a case file from the store: the case's events and the verification of its hash chain, every instant in the
/// time zone of the office that received the application.
/// </summary>
public sealed class CaseFiles(Marten.IDocumentStore store, AuditChain chain, PinnedDefinitions definitions, TimeProvider clock)
{
    public async Task<CaseFile?> LoadAsync(Guid id, CancellationToken cancellation = default)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(id, token: cancellation);
        if (events.Count == 0 || events[0].Data is not ApplicationSubmitted submitted) return null;
        var calendars = definitions.Catalog.Calendars;
        var office = calendars.Ids.Any() ? calendars.ForCentre(submitted.Centre, submitted.At).Zone : RecordedZone(events);
        return CaseFile.Build([.. events.Select(CaseEvent.From)], await chain.VerifyAsync(id, cancellation), clock.GetUtcNow(), office);
    }

    /// <summary>
    /// Without the calendars (a tool reading a store that keeps no catalogue), the office's offset as its own calendar
    /// wrote it into the first deadline it set.
    /// </summary>
    private static TimeZoneInfo RecordedZone(IReadOnlyList<JasperFx.Events.IEvent> events) =>
        events.Select(e => e.Data).OfType<StepOpened>().FirstOrDefault() is { } opened
            ? TimeZoneInfo.CreateCustomTimeZone("office", opened.DueAt.Offset, "office", "office")
            : TimeZoneInfo.Utc;
}

/// <summary>
/// Writes every instant in one time zone, with its offset. The instants stay the same; only the way they are written
/// changes, so that a case file never mixes UTC and local times.
/// </summary>
public sealed class InZone(TimeZoneInfo zone) : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TimeZoneInfo.ConvertTime(reader.GetDateTimeOffset(), zone);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(TimeZoneInfo.ConvertTime(value, zone));

    /// <summary>Options built on each caller's, once per zone: options hold the metadata of every type they have met.</summary>
    private static readonly ConditionalWeakTable<JsonSerializerOptions, ConcurrentDictionary<string, JsonSerializerOptions>> Options =
        new();

    /// <summary>
    /// <paramref name="options"/> with every instant written in <paramref name="zone"/>: how a case file is written, its
    /// timeline's events keeping their instants as recorded until then.
    /// </summary>
    public static JsonSerializerOptions Writing(JsonSerializerOptions options, TimeZoneInfo zone) =>
        // By id and offset: an office zone made from a recorded offset has no rules of its own (see CaseFiles.RecordedZone).
        // Not by the zone's serialized form, which asks ICU for the zone's display names and maps megabytes of its data.
        Options.GetValue(options, _ => new()).GetOrAdd($"{zone.Id} {zone.BaseUtcOffset}",
            _ => new JsonSerializerOptions(options) { Converters = { new InZone(zone) } });
}

public sealed record CaseDecision(string StepId, string Agency, string Outcome, string Reason, string? Comment, string? By, string? Role,
    DateTimeOffset At, DateTimeOffset? DueAt, bool Late);

/// <param name="Outcome">met, missed, or open (still running, or closed without a decision).</param>
public sealed record CaseDeadline(string Scope, string? Agency, DateTimeOffset DueAt, string Outcome, DateTimeOffset? ClosedAt);

/// <summary>
/// Everything an inspector or a court needs about one case, built from its events alone: the procedure version it
/// followed, every decision with its reason and actor, each deadline met or missed, the full timeline, and whether
/// the stored history verifies against its hash chain.
/// </summary>
public sealed record CaseFile(
    Guid ApplicationId,
    string TrackingNumber,
    string Procedure,
    int ProcedureVersion,
    string ProcedureHash,
    string Applicant,
    string Centre,
    string Status,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? LegalDueAt,
    DateTimeOffset? FinishedAt,
    string? Timeliness,
    IReadOnlyList<CaseDecision> Decisions,
    IReadOnlyList<CaseDeadline> Deadlines,
    IReadOnlyList<CaseEvent> Timeline,
    bool Verified,
    string Verification,
    DateTimeOffset GeneratedAt)
{
    /// <summary>
    /// The time zone of the office that received the application. The file states its own instants in it; the events
    /// of its timeline keep theirs as recorded, and are written in it (<see cref="Writing"/>).
    /// </summary>
    [JsonIgnore]
    public TimeZoneInfo Office { get; init; } = TimeZoneInfo.Utc;

    /// <summary>The options to write this file with: <paramref name="options"/>, with every instant in the office's zone.</summary>
    public JsonSerializerOptions Writing(JsonSerializerOptions options) => InZone.Writing(options, Office);

    /// <param name="office">The time zone of the office that received the application: every instant is stated in it.</param>
    public static CaseFile Build(IReadOnlyList<CaseEvent> recorded, StreamVerification verification, DateTimeOffset generatedAt,
        TimeZoneInfo office)
    {
        DateTimeOffset Local(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, office);
        var events = recorded.Select(e => e with { RecordedAt = Local(e.RecordedAt) }).ToList();
        generatedAt = Local(generatedAt);
        var submitted = events.Select(e => e.Data).OfType<ApplicationSubmitted>().Single();
        var decisions = new List<CaseDecision>();
        var deadlines = new List<CaseDeadline>();
        var openDue = new Dictionary<string, (DateTimeOffset Due, string Agency, bool Breached)>();
        DateTimeOffset? legalDue = null, finished = null;
        var status = "submitted";
        var missed = false;
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case StepOpened x: openDue[x.StepId] = (x.DueAt, x.Agency, false); break;
                case DeadlineBreached x when openDue.TryGetValue(x.StepId, out var o):
                    openDue[x.StepId] = o with { Breached = true };
                    break;
                case DeadlineRecalculated x when openDue.TryGetValue(x.Scope, out var o):
                    openDue[x.Scope] = o with { Due = x.DueAt };
                    break;
                case DeadlineRecalculated { Scope: DeadlineScopes.Case } x: legalDue = x.DueAt; break;
                case StepApproved x: Decide(x.StepId, x.Agency, "approved", x.Reason, x.Comment, x.By, x.At); break;
                case StepRejected x: Decide(x.StepId, x.Agency, "rejected", x.Reason, x.Comment, x.By, x.At); break;
                case StepReturned x: Decide(x.StepId, x.Agency, "returned", x.Reason, x.Comment, x.By, x.At); break;
                case StepCancelled x when openDue.Remove(x.StepId, out var o):
                    deadlines.Add(new(x.StepId, o.Agency, Local(o.Due), "open", Local(x.At)));
                    break;
                case ApplicationDeclaredComplete x: legalDue = x.DueAt; status = "in-progress"; break;
                case CaseClockResumed x: legalDue = x.DueAt; break;
                case CaseDeadlineMissed: missed = true; break;
                case ApplicationApproved x: (status, finished) = ("approved", x.At); break;
                case ApplicationDeemedApproved x: (status, finished) = ("approved (deemed)", x.At); break;
                case ApplicationRejected x: (status, finished) = ("rejected", x.At); break;
                case ApplicationWithdrawn x: (status, finished) = ("withdrawn", x.At); break;
                case ApplicationLapsed x: (status, finished) = ("lapsed", x.At); break;
            }
        }
        foreach (var (step, o) in openDue) deadlines.Add(new(step, o.Agency, Local(o.Due), o.Breached ? "missed" : "open", null));
        legalDue = legalDue is { } l ? Local(l) : null;
        finished = finished is { } end ? Local(end) : null;
        if (legalDue is { } due)
            deadlines.Insert(0, new(DeadlineScopes.Case, null, due,
                finished is { } f ? (Lateness.IsLate(f, due) ? "missed" : "met") : missed ? "missed" : "open", finished));
        var timeliness = CaseTimeliness.Of(events.Select(e => e.Data));

        return new CaseFile(submitted.ApplicationId, submitted.TrackingNumber, submitted.WorkflowId, submitted.WorkflowVersion,
            submitted.DefinitionHash,
            submitted.Applicant.Name, submitted.Centre, status, Local(submitted.At), legalDue, finished, timeliness, decisions, deadlines, events,
            verification.Intact,
            verification.FirstBreak is { } b ? $"BROKEN at version {b.Version}: {b.Kind.ToString().ToLowerInvariant()} - {b.Detail}"
                : $"intact: all {verification.Events} events match their hash chain",
            generatedAt) { Office = office };

        void Decide(string step, string agency, string outcome, string reason, string? comment, Actor by, DateTimeOffset at)
        {
            openDue.Remove(step, out var o);
            var late = o.Due != default && Lateness.IsLate(at, o.Due);
            decisions.Add(new(step, agency, outcome, reason, comment, $"{by.Name} ({by.UserId})", by.Role, Local(at),
                o.Due == default ? null : Local(o.Due), late));
            if (o.Due != default) deadlines.Add(new(step, agency, Local(o.Due), late ? "missed" : "met", Local(at)));
        }
    }
}

/// <summary>The case file as a printable, self-contained HTML report (no scripts, no external resources).</summary>
public static class CaseFileHtml
{
    public static string Render(CaseFile file)
    {
        var html = new StringBuilder();
        string E(object? value) => WebUtility.HtmlEncode(value switch
        {
            DateTimeOffset d => d.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture),
            null => "",
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
        });
        html.Append($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Case file {E(file.TrackingNumber)}</title>
            <style>
            {CaseFileStyle}
            </style></head><body>
            <h1>Case file {E(file.TrackingNumber)}</h1>
            <p>{E(file.Procedure)}, version {E(file.ProcedureVersion)}; generated {E(file.GeneratedAt)} from the recorded events.</p>
            <dl>
            <dt>Application</dt><dd>{E(file.ApplicationId)}</dd>
            <dt>Applicant</dt><dd>{E(file.Applicant)}</dd>
            <dt>Centre</dt><dd>{E(file.Centre)}</dd>
            <dt>Procedure</dt><dd>{E(file.Procedure)} version {E(file.ProcedureVersion)} ({E(file.ProcedureHash)})</dd>
            <dt>Status</dt><dd>{E(file.Status)}</dd>
            <dt>Submitted</dt><dd>{E(file.SubmittedAt)}</dd>
            <dt>Legal deadline</dt><dd>{E(file.LegalDueAt)}</dd>
            <dt>Finished</dt><dd>{E(file.FinishedAt)}</dd>
            <dt>Timeliness</dt><dd>{E(file.Timeliness ?? "open")}</dd>
            <dt>Integrity</dt><dd class="{(file.Verified ? "intact" : "broken")}">{E(file.Verification)}</dd>
            </dl>
            <h2>Decisions</h2>
            <table><tr><th>Step</th><th>Agency</th><th>Outcome</th><th>Reason</th><th>By</th><th>When</th><th>Due</th></tr>

            """);
        foreach (var d in file.Decisions)
            html.Append($"<tr><td>{E(d.StepId)}</td><td>{E(d.Agency)}</td><td>{E(d.Outcome)}</td>" +
                        $"<td>{E(d.Reason)}{(d.Comment is null ? "" : $"<br><small>{E(d.Comment)}</small>")}</td>" +
                        $"<td>{E(d.By)}, {E(d.Role)}</td><td>{E(d.At)}</td>" +
                        $"<td class=\"{(d.Late ? "missed" : "met")}\">{E(d.DueAt)}{(d.Late ? " (late)" : "")}</td></tr>\n");
        html.Append("</table>\n<h2>Deadlines</h2>\n" +
                    "<table><tr><th>Deadline</th><th>Held by</th><th>Due</th><th>Outcome</th><th>Closed</th></tr>\n");
        foreach (var d in file.Deadlines)
            html.Append($"<tr><td>{E(d.Scope == DeadlineScopes.Case ? "legal deadline of the case" : d.Scope)}</td>" +
                        $"<td>{E(d.Agency)}</td><td>{E(d.DueAt)}</td>" +
                        $"<td class=\"{d.Outcome}\">{E(d.Outcome)}</td><td>{E(d.ClosedAt)}</td></tr>\n");
        html.Append("</table>\n<h2>Timeline</h2>\n" +
                    "<table><tr><th>#</th><th>Recorded</th><th>Event</th><th>Actor</th><th>Channel</th></tr>\n");
        foreach (var e in file.Timeline)
            html.Append($"<tr><td>{e.Version}</td><td>{E(e.RecordedAt)}</td><td>{E(Describe(e.Data, file.Office))}</td>" +
                        $"<td>{E(e.ActorName)}{(e.ActorRole is null ? "" : $", {E(e.ActorRole)}")}" +
                        $"{(e.ActorAgency is null ? "" : $", {E(e.ActorAgency)}")}</td><td>{E(e.Channel)}</td></tr>\n");
        html.Append("</table>\n</body></html>\n");
        return html.ToString();
    }

    // The style sheet of the HTML case file, one rule group a line as it is printed.
    private const string CaseFileStyle =
        "body { font-family: \"Noto Sans\", Arial, sans-serif; margin: 2em; color: #111; }\n" +
        "h1 { font-size: 1.5em; margin-bottom: 0.2em; } " +
        "h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #999; }\n" +
        "table { border-collapse: collapse; width: 100%; font-size: 0.9em; } " +
        "th, td { border: 1px solid #bbb; padding: 4px 6px; text-align: left; vertical-align: top; }\n" +
        "th { background: #eee; } .missed, .broken { color: #a00; font-weight: bold; } " +
        ".met, .intact { color: #060; }\n" +
        "dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; } " +
        "dt { font-weight: bold; }\n" +
        "@media print { body { margin: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; } " +
        "}";

    private static string Describe(object data, TimeZoneInfo office) => data switch
    {
        ApplicationSubmitted x => $"Application received at {x.Centre} under {x.WorkflowId} v{x.WorkflowVersion}",
        StepOpened x => $"Step {x.StepId} opened for {x.Agency}, due {Local(x.DueAt, office)} " +
                        $"({Days(x.WorkingDays)}{(x.Reopened ? ", reopened" : "")})",
        StepApproved x => $"Step {x.StepId} approved: {x.Reason}",
        StepRejected x => $"Step {x.StepId} rejected: {x.Reason}",
        StepReturned x => $"Step {x.StepId} returned for correction: {x.Reason}",
        StepSkipped x => $"Step {x.StepId} skipped: condition not met ({x.Condition})",
        StepCancelled x => $"Step {x.StepId} cancelled: {x.Reason}",
        ApplicationDeclaredComplete x
            => $"Declared complete; legal deadline {Local(x.DueAt, office)} ({Days(x.WorkingDays)}, {x.CalendarVersion})",
        CaseClockStopped x => $"Legal clock stopped; correction due by {Local(x.CorrectionDueAt, office)}",
        CaseClockResumed x => $"Legal clock resumed ({x.Policy}); due {Local(x.DueAt, office)}",
        CorrectionSubmitted x => $"Correction submitted{(x.Comment is null ? "" : $": {x.Comment}")}",
        DeadlineWarningReached x => $"Deadline warning for {x.StepId}; notified {string.Join(", ", x.Notified)}",
        DeadlineBreached x => $"Deadline of {x.StepId} missed by {x.Agency}; notified {string.Join(", ", x.Notified)}",
        StepEscalated x => $"Step {x.StepId} escalated to level {x.Level}; notified {string.Join(", ", x.Notified)}",
        EscalationAcknowledged x => $"Escalation level {x.Level} of {x.StepId} acknowledged",
        CaseDeadlineMissed x
            => $"Legal deadline missed; apology sent with a new expected date {Local(x.NewExpectedAt, office, "yyyy-MM-dd")}",
        DeadlineRecalculated { NextTimer: { Kind: DeadlineScopes.Escalation } next } x when x.DueAt == x.PreviousDueAt
            => $"Escalation level {next.Level} of {x.Scope} moved to {Local(next.At, office)}: {x.Reason}",
        DeadlineRecalculated x => $"Deadline of {x.Scope} moved to {Local(x.DueAt, office)}: {x.Reason}",
        ApplicationApproved => "Application approved",
        ApplicationDeemedApproved => "Application approved by law (deemed approval)",
        ApplicationRejected x => $"Application rejected at {x.StepId}: {x.Reason}",
        ApplicationWithdrawn x => $"Application withdrawn: {x.Reason}",
        ApplicationLapsed => "Application lapsed: no correction within the window",
        _ => data.GetType().Name,
    };

    /// <summary>An instant of an event as recorded, in the office's zone.</summary>
    private static string Local(DateTimeOffset instant, TimeZoneInfo office, string format = "yyyy-MM-dd HH:mm") =>
        TimeZoneInfo.ConvertTime(instant, office).ToString(format, CultureInfo.InvariantCulture);

    private static string Days(int n) => n == 1 ? "1 working day" : $"{n} working days";
}
