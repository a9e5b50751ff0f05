using Workflow.Core.Definitions;

namespace Workflow.Core.Applications;

// The desk's rules: who may work a step of the case. Which agency decides a step is the access policy's rule, asked by
// the command shell before the decider runs; who among that agency's officers may act on it now is the case's own state.
public static partial class Decider
{
    // Bounds on what a case can be made to record. Without them, claiming and releasing a step in a loop, or returning and
    // correcting it, makes a case as long as one likes, and every later command on it, its history and its case file
    // slower and larger with each event. Each bound is far above what a real case needs, and none keeps a case from being
    // decided.

    /// <summary>
    /// How often a step may change hands (be claimed or reassigned) in a case, over all its openings. A step usually
    /// changes hands once or twice. At the bound the step can still be released and decided.
    /// </summary>
    public const int MaxHandOversPerStep = 20;

    /// <summary>How many delegations a case may record; a delegation granted can always be ended.</summary>
    public const int MaxDelegationsPerCase = 20;

    /// <summary>
    /// How often a case may be returned in all, the completeness check's returns included (the procedure's own cap counts
    /// only the later ones, and a supervisor may return beyond it).
    /// </summary>
    public const int MaxReturnsPerCase = 10;

    private sealed partial class Decision
    {
        public void Desk(DeskCommand command)
        {
            EnsureRunning();
            switch (command)
            {
                case ClaimStep c: Claim(c); break;
                case ReleaseStep c: Release(c); break;
                case ReassignStep c: Reassign(c); break;
                case DelegateSteps c: Delegate(c); break;
                case RevokeDelegation c: Revoke(c); break;
                case RecuseFromCase c: Recuse(c); break;
                case ConfirmStepApproval c: Confirm(c); break;
                default: throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "unknown desk command");
            }
        }

        /// <summary>
        /// Who may decide a step that is open: nobody who recused himself; for a claimed step, its holder, a supervisor, or the
        /// holder's delegate within the delegation's period. Once a four-eyes approval is pending, the step is in the second
        /// officer's hands: any officer of the agency may confirm it, or reject or return it instead.
        /// </summary>
        private void EnsureMayDecide(StepState step, Actor actor)
        {
            EnsureNotRecused(actor, "decide");
            if (step.Pending is not null || step.Holder is not { } holder || holder.UserId == actor.UserId) return;
            if (Access.AccessPolicy.MayOverrideHolder(actor) || State.IsDelegateOf(holder, actor, now)) return;
            throw new RuleViolation("step-claimed",
                $"step '{step.StepId}' is claimed by {holder.Name} ({holder.UserId}); only the holder, the holder's delegate or a " +
                "supervisor decides it");
        }

        private void EnsureNotRecused(Actor actor, string what)
        {
            if (State.IsRecused(actor.UserId))
                throw new RuleViolation("recused",
                    $"you recused yourself from application {State.TrackingNumber} and can no longer {what} anything in it");
        }

        private static void EnsureReason(string? reason, string what)
        {
            if (string.IsNullOrWhiteSpace(reason)) throw new RuleViolation("reason-required", $"{what} needs a reason");
        }

        /// <summary>A step that may be worked on now: open, not waiting for the citizen.</summary>
        private (StepDefinition Definition, StepState State) OpenStep(string stepId)
        {
            var step = definition.FindStep(stepId)
                ?? throw new RuleViolation("step-unknown", $"'{stepId}' is not a step of {definition.Id} version {definition.Version}");
            var current = State.Steps.GetValueOrDefault(stepId);
            if (current is not { Status: StepStatus.Open })
                throw new RuleViolation("step-not-open", current is { Status: StepStatus.Returned }
                    ? $"step '{stepId}' is waiting for the citizen's correction"
                    : $"step '{stepId}' is not open");
            return (step, current);
        }

        private void Claim(ClaimStep c)
        {
            var (step, current) = OpenStep(c.StepId);
            EnsureNotRecused(c.By, "claim");
            if (current.Holder is { } holder)
            {
                if (holder.UserId == c.By.UserId) return;
                throw new RuleViolation("step-claimed",
                    $"step '{step.Id}' is already claimed by {holder.Name} ({holder.UserId}); a supervisor may reassign it");
            }
            EnsureMayChangeHands(step, current);
            Emit(new StepClaimed(step.Id, step.Agency, c.Reason, c.By, now));
        }

        private static void EnsureMayChangeHands(StepDefinition step, StepState current)
        {
            if (current.HandOvers >= MaxHandOversPerStep)
                throw new RuleViolation("hand-over-limit",
                    $"step '{step.Id}' has changed hands {MaxHandOversPerStep} times in this application, the most a step may; it can " +
                    $"still be decided: by an officer of {step.Agency} while nobody holds it, otherwise by its holder, the holder's " +
                    "delegate or a supervisor");
        }

        private void Release(ReleaseStep c)
        {
            var (step, current) = OpenStep(c.StepId);
            EnsureReason(c.Reason, "a release");
            if (current.Holder is not { } holder) return;
            if (holder.UserId != c.By.UserId && !Access.AccessPolicy.MayOverrideHolder(c.By))
                throw new RuleViolation("not-holder",
                    $"step '{step.Id}' is claimed by {holder.Name}; only the holder or a supervisor releases it");
            Emit(new StepReleased(step.Id, step.Agency, holder, c.Reason, c.By, now));
        }

        private void Reassign(ReassignStep c)
        {
            var (step, current) = OpenStep(c.StepId);
            EnsureReason(c.Reason, "a reassignment");
            EnsureNotRecused(c.By, "reassign");
            if (string.IsNullOrWhiteSpace(c.To.UserId))
                throw new RuleViolation("officer-required", "a reassignment names the officer who receives the step");
            if (State.IsRecused(c.To.UserId))
                throw new RuleViolation("recused", $"{c.To.Name} ({c.To.UserId}) recused himself from application {State.TrackingNumber}");
            if (current.Holder?.UserId == c.To.UserId) return;
            EnsureMayChangeHands(step, current);
            Emit(new StepReassigned(step.Id, step.Agency, current.Holder, c.To, c.Reason, c.By, now));
        }

        private void Delegate(DelegateSteps c)
        {
            EnsureReason(c.Reason, "a delegation");
            EnsureNotRecused(c.By, "delegate");
            if (string.IsNullOrWhiteSpace(c.To.UserId) || c.To.UserId == c.By.UserId)
                throw new RuleViolation("officer-required", "a delegation names a colleague other than yourself");
            if (State.IsRecused(c.To.UserId))
                throw new RuleViolation("recused", $"{c.To.Name} ({c.To.UserId}) recused himself from application {State.TrackingNumber}");
            if (c.Until <= c.From || c.Until <= now)
                throw new RuleViolation("period-invalid", "a delegation's period ends after it starts, and not in the past");
            var held = State.LiveSteps.Where(s => s.Status == StepStatus.Open && s.Holder?.UserId == c.By.UserId)
                .Select(s => s.StepId).ToList();
            if (held.Count == 0)
                throw new RuleViolation("nothing-to-delegate",
                    $"you hold no step of application {State.TrackingNumber}; a delegation covers the steps you have claimed");
            if (State.Desk.Delegations.GetValueOrDefault(c.By.UserId) == new Delegation(Officer.Of(c.By), c.To, c.From, c.Until)) return;
            if (State.Desk.Granted >= MaxDelegationsPerCase)
                throw new RuleViolation("delegation-limit",
                    $"application {State.TrackingNumber} has had {MaxDelegationsPerCase} delegations, the most a case may; its steps " +
                    "are still decided by their holders or a supervisor");
            Emit(new DelegationGranted(Officer.Of(c.By), c.To, held, c.From, c.Until, c.Reason, c.By, now));
        }

        private void Revoke(RevokeDelegation c)
        {
            EnsureReason(c.Reason, "ending a delegation");
            var of = c.Of ?? c.By.UserId;
            if (of != c.By.UserId && !Access.AccessPolicy.MayOverrideHolder(c.By))
                throw new RuleViolation("not-holder", "only the delegating officer or a supervisor ends a delegation");
            if (State.Desk.Delegations.GetValueOrDefault(of) is not { } delegation) return;
            Emit(new DelegationRevoked(delegation.Delegator, delegation.To, c.Reason, c.By, now));
        }

        /// <summary>
        /// A conflict of interest: the officer's claims are released and an approval he gave that still waits for a second
        /// officer no longer stands, so nothing he decided alone takes effect afterwards.
        /// </summary>
        private void Recuse(RecuseFromCase c)
        {
            EnsureReason(c.Reason, "a recusal");
            if (State.IsRecused(c.By.UserId)) return;
            Emit(new OfficerRecused(Officer.Of(c.By), c.By.Agency, c.Reason, c.By, now));
            foreach (var step in State.LiveSteps.Where(s => s.Status == StepStatus.Open).OrderBy(s => s.StepId).ToList())
            {
                if (step.Pending is { } pending && pending.By.UserId == c.By.UserId)
                    Emit(new StepApprovalWithdrawn(step.StepId, step.Agency, pending.By, $"recused: {c.Reason}", c.By, now));
                if (step.Holder is { } holder && holder.UserId == c.By.UserId)
                    Emit(new StepReleased(step.StepId, step.Agency, holder, $"recused: {c.Reason}", c.By, now));
            }
        }

        private void Confirm(ConfirmStepApproval c)
        {
            var (step, current) = OpenStep(c.StepId);
            EnsureReason(c.Reason, "a confirmation");
            EnsureNotRecused(c.By, "confirm");
            if (current.Pending is null)
                throw new RuleViolation("no-approval-pending", $"step '{step.Id}' has no approval waiting for confirmation");
            ApproveWithFourEyes(step, current, c.Reason, c.Comment, c.By);
        }

        /// <summary>
        /// Four eyes: the first approval waits; a different officer's approval confirms it, and only then does the step close
        /// with the first officer's reason. The same officer cannot confirm his own approval.
        /// </summary>
        private void ApproveWithFourEyes(StepDefinition step, StepState current, string reason, string? comment, Actor by)
        {
            if (current.Pending is not { } pending)
            {
                Emit(new StepApprovedPendingConfirmation(step.Id, step.Agency, reason, comment, by, now));
                return;
            }
            if (pending.By.UserId == by.UserId)
                throw new RuleViolation("four-eyes",
                    $"you approved step '{step.Id}' already; it needs the confirmation of another officer of {step.Agency}");
            Emit(new StepApprovalConfirmed(step.Id, step.Agency, pending.By, reason, comment, by, now));
            Approve(step, pending.Reason, pending.Comment, by);
        }
    }
}
