using Workflow.Api.Tracking;
using Workflow.Core.Citizens;
using Workflow.Store.Notifications;

namespace Workflow.Api.Notifications;

public sealed record MessageText(string Subject, string Body);

/// <summary>The text of an outbox message, made when it is sent, in the applicant's language, from the citizen's resources.</summary>
public sealed class Messages(CitizenWords words)
{
    public MessageText Render(OutboxMessage m)
    {
        var l = m.Language;
        var facts = m.Facts;
        var procedure = words.Procedure(l, m.WorkflowId);
        string Text(string key, params object?[] args) => words.Text(l, key, args);
        var (subject, body) = m.Kind switch
        {
            NoticeKind.Received => (Text("Mail.Received.Subject", m.TrackingNumber),
                Text("Mail.Received.Body", m.TrackingNumber, procedure)),
            NoticeKind.Returned => (Text("Mail.Returned.Subject", m.TrackingNumber), string.Join(" ", new[]
            {
                Text("Mail.Returned.Body", m.TrackingNumber, words.Agency(l, facts.Agency ?? ""), facts.Reason),
                facts.Comment,
                facts.DueAt is { } by ? Text("CorrectBy", CitizenWords.Date(l, by)) : null,
            }.Where(s => !string.IsNullOrWhiteSpace(s)))),
            NoticeKind.Apology => (Text("Mail.Apology.Subject", m.TrackingNumber),
                Text("Mail.Apology.Body", m.TrackingNumber, facts.DueAt is { } at ? CitizenWords.Date(l, at) : "")),
            NoticeKind.Approved => (Text("Mail.Approved.Subject", m.TrackingNumber),
                Text("Mail.Approved.Body", m.TrackingNumber, procedure)),
            NoticeKind.Rejected => (Text("Mail.Rejected.Subject", m.TrackingNumber),
                Text("Mail.Rejected.Body", m.TrackingNumber, procedure, facts.Reason)),
            NoticeKind.ReadyToCollect => (Text("Mail.Ready.Subject", m.TrackingNumber),
                Text("Mail.Ready.Body", m.TrackingNumber, procedure)),
            _ => throw new ArgumentOutOfRangeException(nameof(m), m.Kind, "unknown kind of message"),
        };
        return new MessageText(subject, $"{body}\n\n{Text("Mail.Signature")}");
    }
}
