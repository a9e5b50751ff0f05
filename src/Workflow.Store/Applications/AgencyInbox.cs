using System.Linq.Expressions;
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
    /// <summary>
    /// One page of an agency's open steps, earliest due first, and how many match in all: both statements go to the server
    /// in one round trip (a batched query).
    /// </summary>
    public static async Task<(int Total, IReadOnlyList<InboxItem> Items)> PageAsync(IQuerySession session, InboxQuery q,
        CancellationToken cancellation)
    {
        var conditions = Conditions(q);
        var batch = session.CreateBatchQuery();
        var counted = batch.Query<InboxItem>();
        foreach (var condition in conditions) counted = counted.Where(condition);
        var total = counted.Count();
        var items = batch.QueryByPlan(new Page(conditions, (q.Page - 1L) * q.PageSize, q.PageSize));
        await batch.Execute(cancellation);
        return ((int)Math.Min(await total, int.MaxValue), await items);
    }

    /// <summary>The filters of a query, each a condition Marten writes against the item's indexed fields.</summary>
    private static List<Expression<Func<InboxItem, bool>>> Conditions(InboxQuery q)
    {
        List<Expression<Func<InboxItem, bool>>> conditions = [i => i.Agency == q.Agency];
        if (q.Centre is { } centre) conditions.Add(i => i.Centre == centre);
        if (q.WorkflowId is { } workflowId) conditions.Add(i => i.WorkflowId == workflowId);
        if (q.Holder == InboxQuery.Unclaimed) conditions.Add(i => i.HolderId == null);
        else if (q.Holder is { } holder) conditions.Add(i => i.HolderId == holder);
        return conditions;
    }

    /// <summary>The page itself, as a plan a batched query runs (a batch's own queryable has no ThenBy).</summary>
    private sealed class Page(List<Expression<Func<InboxItem, bool>>> conditions, long skip, int take) : QueryListPlan<InboxItem>
    {
        public override IQueryable<InboxItem> Query(IQuerySession session)
        {
            var items = session.Query<InboxItem>().AsQueryable();
            foreach (var condition in conditions) items = items.Where(condition);
            // A page past the end reads nothing: the index is walked to the agency's last item and stops.
            return InOrder(items).Skip((int)Math.Min(skip, int.MaxValue)).Take(take);
        }
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
    private static readonly ConditionalWeakTable<IDocumentOperations, Dictionary<Guid, InboxCase>> Known = new();

    /// <summary>
    /// What the command shell has already read of an application in this session (its number, procedure and centre never
    /// change after submission), so that a step it opens does not cost another read of the application's details.
    /// </summary>
    public static void Remember(IDocumentOperations session, Application state)
    {
        var known = Known.GetOrCreateValue(session);
        lock (known) known[state.Id] = new InboxCase(state.TrackingNumber, state.WorkflowId, state.Centre);
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
        // Every item the events change in place or move, read in one round trip (a sweep fires many applications' deadlines
        // at once).
        var wanted = events.SelectMany(e => ItemsRead(e.StreamId, e.Data)).Distinct().ToArray();
        var stored = wanted.Length == 0 ? new Dictionary<string, InboxItem>()
            : (await operations.LoadManyAsync<InboxItem>(cancellation, wanted)).ToDictionary(i => i.Id);

        // The case's number, procedure and centre never change after submission: from this batch, from what the command shell
        // read, or else from the stored details, in one round trip for all the applications that open a step.
        Known.TryGetValue(operations, out var known);
        var cases = new Dictionary<Guid, InboxCase>();
        var unknown = new HashSet<Guid>();
        var submitted = events.Where(e => e.Data is ApplicationSubmitted).Select(e => e.StreamId).ToHashSet();
        foreach (var stream in events.Where(e => e.Data is StepOpened or ApplicationMigrated).Select(e => e.StreamId).Distinct())
        {
            if (submitted.Contains(stream)) continue;
            if (known is not null)
                lock (known)
                    if (known.TryGetValue(stream, out var c)) { cases[stream] = c; continue; }
            unknown.Add(stream);
        }
        if (unknown.Count > 0)
            foreach (var details in await operations.LoadManyAsync<ApplicationDetails>(cancellation, unknown))
                cases[details.Id] = new InboxCase(details.TrackingNumber, details.WorkflowId, details.Centre);

        var fold = new InboxFold(stored, cases);
        foreach (var e in events) fold.Apply(e.StreamId, e.Data);

        foreach (var stream in fold.Ended) operations.DeleteWhere<InboxItem>(i => i.ApplicationId == stream);
        foreach (var (id, item) in fold.Changed)
        {
            if (item is null) operations.Delete<InboxItem>(id);
            else operations.Store(item);
        }
    }

    /// <summary>The stored items an event needs before it changes them: the step it changes in place, the steps it moves.</summary>
    private static IEnumerable<string> ItemsRead(Guid stream, object data) => data switch
    {
        ApplicationMigrated migrated => migrated.Moved.Select(m => InboxItem.IdOf(stream, m.From)),
        _ when ChangedStep(data) is { } step => [InboxItem.IdOf(stream, step)],
        _ => [],
    };
}

/// <summary>The number, procedure and centre of an application, which its inbox items repeat.</summary>
public sealed record InboxCase(string TrackingNumber, string WorkflowId, string Centre);

/// <summary>
/// What events do to the inbox items of their applications, over the items read before them. The projection folds a save's
/// events through it and writes what changed; the projection check folds a case's whole stream from nothing and compares.
/// </summary>
/// <param name="stored">The items as read before the events (only those the events change in place or move are needed).</param>
/// <param name="cases">Each application's number, procedure and centre, unless its submission is among the events.</param>
public sealed class InboxFold(IReadOnlyDictionary<string, InboxItem>? stored = null, IDictionary<Guid, InboxCase>? cases = null)
{
    private readonly IReadOnlyDictionary<string, InboxItem> stored = stored ?? new Dictionary<string, InboxItem>();
    private readonly IDictionary<Guid, InboxCase> cases = cases ?? new Dictionary<Guid, InboxCase>();

    /// <summary>The items the events changed, by id: the item as it now is, or null where it was removed.</summary>
    public Dictionary<string, InboxItem?> Changed { get; } = [];

    /// <summary>Applications that ended: every item of theirs is removed, whether read or not.</summary>
    public HashSet<Guid> Ended { get; } = [];

    private InboxItem? Current(string id) => Changed.TryGetValue(id, out var item) ? item : stored.GetValueOrDefault(id);

    private void Change(Guid application, string step, Func<InboxItem, InboxItem> change)
    {
        var id = InboxItem.IdOf(application, step);
        if (Current(id) is { } item) Changed[id] = change(item);
    }

    private void Remove(Guid application, string step) => Changed[InboxItem.IdOf(application, step)] = null;

    /// <summary>A case the events did not submit and nobody told of reads as blank (its details are missing too).</summary>
    private InboxCase CaseOf(Guid application) => cases.TryGetValue(application, out var c) ? c : new InboxCase("", "", "");

    public void Apply(Guid stream, object data)
    {
        switch (data)
        {
            case ApplicationSubmitted s:
                cases[stream] = new InboxCase(s.TrackingNumber, s.WorkflowId, s.Centre);
                break;
            case StepOpened opened:
                var c = CaseOf(stream);
                Changed[InboxItem.IdOf(stream, opened.StepId)] = new InboxItem
                {
                    Id = InboxItem.IdOf(stream, opened.StepId),
                    ApplicationId = stream,
                    TrackingNumber = c.TrackingNumber,
                    WorkflowId = c.WorkflowId,
                    Centre = c.Centre,
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
            case DeadlineWarningReached s: Change(stream, s.StepId, i => i with { Warned = true }); break;
            case DeadlineBreached s: Change(stream, s.StepId, i => i with { Warned = true, Breached = true }); break;
            case StepEscalated s: Change(stream, s.StepId, i => i with { EscalationLevel = s.Level }); break;
            case DeadlineRecalculated { Scope: not DeadlineScopes.Case } s: Change(stream, s.Scope, i => i with { DueAt = s.DueAt }); break;
            case StepClaimed s: Change(stream, s.StepId, i => i with { HolderId = s.By.UserId, HolderName = s.By.Name }); break;
            case StepReleased s: Change(stream, s.StepId, i => i with { HolderId = null, HolderName = null }); break;
            case StepReassigned s: Change(stream, s.StepId, i => i with { HolderId = s.To.UserId, HolderName = s.To.Name }); break;
            case StepApprovedPendingConfirmation s:
                Change(stream, s.StepId, i => i with { PendingApprovalBy = Officer.Of(s.By), PendingSince = s.At });
                break;
            case StepApprovalWithdrawn s: Change(stream, s.StepId, i => i with { PendingApprovalBy = null, PendingSince = null }); break;
            case ApplicationMigrated migrated:
                foreach (var moved in migrated.Moved)
                {
                    var before = Current(InboxItem.IdOf(stream, moved.From));
                    Remove(stream, moved.From);
                    if (moved.AwaitingCorrection) continue;
                    var (t, w, centre) = before is null
                        ? CaseOf(stream)
                        : new InboxCase(before.TrackingNumber, before.WorkflowId, before.Centre);
                    Changed[InboxItem.IdOf(stream, moved.To)] = (before ?? new InboxItem { OpenedAt = migrated.At }) with
                    {
                        Id = InboxItem.IdOf(stream, moved.To),
                        ApplicationId = stream,
                        TrackingNumber = t,
                        WorkflowId = w,
                        Centre = centre,
                        StepId = moved.To,
                        Title = moved.Title,
                        Agency = moved.Agency,
                        DueAt = moved.DueAt,
                    };
                }
                break;
            case ApplicationApproved or ApplicationRejected or ApplicationWithdrawn or ApplicationLapsed or ApplicationDeemedApproved:
                Ended.Add(stream);
                foreach (var id in Changed.Keys.Where(k => k.StartsWith($"{stream}/", StringComparison.Ordinal)).ToList())
                    Changed.Remove(id);
                break;
        }
    }
}
