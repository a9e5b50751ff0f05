using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Workflow.Core.Applications;

namespace Workflow.Store.Applications;

/// <summary>
/// One open step waiting for an agency's decision. One document per open step (not one per agency), so concurrent
/// decisions on different applications never write the same row.
/// </summary>
public sealed record InboxItem
{
    public string Id { get; init; } = "";
    public Guid ApplicationId { get; init; }
    public string StepId { get; init; } = "";
    public string Title { get; init; } = "";
    public string Agency { get; init; } = "";
    public DateTimeOffset OpenedAt { get; init; }
    public DateTimeOffset DueAt { get; init; }

    public static string IdOf(Guid applicationId, string stepId) => $"{applicationId}/{stepId}";
}

public sealed class AgencyInboxProjection : IProjection
{
    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case StepOpened opened:
                    operations.Store(Item(e.StreamId, opened.StepId, opened.Title, opened.Agency, opened.OpenedAt, opened.DueAt));
                    break;
                case StepApproved s: operations.Delete<InboxItem>(InboxItem.IdOf(e.StreamId, s.StepId)); break;
                case StepRejected s: operations.Delete<InboxItem>(InboxItem.IdOf(e.StreamId, s.StepId)); break;
                case StepReturned s: operations.Delete<InboxItem>(InboxItem.IdOf(e.StreamId, s.StepId)); break;
                case StepCancelled s: operations.Delete<InboxItem>(InboxItem.IdOf(e.StreamId, s.StepId)); break;
                case ApplicationMigrated migrated:
                    foreach (var moved in migrated.Moved)
                    {
                        operations.Delete<InboxItem>(InboxItem.IdOf(e.StreamId, moved.From));
                        if (!moved.AwaitingCorrection)
                            operations.Store(Item(e.StreamId, moved.To, moved.Title, moved.Agency, migrated.At, moved.DueAt));
                    }
                    break;
                case ApplicationApproved or ApplicationRejected or ApplicationWithdrawn or ApplicationLapsed or ApplicationDeemedApproved:
                    var stream = e.StreamId;
                    operations.DeleteWhere<InboxItem>(i => i.ApplicationId == stream);
                    break;
            }
        }
        return Task.CompletedTask;
    }

    private static InboxItem Item(Guid application, string step, string title, string agency, DateTimeOffset opened, DateTimeOffset due) => new()
    {
        Id = InboxItem.IdOf(application, step),
        ApplicationId = application,
        StepId = step,
        Title = title,
        Agency = agency,
        OpenedAt = opened,
        DueAt = due,
    };
}
