using Workflow.Core.Applications;
using Workflow.Core.Citizens;

namespace Workflow.Store.Tracking;

/// <summary>A step of the case as the citizen sees it: who holds it, until when, and what to correct if it came back.</summary>
public sealed record TrackedStep(string StepId, string Title, string Agency, DateTimeOffset DueAt, bool Returned = false,
    string? Reason = null, string? Comment = null);

/// <summary>
/// What the public tracking page reads, one document per application, found by tracking number. It holds only what the
/// citizen may see: no identity number and no contact, so no page built on it can show them. <see cref="AccessCode"/>
/// is the salted hash of the code, checked and never shown.
/// </summary>
public sealed record CitizenTracking
{
    public Guid Id { get; init; }
    public string TrackingNumber { get; init; } = "";
    public string? AccessCode { get; init; }
    public string WorkflowId { get; init; } = "";
    public string Centre { get; init; } = "";

    /// <summary>The applicant's language (lo or en) when given: the page's default when the request names none.</summary>
    public string? Language { get; init; }

    public ApplicationStatus Status { get; init; }
    public DateTimeOffset SubmittedAt { get; init; }

    /// <summary>The legal deadline while it runs; after an apology the new date the citizen was given.</summary>
    public DateTimeOffset? ExpectedAt { get; init; }

    public bool Apologised { get; init; }
    public IReadOnlyList<TrackedStep> Steps { get; init; } = [];
    public DateTimeOffset? CorrectionDueAt { get; init; }

    /// <summary>Why the case ended refused, by which step's agency.</summary>
    public string? RefusalReason { get; init; }

    public DateTimeOffset? EndedAt { get; init; }
    public int? Rating { get; init; }
    public DateTimeOffset? RatedAt { get; init; }
}

/// <summary>How the tracking page follows the events: written in each command's transaction by <see cref="Applications.CaseDocumentsProjection"/>.</summary>
public static class CitizenTrackingProjection
{
    /// <summary>One event folded into the tracking document; an event the citizen does not see gives back the same instance.</summary>
    public static CitizenTracking? Fold(CitizenTracking? t, object @event) => (t, @event) switch
    {
        (null, ApplicationSubmitted x) => new CitizenTracking
        {
            Id = x.ApplicationId, TrackingNumber = x.TrackingNumber, AccessCode = x.AccessCode, WorkflowId = x.WorkflowId,
            Centre = x.Centre, Language = x.Applicant.Language, Status = ApplicationStatus.Submitted, SubmittedAt = x.At,
        },
        (null, _) => null,
        (_, StepOpened x) => t with { Steps = [.. Without(t, x.StepId), new TrackedStep(x.StepId, x.Title, x.Agency, x.DueAt)] },
        (_, StepApproved x) => t with { Steps = Without(t, x.StepId) },
        (_, StepRejected x) => t with { Steps = Without(t, x.StepId), RefusalReason = x.NextSteps.Count == 0 ? x.Reason : t.RefusalReason },
        (_, StepCancelled x) => t with { Steps = Without(t, x.StepId) },
        (_, StepReturned x) => t with
        {
            Status = ApplicationStatus.AwaitingCorrection,
            Steps = [.. t.Steps.Select(s => s.StepId == x.StepId ? s with { Returned = true, Reason = x.Reason, Comment = x.Comment } : s)],
        },
        (_, CaseClockStopped x) => t with { CorrectionDueAt = x.CorrectionDueAt },
        (_, CorrectionSubmitted) => t with
        {
            Status = t.ExpectedAt is null ? ApplicationStatus.Submitted : ApplicationStatus.InProgress, CorrectionDueAt = null,
        },
        (_, ApplicationDeclaredComplete x) => t with { Status = ApplicationStatus.InProgress, ExpectedAt = x.DueAt },
        (_, CaseClockResumed x) => t.Apologised ? t : t with { ExpectedAt = x.DueAt },
        (_, DeadlineRecalculated { Scope: DeadlineScopes.Case } x) => t.Apologised ? t : t with { ExpectedAt = x.DueAt },
        (_, DeadlineRecalculated x) => t with { Steps = [.. t.Steps.Select(s => s.StepId == x.Scope ? s with { DueAt = x.DueAt } : s)] },
        (_, CaseDeadlineMissed x) => t with { ExpectedAt = x.NewExpectedAt, Apologised = true },
        (_, ApplicationMigrated x) => t with
        {
            Steps = [.. t.Steps.Where(s => x.Moved.All(m => m.From != s.StepId)),
                .. x.Moved.Select(m => new TrackedStep(m.To, m.Title, m.Agency, m.DueAt, m.AwaitingCorrection,
                    t.Steps.FirstOrDefault(s => s.StepId == m.From)?.Reason, t.Steps.FirstOrDefault(s => s.StepId == m.From)?.Comment))],
        },
        (_, ApplicationApproved x) => Ended(t, ApplicationStatus.Approved, x.At),
        (_, ApplicationDeemedApproved x) => Ended(t, ApplicationStatus.Approved, x.At),
        (_, ApplicationRejected x) => Ended(t, ApplicationStatus.Rejected, x.At) with { RefusalReason = x.Reason },
        (_, ApplicationWithdrawn x) => Ended(t, ApplicationStatus.Withdrawn, x.At),
        (_, ApplicationLapsed x) => Ended(t, ApplicationStatus.Lapsed, x.At),
        (_, ServiceRated x) => t with { Rating = x.Rating, RatedAt = x.At },
        _ => t,
    };

    private static IReadOnlyList<TrackedStep> Without(CitizenTracking t, string stepId) => [.. t.Steps.Where(s => s.StepId != stepId)];

    private static CitizenTracking Ended(CitizenTracking t, ApplicationStatus status, DateTimeOffset at) =>
        t with { Status = status, EndedAt = at, Steps = [], CorrectionDueAt = null };
}
