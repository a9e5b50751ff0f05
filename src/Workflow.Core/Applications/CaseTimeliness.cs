namespace Workflow.Core.Applications;

/// <summary>
/// The one rule for lateness: a deadline's end is inclusive, so an act at the due instant is on time and only an act (or
/// a moment) after it is late. The decider's timers, the details projection, the case file and the timeliness verdict
/// all ask here; the oversight query of late decisions states the same comparison in SQL.
/// </summary>
public static class Lateness
{
    public static bool IsLate(DateTimeOffset at, DateTimeOffset due) => at > due;

    /// <summary>Late against a deadline that may not be set yet: without one, nothing is late.</summary>
    public static bool IsLate(DateTimeOffset at, DateTimeOffset? due) => due is { } d && IsLate(at, d);
}

/// <summary>
/// The one rule for whether a case was decided on time (rule 6 of Core/README.md), folded from its events so that the application
/// details, the case file and the statistics all give the same answer:
/// <list type="bullet">
/// <item>on time means decided (approved or rejected) by the legal deadline, whose end is inclusive, extended only by
/// the working days the citizen held the file (<c>pause</c>) or restarted by the procedure's law (<c>restart</c>);</item>
/// <item>once the legal deadline is missed while the clock runs the case is late, whatever follows (a return, a
/// correction, a fresh deadline), and "late with apology" when the citizen was sent one; a deemed approval is late;</item>
/// <item>a lapsed or withdrawn case, or one rejected before its clock started, has no timeliness: neither is the
/// agency's doing, so statistics do not count them.</item>
/// </list>
/// </summary>
public sealed record CaseTimeliness(DateTimeOffset? DueAt, bool Running, bool Missed, bool Apologised, string? Verdict)
{
    public const string OnTime = "on-time";
    public const string Late = "late";
    public const string LateWithApology = "late-with-apology";

    public static readonly CaseTimeliness NotStarted = new(null, false, false, false, null);

    /// <summary>The verdict over a whole history: null while the case runs or when it has no timeliness.</summary>
    public static string? Of(IEnumerable<object> events) => events.Aggregate(NotStarted, (t, e) => t.Evolve(e)).Verdict;

    public CaseTimeliness Evolve(object @event) => @event switch
    {
        ApplicationDeclaredComplete e => this with { DueAt = e.DueAt, Running = true },
        DeadlineRecalculated { Scope: DeadlineScopes.Case } e => this with { DueAt = e.DueAt },
        CaseDeadlineMissed => this with { Missed = true, Apologised = true },
        CaseClockStopped e => this with
        {
            Running = false, Missed = Missed || (Running && (e.AfterDeadline ?? Lateness.IsLate(e.At, DueAt))),
        },
        CaseClockResumed e => this with { DueAt = e.DueAt, Running = true },
        ApplicationDeemedApproved => Finish(missed: true),
        ApplicationApproved e => Finish(Running && Lateness.IsLate(e.At, DueAt)),
        ApplicationRejected e => Finish(Running && Lateness.IsLate(e.At, DueAt)),
        ApplicationWithdrawn or ApplicationLapsed => this with { Running = false, Verdict = null },
        _ => this,
    };

    private CaseTimeliness Finish(bool missed)
    {
        var late = Missed || missed;
        return this with
        {
            Running = false,
            Missed = late,
            Verdict = DueAt is null ? null : !late ? OnTime : Apologised ? LateWithApology : Late,
        };
    }
}
