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
                    operations.Store(new InboxItem
                    {
                        Id = InboxItem.IdOf(e.StreamId, opened.StepId),
                        ApplicationId = e.StreamId,
                        StepId = opened.StepId,
                        Title = opened.Title,
                        Agency = opened.Agency,
                        OpenedAt = opened.OpenedAt,
                        DueAt = opened.DueAt,
                    });
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
                            operations.Store(new InboxItem
                            {
                                Id = InboxItem.IdOf(e.StreamId, moved.To),
                                ApplicationId = e.StreamId,
                                StepId = moved.To,
                                Title = moved.Title,
                                Agency = moved.Agency,
                                OpenedAt = migrated.At,
                                DueAt = moved.DueAt,
                            });
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
}
