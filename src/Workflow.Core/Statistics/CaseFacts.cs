using System.Collections.Immutable;
using Workflow.Core.Applications;
using Workflow.Core.Citizens;

namespace Workflow.Core.Statistics;

/// <summary>What a case outcome is called in the statistics.</summary>
public static class Outcomes
{
    public const string Approved = "approved";
    public const string DeemedApproved = "deemed-approved";
    public const string Rejected = "rejected";
    public const string Returned = "returned";
    public const string Cancelled = "cancelled";
    public const string Withdrawn = "withdrawn";
    public const string Lapsed = "lapsed";

    /// <summary>An agency acted on the step: approved, rejected or returned it to the citizen.</summary>
    public static bool IsDecision(string? outcome) => outcome is Approved or Rejected or Returned;
}

/// <summary>One time a step was open at an agency, from opening to the decision (or cancellation) that closed it.</summary>
public sealed record StepVisit(string StepId, string Agency, DateTimeOffset OpenedAt, DateTimeOffset DueAt,
    DateTimeOffset? ClosedAt = null, string? Outcome = null);

/// <summary>An escalation of a late step, and when a supervisor acknowledged it.</summary>
public sealed record EscalationFact(string StepId, string Agency, int Level, DateTimeOffset At, DateTimeOffset? AcknowledgedAt = null);

/// <summary>
/// The facts of one case that every indicator is computed from, folded from its events alone (no calendar, no
/// definition): instants, outcomes, step visits, escalations, the rating. Never personal data: no applicant, no
/// tracking number, no comment.
/// </summary>
/// <param name="Tracked">The citizen was given an access code and can follow the case online.</param>
/// <param name="MissedAt">The legal deadline instant the case first missed while its clock ran: late from then on.</param>
public sealed record CaseFacts(
    Guid Id,
    string WorkflowId,
    string Centre,
    string Channel,
    bool Tracked,
    DateTimeOffset ReceivedAt,
    CaseTimeliness Timeliness,
    DateTimeOffset? CompleteAt = null,
    DateTimeOffset? MissedAt = null,
    DateTimeOffset? DecidedAt = null,
    DateTimeOffset? EndedAt = null,
    string? Outcome = null,
    int Returns = 0,
    int? Rating = null,
    DateTimeOffset? RatedAt = null)
{
    public ImmutableArray<StepVisit> Steps { get; init; } = [];

    public ImmutableArray<EscalationFact> Escalations { get; init; } = [];

    /// <summary>On time, late or late with apology once decided; null while running or when it has no timeliness.</summary>
    public string? Verdict => Timeliness.Verdict;

    /// <summary>Received and not ended before <paramref name="at"/>.</summary>
    public bool PendingAt(DateTimeOffset at) => ReceivedAt < at && (EndedAt is null || EndedAt >= at);

    /// <summary>
    /// Pending at <paramref name="at"/> with its legal deadline already passed: a case once late stays late (rule 6 of
    /// Core/README.md); otherwise late when its clock runs and its deadline ended before that instant.
    /// </summary>
    public bool OverdueAt(DateTimeOffset at) =>
        PendingAt(at) && (MissedAt is { } missed ? Lateness.IsLate(at, missed)
            : Timeliness.Running && Lateness.IsLate(at, Timeliness.DueAt));

    public static CaseFacts? Fold(IEnumerable<object> events) => events.Aggregate((CaseFacts?)null, Evolve);

    /// <summary>Folds one event; null for anything before the submission (an event of another stream, say).</summary>
    public static CaseFacts? Evolve(CaseFacts? facts, object @event)
    {
        if (facts is null)
            return @event is ApplicationSubmitted s
                ? new CaseFacts(s.ApplicationId, s.WorkflowId, s.Centre, s.Channel, s.AccessCode is not null, s.At,
                    CaseTimeliness.NotStarted)
                : null;
        var next = facts with { Timeliness = facts.Timeliness.Evolve(@event) };
        return @event switch
        {
            StepOpened e => next with { Steps = next.Steps.Add(new StepVisit(e.StepId, e.Agency, e.OpenedAt, e.DueAt)) },
            StepApproved e => next.Close(e.StepId, e.At, Outcomes.Approved),
            StepRejected e => next.Close(e.StepId, e.At, Outcomes.Rejected),
            StepReturned e => next.Close(e.StepId, e.At, Outcomes.Returned) with { Returns = next.Returns + 1 },
            StepCancelled e => next.Close(e.StepId, e.At, Outcomes.Cancelled),
            DeadlineRecalculated { Scope: DeadlineScopes.Case } => next,
            DeadlineRecalculated e => next.OnOpen(e.Scope, v => v with { DueAt = e.DueAt }),
            ApplicationMigrated e => e.Moved.Aggregate(next, (f, m) => f.OnOpen(m.From, v => v with { StepId = m.To, Agency = m.Agency })),
            ApplicationDeclaredComplete e => next with { CompleteAt = e.At },
            CaseDeadlineMissed e => next with { MissedAt = next.MissedAt ?? e.DueAt },
            CaseClockStopped e when facts.Timeliness.Running && (e.AfterDeadline ?? Lateness.IsLate(e.At, facts.Timeliness.DueAt)) =>
                next with { MissedAt = next.MissedAt ?? facts.Timeliness.DueAt },
            StepEscalated e => next with { Escalations = next.Escalations.Add(new EscalationFact(e.StepId, e.Agency, e.Level, e.At)) },
            EscalationAcknowledged e => next.Acknowledge(e),
            ApplicationApproved e => next.Decide(facts, e.At, Outcomes.Approved),
            ApplicationRejected e => next.Decide(facts, e.At, Outcomes.Rejected),
            ApplicationDeemedApproved e => next.Decide(facts, e.At, Outcomes.DeemedApproved) with { MissedAt = next.MissedAt ?? e.DueAt },
            ApplicationWithdrawn e => next.End(e.At, Outcomes.Withdrawn),
            ApplicationLapsed e => next.End(e.At, Outcomes.Lapsed),
            ServiceRated e => next with { Rating = e.Rating, RatedAt = e.At },
            _ => next,
        };
    }

    private CaseFacts Decide(CaseFacts before, DateTimeOffset at, string outcome)
    {
        var missed = before.Timeliness.Running && Lateness.IsLate(at, before.Timeliness.DueAt);
        return End(at, outcome) with
        {
            DecidedAt = at,
            MissedAt = MissedAt ?? (missed ? before.Timeliness.DueAt : null),
        };
    }

    /// <summary>An ended case holds no open step: whatever was still open closes with it, as in the write state.</summary>
    private CaseFacts End(DateTimeOffset at, string outcome) => this with
    {
        EndedAt = at,
        Outcome = outcome,
        Steps = [.. Steps.Select(v => v.ClosedAt is null ? v with { ClosedAt = at, Outcome = Outcomes.Cancelled } : v)],
    };

    private CaseFacts Close(string stepId, DateTimeOffset at, string outcome) =>
        OnOpen(stepId, v => v with { ClosedAt = at, Outcome = outcome });

    private CaseFacts OnOpen(string stepId, Func<StepVisit, StepVisit> change)
    {
        var index = LastIndex(Steps, v => v.StepId == stepId && v.ClosedAt is null);
        return index < 0 ? this : this with { Steps = Steps.SetItem(index, change(Steps[index])) };
    }

    private CaseFacts Acknowledge(EscalationAcknowledged e)
    {
        var index = LastIndex(Escalations, x => x.StepId == e.StepId && x.Level == e.Level && x.AcknowledgedAt is null);
        return index < 0 ? this : this with { Escalations = Escalations.SetItem(index, Escalations[index] with { AcknowledgedAt = e.At }) };
    }

    private static int LastIndex<T>(ImmutableArray<T> items, Func<T, bool> match)
    {
        for (var i = items.Length - 1; i >= 0; i--)
            if (match(items[i])) return i;
        return -1;
    }
}
