using System.Runtime.CompilerServices;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Workflow.Core.Applications;

namespace Workflow.Store.Applications;

/// <summary>
/// One open step waiting for an agency's decision, with what the desk shows at a glance: who holds it, whether an approval
/// waits for a second officer, warnings and breaches. One document per open step (not one per agency), so concurrent
/// decisions on different applications never write the same row.
/// </summary>
/// <remarks>Items written before the desk existed lack the newer fields until their step next changes; they read as unclaimed.</remarks>
public sealed record InboxItem
{
    public string Id { get; init; } = "";
    public Guid ApplicationId { get; init; }
    public string TrackingNumber { get; init; } = "";
    public string WorkflowId { get; init; } = "";
    public string Centre { get; init; } = "";
    public string StepId { get; init; } = "";
    public string Title { get; init; } = "";
    public string Agency { get; init; } = "";
    public DateTimeOffset OpenedAt { get; init; }
    public DateTimeOffset DueAt { get; init; }
    public bool Warned { get; init; }
    public bool Breached { get; init; }
    public int EscalationLevel { get; init; }

    /// <summary>The officer working on the step (claimed or reassigned); null when nobody holds it.</summary>
    public string? HolderId { get; init; }
    public string? HolderName { get; init; }

    /// <summary>A four-eyes step's first approval, waiting for another officer's confirmation.</summary>
    public Officer? PendingApprovalBy { get; init; }
    public DateTimeOffset? PendingSince { get; init; }

    public static string IdOf(Guid applicationId, string stepId) => $"{applicationId}/{stepId}";
}

/// <param name="Centre">Only items of applications received at this centre; null for every centre.</param>
/// <param name="Holder">Only items held by this user id; <see cref="Unclaimed"/> for those nobody holds; null for all.</param>
public sealed record InboxQuery(string Agency, string? Centre, string? WorkflowId, string? Holder, int Page, int PageSize)
{
    public const string Unclaimed = "none";
}

public static class AgencyInbox
{
    /// <summary>One page of an agency's open steps, earliest due first, and how many match in all.</summary>
    public static async Task<(int Total, IReadOnlyList<InboxItem> Items)> PageAsync(IQuerySession session, InboxQuery q,
        CancellationToken cancellation)
    {
        var query = session.Query<InboxItem>().Where(i => i.Agency == q.Agency);
        if (q.Centre is { } centre) query = query.Where(i => i.Centre == centre);
        if (q.WorkflowId is { } workflowId) query = query.Where(i => i.WorkflowId == workflowId);
        if (q.Holder == InboxQuery.Unclaimed) query = query.Where(i => i.HolderId == null);
        else if (q.Holder is { } holder) query = query.Where(i => i.HolderId == holder);
        var total = await query.CountAsync(cancellation);
        var skip = (q.Page - 1L) * q.PageSize;
        if (skip >= total) return (total, []);
        var items = await InOrder(query).Skip((int)skip).Take(q.PageSize).ToListAsync(cancellation);
        return (total, items);
    }

    /// <summary>
    /// Earliest due first, then earliest opened, then by id so that pages never overlap: the order of the index on (agency,
    /// due, opened, id), which an agency's page is read from without a sort, however many of its steps fall due together.
    /// </summary>
    public static IQueryable<InboxItem> InOrder(IQueryable<InboxItem> items) =>
        items.OrderBy(i => i.DueAt).ThenBy(i => i.OpenedAt).ThenBy(i => i.Id);
}

/// <summary>
/// Keeps <see cref="InboxItem"/> in step with the case events, in the same transaction. An item changed by several events
/// of one command is written once, with all of them applied in order.
/// </summary>
public sealed class AgencyInboxProjection : IProjection
{
    private sealed record Case(string Tracking, string Workflow, string Centre);

    private static readonly ConditionalWeakTable<IDocumentOperations, Dictionary<Guid, Case>> Known = new();

    /// <summary>
    /// What the command shell has already read of an application in this session (its number, procedure and centre never
    /// change after submission), so that a step it opens does not cost another read of the application's details.
    /// </summary>
    public static void Remember(IDocumentOperations session, Application state)
    {
        var known = Known.GetOrCreateValue(session);
        lock (known) known[state.Id] = new Case(state.TrackingNumber, state.WorkflowId, state.Centre);
    }

    /// <summary>The step an event changes in place (not opens or closes), if any: its item is read before it is changed.</summary>
    private static string? ChangedStep(object data) => data switch
    {
        DeadlineWarningReached s => s.StepId,
        DeadlineBreached s => s.StepId,
        StepEscalated s => s.StepId,
        DeadlineRecalculated { Scope: not DeadlineScopes.Case } s => s.Scope,
        StepClaimed s => s.StepId,
        StepReleased s => s.StepId,
        StepReassigned s => s.StepId,
        StepApprovedPendingConfirmation s => s.StepId,
        StepApprovalWithdrawn s => s.StepId,
        _ => null,
    };

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var changed = new Dictionary<string, InboxItem?>();
        var submitted = new Dictionary<Guid, ApplicationSubmitted>();
        Known.TryGetValue(operations, out var known);

        // Every item the events change in place, read in one round trip (a sweep fires many applications' deadlines at once).
        var wanted = events.Select(e => ChangedStep(e.Data) is { } step ? InboxItem.IdOf(e.StreamId, step) : null).OfType<string>()
            .Distinct().ToArray();
        var stored = wanted.Length == 0 ? new Dictionary<string, InboxItem>()
            : (await operations.LoadManyAsync<InboxItem>(cancellation, wanted)).ToDictionary(i => i.Id);

        async Task<InboxItem?> Current(string id) =>
            changed.TryGetValue(id, out var item) ? item
            : stored.TryGetValue(id, out var read) ? read
            : await operations.LoadAsync<InboxItem>(id, cancellation);

        async Task Change(Guid application, string step, Func<InboxItem, InboxItem> change)
        {
            var id = InboxItem.IdOf(application, step);
            if (await Current(id) is { } item) changed[id] = change(item);
        }

        void Remove(Guid application, string step) => changed[InboxItem.IdOf(application, step)] = null;

        // The case's number, procedure and centre never change after submission: from this batch, or from the stored details.
        async Task<(string Tracking, string Workflow, string Centre)> CaseOf(Guid application)
        {
            if (submitted.TryGetValue(application, out var s)) return (s.TrackingNumber, s.WorkflowId, s.Centre);
            if (known is not null)
                lock (known)
                    if (known.TryGetValue(application, out var c)) return (c.Tracking, c.Workflow, c.Centre);
            var details = await operations.LoadAsync<ApplicationDetails>(application, cancellation);
            return (details?.TrackingNumber ?? "", details?.WorkflowId ?? "", details?.Centre ?? "");
        }

        foreach (var e in events)
        {
            var stream = e.StreamId;
            switch (e.Data)
            {
                case ApplicationSubmitted s:
                    submitted[stream] = s;
                    break;
                case StepOpened opened:
                    var (tracking, workflow, centre) = await CaseOf(stream);
                    changed[InboxItem.IdOf(stream, opened.StepId)] = new InboxItem
                    {
                        Id = InboxItem.IdOf(stream, opened.StepId),
                        ApplicationId = stream,
                        TrackingNumber = tracking,
                        WorkflowId = workflow,
                        Centre = centre,
                        StepId = opened.StepId,
                        Title = opened.Title,
                        Agency = opened.Agency,
                        OpenedAt = opened.OpenedAt,
                        DueAt = opened.DueAt,
                    };
                    break;
                case StepApproved s: Remove(stream, s.StepId); break;
                case StepRejected s: Remove(stream, s.StepId); break;
                case StepReturned s: Remove(stream, s.StepId); break;
                case StepCancelled s: Remove(stream, s.StepId); break;
                case DeadlineWarningReached s: await Change(stream, s.StepId, i => i with { Warned = true }); break;
                case DeadlineBreached s: await Change(stream, s.StepId, i => i with { Warned = true, Breached = true }); break;
                case StepEscalated s: await Change(stream, s.StepId, i => i with { EscalationLevel = s.Level }); break;
                case DeadlineRecalculated { Scope: not DeadlineScopes.Case } s:
                    await Change(stream, s.Scope, i => i with { DueAt = s.DueAt });
                    break;
                case StepClaimed s: await Change(stream, s.StepId, i => i with { HolderId = s.By.UserId, HolderName = s.By.Name }); break;
                case StepReleased s: await Change(stream, s.StepId, i => i with { HolderId = null, HolderName = null }); break;
                case StepReassigned s:
                    await Change(stream, s.StepId, i => i with { HolderId = s.To.UserId, HolderName = s.To.Name });
                    break;
                case StepApprovedPendingConfirmation s:
                    await Change(stream, s.StepId, i => i with { PendingApprovalBy = Officer.Of(s.By), PendingSince = s.At });
                    break;
                case StepApprovalWithdrawn s:
                    await Change(stream, s.StepId, i => i with { PendingApprovalBy = null, PendingSince = null });
                    break;
                case ApplicationMigrated migrated:
                    foreach (var moved in migrated.Moved)
                    {
                        var before = await Current(InboxItem.IdOf(stream, moved.From));
                        Remove(stream, moved.From);
                        if (moved.AwaitingCorrection) continue;
                        var (t, w, c) = before is null ? await CaseOf(stream) : (before.TrackingNumber, before.WorkflowId, before.Centre);
                        changed[InboxItem.IdOf(stream, moved.To)] = (before ?? new InboxItem { OpenedAt = migrated.At }) with
                        {
                            Id = InboxItem.IdOf(stream, moved.To),
                            ApplicationId = stream,
                            TrackingNumber = t,
                            WorkflowId = w,
                            Centre = c,
                            StepId = moved.To,
                            Title = moved.Title,
                            Agency = moved.Agency,
                            DueAt = moved.DueAt,
                        };
                    }
                    break;
                case ApplicationApproved or ApplicationRejected or ApplicationWithdrawn or ApplicationLapsed or ApplicationDeemedApproved:
                    operations.DeleteWhere<InboxItem>(i => i.ApplicationId == stream);
                    foreach (var id in changed.Keys.Where(k => k.StartsWith($"{stream}/", StringComparison.Ordinal)).ToList())
                        changed.Remove(id);
                    break;
            }
        }

        foreach (var (id, item) in changed)
        {
            if (item is null) operations.Delete<InboxItem>(id);
            else operations.Store(item);
        }
    }
}
