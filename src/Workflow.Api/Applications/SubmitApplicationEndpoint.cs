using System.Text.Json;
using FluentValidation;
using Workflow.Api.Hosting;
using Workflow.Core;
using Workflow.Core.Applications;
using Workflow.Store.Applications;
using Workflow.Store.Identity;

namespace Workflow.Api.Applications;

/// <param name="Language">The language the applicant reads, lo or en: notifications and the tracking page use it.</param>
public sealed record ApplicantRequest(string? Name, string? IdNumber, string? Phone, string? Email, string? Language = null);

public sealed record SubmitApplicationRequest(
    string? WorkflowId,
    ApplicantRequest? Applicant,
    Dictionary<string, JsonElement>? Data,
    List<string>? Documents,
    string? Centre,
    string? Channel);

public sealed class SubmitApplicationValidator : AbstractValidator<SubmitApplicationRequest>
{
    public static readonly string[] Channels = ["counter", "web", "api"];

    public SubmitApplicationValidator(InputLimits limits)
    {
        RuleFor(r => r.WorkflowId).NotEmpty().WithMessage("name the procedure, e.g. enterprise-registration").Text(limits.MaxNameLength);
        RuleFor(r => r.Applicant).NotNull().WithMessage("the applicant is required");
        RuleFor(r => r.Applicant!.Name).NotEmpty().Text(limits.MaxNameLength).When(r => r.Applicant is not null)
            .OverridePropertyName("applicant.name");
        RuleFor(r => r.Applicant!.IdNumber).Text(limits.MaxNameLength).When(r => r.Applicant is not null)
            .OverridePropertyName("applicant.idNumber");
        RuleFor(r => r.Applicant!.Language).Must(l => Workflow.Store.Notifications.Languages.All.Contains(l))
            .When(r => r.Applicant?.Language is not null).OverridePropertyName("applicant.language").WithMessage("a language is lo or en");
        RuleFor(r => r.Applicant!.Email).Text(limits.MaxNameLength).EmailAddress().When(r => !string.IsNullOrEmpty(r.Applicant?.Email))
            .OverridePropertyName("applicant.email").WithMessage("an e-mail address such as name@example.la");
        RuleFor(r => r.Applicant!.Phone).Matches(@"^\+?[0-9][0-9 ]{5,19}$").When(r => !string.IsNullOrEmpty(r.Applicant?.Phone))
            .OverridePropertyName("applicant.phone")
            .WithMessage("a phone number of digits, optionally starting with +, e.g. +856 20 5555 1234");
        RuleFor(r => r.Data).NotNull().WithMessage("the application data is required");
        this.Data(r => r.Data, limits);
        this.Names(r => r.Documents!, limits);
        RuleFor(r => r.Centre).Matches("^[A-Z0-9]{2,10}$").When(r => r.Centre is not null)
            .WithMessage("a centre code is 2 to 10 capital letters or digits, e.g. VTE");
        RuleFor(r => r.Channel).Must(c => Channels.Contains(c)).When(r => r.Channel is not null)
            .WithMessage($"channel must be one of {string.Join(", ", Channels)}");
    }
}

public static class SubmitApplicationEndpoint
{
    public static void MapSubmission(this RouteGroupBuilder applications) =>
        applications.MapPost("", Submit)
            .WithSummary("Receive an application at the centre (clerk); an Idempotency-Key header makes a retry return the first one")
            .Produces<CommandResponse>(StatusCodes.Status201Created).ProducesValidationProblem().RequireAuthorization(Policies.Counter);

    private static async Task<IResult> Submit(SubmitApplicationRequest request, HttpContext http,
        IValidator<SubmitApplicationRequest> validator, CommandBatcher commands, IConfiguration configuration,
        CancellationToken cancellation)
    {
        await validator.Check(request, cancellation);
        var actor = http.Actor();
        var key = http.Request.Headers["Idempotency-Key"].FirstOrDefault();
        var id = string.IsNullOrWhiteSpace(key) ? Guid.CreateVersion7() : Http.IdFor(key, actor);
        var centre = request.Centre ?? http.User.FindFirst(Tokens.CentreClaim)?.Value ?? configuration["Workflow:DefaultCentre"] ?? "VTE";
        var applicant = new Applicant(request.Applicant!.Name!, request.Applicant.IdNumber, Blank(request.Applicant.Phone),
            Blank(request.Applicant.Email), request.Applicant.Language);

        var result = await commands.SubmitAsync(
            new NewApplication(id, request.WorkflowId!, centre, request.Channel ?? "counter", applicant, request.Data!,
                request.Documents ?? [], MayRepeat: !string.IsNullOrWhiteSpace(key)),
            actor, http.CommandContext(), cancellation);

        http.Response.SetVersion(result.Version);
        return Results.Created($"/api/applications/{result.Id}", CommandResponse.Of(result));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
