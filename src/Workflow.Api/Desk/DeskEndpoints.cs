using FluentValidation;
using JasperFx;
using Marten;
using Workflow.Api.Applications;
using Workflow.Api.Hosting;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Store.Applications;

namespace Workflow.Api.Desk;

public sealed record ClaimRequest(string? Reason);

public sealed record ReleaseRequest(string? Reason);

/// <param name="ToUserId">The officer who receives the step (the <c>sub</c> of his token), and <paramref name="ToName"/> his name.</param>
public sealed record ReassignmentRequest(string? ToUserId, string? ToName, string? Reason);

public sealed record ConfirmationRequest(string? Reason, string? Comment);

/// <param name="From">When the colleague may start deciding; now when absent.</param>
public sealed record DelegationRequest(string? ToUserId, string? ToName, DateTimeOffset? From, DateTimeOffset? Until, string? Reason);

/// <param name="Of">Whose delegation ends (user id): the caller's own when absent; a supervisor may end another's.</param>
public sealed record RevocationRequest(string? Of, string? Reason);

public sealed record RecusalRequest(string? Reason);

/// <summary>What a delegation of all the caller's claimed steps of an agency did in each case: its new version, or why not.</summary>
public sealed record DelegatedCase(Guid ApplicationId, string TrackingNumber, IReadOnlyList<string> Steps, long? Version, string? Refused);

public sealed record AgencyDelegation(string Agency, string Delegator, string To, DateTimeOffset From, DateTimeOffset Until,
    IReadOnlyList<DelegatedCase> Cases);

public static class DeskText
{
    /// <summary>A reason the store can keep: PostgreSQL refuses NUL in text.</summary>
    public static IRuleBuilderOptions<T, string?> Reason<T>(this IRuleBuilder<T, string?> rule, string what) =>
        rule.NotEmpty().WithMessage($"{what} needs a reason").MaximumLength(CommandLimits.MaxReasonLength).Must(Storable).WithMessage("no NUL characters");

    public static IRuleBuilderOptions<T, string?> Text<T>(this IRuleBuilder<T, string?> rule, int length) =>
        rule.MaximumLength(length).Must(Storable).WithMessage("no NUL characters");

    private static bool Storable(string? text) => text is null || !text.Contains('\0');
}

public sealed class ClaimValidator : AbstractValidator<ClaimRequest>
{
    public ClaimValidator() => RuleFor(r => r.Reason).Text(CommandLimits.MaxReasonLength);
}

public sealed class ReleaseValidator : AbstractValidator<ReleaseRequest>
{
    public ReleaseValidator() => RuleFor(r => r.Reason).Reason("a release");
}

public sealed class ReassignmentValidator : AbstractValidator<ReassignmentRequest>
{
    public ReassignmentValidator()
    {
        RuleFor(r => r.ToUserId).NotEmpty().WithMessage("name the officer who receives the step").Text(200);
        RuleFor(r => r.ToName).Text(200);
        RuleFor(r => r.Reason).Reason("a reassignment");
    }
}

public sealed class ConfirmationValidator : AbstractValidator<ConfirmationRequest>
{
    public ConfirmationValidator()
    {
        RuleFor(r => r.Reason).Reason("a confirmation");
        RuleFor(r => r.Comment).Text(4000);
    }
}

public sealed class DelegationValidator : AbstractValidator<DelegationRequest>
{
    public DelegationValidator()
    {
        RuleFor(r => r.ToUserId).NotEmpty().WithMessage("name the colleague who decides your steps").Text(200);
        RuleFor(r => r.ToName).Text(200);
        RuleFor(r => r.Until).NotNull().WithMessage("a delegation is for a period: give its end (until)");
        RuleFor(r => r.Until).Must((r, until) => r.From is null || until > r.From).WithMessage("until comes after from");
        RuleFor(r => r.Reason).Reason("a delegation");
    }
}

public sealed class RevocationValidator : AbstractValidator<RevocationRequest>
{
    public RevocationValidator()
    {
        RuleFor(r => r.Of).Text(200);
        RuleFor(r => r.Reason).Reason("ending a delegation");
    }
}

public sealed class RecusalValidator : AbstractValidator<RecusalRequest>
{
    public RecusalValidator() => RuleFor(r => r.Reason).Reason("a recusal");
}

/// <summary>
/// The agency desk: who works on which step. Every route sends one command through the command shell, which asks the
/// access policy and the decider; refusals are 409 problems with a <c>code</c>, and If-Match guards the version.
/// </summary>
public static class DeskEndpoints
{
    /// <summary>The desk's routes on one application, under the <c>/applications</c> group.</summary>
    public static void MapDesk(this RouteGroupBuilder applications)
    {
        applications.MapPost("/{id:guid}/steps/{stepId}/claim", Claim).WithSummary("Claim an open step: \"I am working on this\"")
            .DeskCommand(Policies.DecidesSteps);
        applications.MapPost("/{id:guid}/steps/{stepId}/release", Release)
            .WithSummary("Release a claimed step (its holder, or a supervisor)").DeskCommand(Policies.DecidesSteps);
        applications.MapPost("/{id:guid}/steps/{stepId}/reassignment", Reassign)
            .WithSummary("A supervisor gives the step to a named officer").DeskCommand(Policies.ReassignsSteps);
        applications.MapPost("/{id:guid}/steps/{stepId}/approval-confirmation", Confirm)
            .WithSummary("A second officer confirms a four-eyes approval; it then takes effect").DeskCommand(Policies.DecidesSteps);
        applications.MapPost("/{id:guid}/delegations", Delegate)
            .WithSummary("Let a colleague decide the steps you hold in this case during a period").DeskCommand(Policies.DecidesSteps);
        applications.MapPost("/{id:guid}/delegations/revocation", Revoke)
            .WithSummary("End a delegation (your own, or as a supervisor any)").DeskCommand(Policies.DecidesSteps);
        applications.MapPost("/{id:guid}/recusal", Recuse)
            .WithSummary("Recuse yourself from the case (conflict of interest): you can no longer claim, decide or confirm in it")
            .DeskCommand(Policies.DecidesSteps);
    }

    /// <summary>The officer's absence at one agency, under the <c>/agencies/{agency}</c> group.</summary>
    public static void MapAgencyDelegation(this RouteGroupBuilder agency) =>
        agency.MapPost("/delegations", DelegateAll).WithTags("Desk")
            .WithSummary("Delegate every step you hold at the agency to a colleague for a period: recorded in each case")
            .Produces<AgencyDelegation>().ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404)
            .RequireAuthorization(Policies.DecidesSteps);

    private static RouteHandlerBuilder DeskCommand(this RouteHandlerBuilder route, string policy) =>
        route.WithTags("Desk").Produces<CommandResponse>().ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404)
            .ProducesProblem(409).ProducesProblem(412).RequireAuthorization(policy);

    private static async Task<IResult> Claim(Guid id, string stepId, ClaimRequest? request, HttpContext http,
        IValidator<ClaimRequest> validator, ApplicationCommands commands, CancellationToken cancellation)
    {
        request ??= new ClaimRequest(null);
        await validator.Check(request, cancellation);
        return await commands.SendAsync(id, new ClaimStep(stepId, request.Reason, http.Actor()), http, cancellation);
    }

    private static async Task<IResult> Release(Guid id, string stepId, ReleaseRequest request, HttpContext http,
        IValidator<ReleaseRequest> validator, ApplicationCommands commands, CancellationToken cancellation)
    {
        await validator.Check(request, cancellation);
        return await commands.SendAsync(id, new ReleaseStep(stepId, request.Reason!, http.Actor()), http, cancellation);
    }

    private static async Task<IResult> Reassign(Guid id, string stepId, ReassignmentRequest request, HttpContext http,
        IValidator<ReassignmentRequest> validator, ApplicationCommands commands, CancellationToken cancellation)
    {
        await validator.Check(request, cancellation);
        var to = new Officer(request.ToUserId!, string.IsNullOrWhiteSpace(request.ToName) ? request.ToUserId! : request.ToName);
        return await commands.SendAsync(id, new ReassignStep(stepId, to, request.Reason!, http.Actor()), http, cancellation);
    }

    private static async Task<IResult> Confirm(Guid id, string stepId, ConfirmationRequest request, HttpContext http,
        IValidator<ConfirmationRequest> validator, ApplicationCommands commands, CancellationToken cancellation)
    {
        await validator.Check(request, cancellation);
        var command = new ConfirmStepApproval(stepId, request.Reason!, request.Comment, http.Actor());
        return await commands.SendAsync(id, command, http, cancellation);
    }

    private static async Task<IResult> Delegate(Guid id, DelegationRequest request, HttpContext http,
        IValidator<DelegationRequest> validator, ApplicationCommands commands, TimeProvider clock, CancellationToken cancellation)
    {
        await validator.Check(request, cancellation);
        return await commands.SendAsync(id, Delegation(request, http, clock), http, cancellation);
    }

    private static async Task<IResult> Revoke(Guid id, RevocationRequest request, HttpContext http,
        IValidator<RevocationRequest> validator, ApplicationCommands commands, CancellationToken cancellation)
    {
        await validator.Check(request, cancellation);
        var of = string.IsNullOrWhiteSpace(request.Of) ? null : request.Of;
        return await commands.SendAsync(id, new RevokeDelegation(of, request.Reason!, http.Actor()), http, cancellation);
    }

    private static async Task<IResult> Recuse(Guid id, RecusalRequest request, HttpContext http, IValidator<RecusalRequest> validator,
        ApplicationCommands commands, CancellationToken cancellation)
    {
        await validator.Check(request, cancellation);
        return await commands.SendAsync(id, new RecuseFromCase(request.Reason!, http.Actor()), http, cancellation);
    }

    private static DelegateSteps Delegation(DelegationRequest request, HttpContext http, TimeProvider clock) =>
        new(new Officer(request.ToUserId!, string.IsNullOrWhiteSpace(request.ToName) ? request.ToUserId! : request.ToName),
            request.From ?? clock.GetUtcNow(), request.Until!.Value, request.Reason!, http.Actor());

    /// <summary>
    /// The officer's absence as one request: a delegation recorded in every case where he holds a step of the agency. Each
    /// case is its own stream, so each is a command of its own; a case that refuses (it changed meanwhile) is reported, the
    /// others stand, and repeating the request changes nothing where the delegation is already recorded.
    /// </summary>
    private static async Task<IResult> DelegateAll(string agency, DelegationRequest request, HttpContext http,
        IValidator<DelegationRequest> validator, IQuerySession session, WorkflowCatalog catalog, ApplicationCommands commands,
        TimeProvider clock, ILoggerFactory logs, CancellationToken cancellation)
    {
        if (catalog.FindAgency(agency) is null)
            return Results.Problem(statusCode: 404, title: "Not found", detail: $"'{agency}' is not an agency of the catalogue");
        var actor = http.Actor();
        if (!AccessPolicy.MayReadAgencyWork(actor, agency) || AccessPolicy.Allows(actor, Permission.Oversight))
            throw new AccessDenied($"you delegate the steps of your own agency only ({actor.Agency ?? "none"})");
        await validator.Check(request, cancellation);
        var command = Delegation(request, http, clock);

        var held = await session.Query<InboxItem>().Where(i => i.Agency == agency && i.HolderId == actor.UserId)
            .OrderBy(i => i.DueAt).ToListAsync(cancellation);
        var cases = new List<DelegatedCase>();
        foreach (var application in held.GroupBy(i => i.ApplicationId))
        {
            var steps = application.Select(i => i.StepId).ToList();
            var tracking = application.First().TrackingNumber;
            try
            {
                var result = await commands.HandleAsync(application.Key, null, command, http.CommandContext(), cancellation);
                cases.Add(new DelegatedCase(application.Key, tracking, steps, result.Version, null));
            }
            catch (Exception refused) when (refused is RuleViolation or ConcurrencyException)
            {
                var code = (refused as RuleViolation)?.Code ?? "concurrent-change";
                cases.Add(new DelegatedCase(application.Key, tracking, steps, null, code));
                logs.CreateLogger(typeof(DeskEndpoints)).LogInformation(
                    "Delegation by {Actor} to {Delegate} refused on {TrackingNumber} ({ApplicationId}) steps {StepIds}: {Code}",
                    actor.UserId, command.To.UserId, tracking, application.Key, steps, code);
            }
        }
        return Results.Ok(new AgencyDelegation(agency, actor.UserId, command.To.UserId, command.From, command.Until, cases));
    }
}
