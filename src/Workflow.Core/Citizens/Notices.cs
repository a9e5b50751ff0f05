using Workflow.Core.Access;
using Workflow.Core.Applications;

namespace Workflow.Core.Citizens;

/// <summary>What the applicant is told about, each a message in their language.</summary>
public enum NoticeKind { Received, Returned, Apology, Approved, Rejected, ReadyToCollect }

/// <summary>
/// Which events of a case the applicant hears about (issue 11, item 6): received, returned for correction, the apology
/// with a new date, the decision, and the result ready to collect at the centre. Pure, so that the outbox and its tests
/// share one rule.
/// </summary>
public static class Notices
{
    /// <param name="complete">Whether the application had been declared complete before this event.</param>
    public static NoticeKind? For(object @event, bool complete) => @event switch
    {
        ApplicationSubmitted => NoticeKind.Received,
        StepReturned => NoticeKind.Returned,
        CaseDeadlineMissed => NoticeKind.Apology,
        ApplicationApproved or ApplicationDeemedApproved => NoticeKind.Approved,
        ApplicationRejected => NoticeKind.Rejected,
        // A centre step after the completeness check is the handover: the result waits at the counter.
        StepOpened { Agency: AccessPolicy.CentreAgency, Reopened: false } when complete => NoticeKind.ReadyToCollect,
        _ => null,
    };
}
