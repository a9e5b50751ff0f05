using System.Text.Encodings.Web;
using System.Threading.RateLimiting;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Net.Http.Headers;
using Workflow.Api.Hosting;
using Workflow.Core.Applications;
using Workflow.Core.Citizens;
using Workflow.Store.Applications;
using Workflow.Store.Notifications;
using Workflow.Store.Tracking;

namespace Workflow.Api.Tracking;

/// <summary>The citizen's proof: the tracking number and the access code from the receipt. POST, so neither is in a URL or a log.</summary>
public sealed record TrackingRequest(string? TrackingNumber, string? AccessCode, string? Lang = null);

public sealed record FeedbackRequest(string? TrackingNumber, string? AccessCode, int? Rating, string? Comment, string? Lang = null);

/// <summary>Who holds the application now, said in plain words ("With the Ministry of Industry and Commerce: registration").</summary>
public sealed record HolderView(string Text, string Agency, string StepId, DateTimeOffset DueAt, string DueText);

/// <summary>What the citizen must correct, for which step, with the officer's reason and comment.</summary>
public sealed record CorrectionView(string Text, string Agency, string StepId, string Reason, string? Comment);

/// <summary>
/// What the citizen sees: where the application is, when it is expected, what to correct and by when, and the result.
/// Never the applicant's identity number or contact: the read model behind it does not hold them.
/// </summary>
public sealed record CitizenView(
    string TrackingNumber,
    string Language,
    string Procedure,
    ApplicationStatus Status,
    string StatusText,
    IReadOnlyList<HolderView> Holders,
    DateTimeOffset? ExpectedAt,
    string? ExpectedText,
    string? Apology,
    IReadOnlyList<CorrectionView> Corrections,
    DateTimeOffset? CorrectBy,
    string? CorrectByText,
    string? Result,
    DateTimeOffset? EndedAt,
    bool MayRate,
    int? Rating);

public sealed record FeedbackAnswer(string Text, int Rating);

public sealed record TrackingOptions
{
    /// <summary>Requests to the tracking endpoints one client address may make per minute; more are refused with 429.</summary>
    public int PermitsPerMinute { get; init; } = 20;
}

public sealed class TrackingValidator : AbstractValidator<TrackingRequest>
{
    public TrackingValidator()
    {
        RuleFor(r => r.TrackingNumber).NotEmpty().MaximumLength(40).WithMessage("the tracking number on the receipt, e.g. VTE-2026-000123");
        RuleFor(r => r.AccessCode).NotEmpty().MaximumLength(20).WithMessage("the access code on the receipt, e.g. K7QM-2XHP");
        RuleFor(r => r.Lang).Must(l => Languages.All.Contains(l)).When(r => r.Lang is not null).WithMessage("lang is lo or en");
    }
}

public sealed class FeedbackValidator : AbstractValidator<FeedbackRequest>
{
    public FeedbackValidator()
    {
        RuleFor(r => r.TrackingNumber).NotEmpty().MaximumLength(40).WithMessage("the tracking number on the receipt");
        RuleFor(r => r.AccessCode).NotEmpty().MaximumLength(20).WithMessage("the access code on the receipt");
        RuleFor(r => r.Rating).NotNull().InclusiveBetween(Feedback.Lowest, Feedback.Highest)
            .WithMessage($"a rating from {Feedback.Lowest} (poor) to {Feedback.Highest} (very good)");
        RuleFor(r => r.Comment).MaximumLength(Feedback.CommentLength)
            .WithMessage($"a comment has at most {Feedback.CommentLength} characters");
        RuleFor(r => r.Lang).Must(l => Languages.All.Contains(l)).When(r => r.Lang is not null).WithMessage("lang is lo or en");
    }
}

/// <summary>
/// The public tracking API, without sign-in. A wrong tracking number and a wrong code get the same 404 after the same
/// work (<see cref="AccessCodes.Matches"/>); each client address may try <see cref="TrackingOptions.PermitsPerMinute"/>
/// times a minute (ASP.NET Core's rate limiter, setting <c>Workflow:Tracking:PermitsPerMinute</c>).
/// </summary>
public static class TrackingEndpoints
{
    public const string RateLimit = "tracking";

    public static WebApplicationBuilder AddTracking(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Workflow:Tracking").Get<TrackingOptions>() ?? new TrackingOptions();
        if (options.PermitsPerMinute < 1) throw new InvalidOperationException("Workflow:Tracking:PermitsPerMinute must be at least 1.");
        builder.Services.AddSingleton(options);
        builder.Services.AddLocalization();
        builder.Services.AddSingleton<CitizenWords>();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(RateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.PermitsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
                }));
            limiter.OnRejected = async (context, cancellation) =>
            {
                var http = context.HttpContext;
                var words = http.RequestServices.GetRequiredService<CitizenWords>();
                http.RequestServices.GetRequiredService<ILogger<TrackingRequest>>().LogWarning(
                    "Tracking refused to {ClientAddress}: more than {Permits} attempts in a minute",
                    http.Connection.RemoteIpAddress?.ToString(), options.PermitsPerMinute);
                if (http.Request.Path.StartsWithSegments("/api"))
                    await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many attempts",
                        detail: words.Text(LanguageOf(http, null, null), "TooMany")).ExecuteAsync(http);
                else
                    await RefusedPageAsync(http, words);
            };
        });
        return builder;
    }

    public static void MapTracking(this IEndpointRouteBuilder api)
    {
        var tracking = api.MapGroup("/tracking").WithTags("Tracking").AllowAnonymous().RequireRateLimiting(RateLimit);
        tracking.MapPost("", Track).WithSummary("The citizen's view of an application: tracking number and access code, no sign-in")
            .Produces<CitizenView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests);
        tracking.MapPost("/feedback", Rate).WithSummary("The citizen rates the service once the application has ended, once")
            .Produces<FeedbackAnswer>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> Track(TrackingRequest request, HttpContext http, IValidator<TrackingRequest> validator,
        IDocumentStore store, CitizenWords words, ILogger<TrackingRequest> log, CancellationToken cancellation)
    {
        await validator.Check(request, cancellation);
        var tracked = await FindAsync(store, request.TrackingNumber!, request.AccessCode!, cancellation);
        if (tracked is null) return NotFound(http, words, request.Lang, log);
        var language = LanguageOf(http, request.Lang, tracked.Language);
        log.LogInformation("Tracking page of {TrackingNumber} ({ApplicationId}) opened in {Language}",
            tracked.TrackingNumber, tracked.Id, language);
        return Results.Ok(View(tracked, language, words));
    }

    private static async Task<IResult> Rate(FeedbackRequest request, HttpContext http, IValidator<FeedbackRequest> validator,
        IDocumentStore store, ApplicationCommands commands, CitizenWords words, ILogger<TrackingRequest> log,
        CancellationToken cancellation)
    {
        await validator.Check(request, cancellation);
        var tracked = await FindAsync(store, request.TrackingNumber!, request.AccessCode!, cancellation);
        if (tracked is null) return NotFound(http, words, request.Lang, log);
        var command = new RateService(request.Rating!.Value, request.Comment, Feedback.Citizen(tracked.TrackingNumber));
        await commands.HandleAsync(tracked.Id, null, command, new CommandContext(http.CorrelationId(), Channel: "web"), cancellation);
        var language = LanguageOf(http, request.Lang, tracked.Language);
        return Results.Ok(new FeedbackAnswer(words.Text(language, "Rate.Thanks"), request.Rating.Value));
    }

    /// <summary>The application when the number and the code both match; the same null, after the same work, otherwise.</summary>
    private static async Task<CitizenTracking?> FindAsync(IDocumentStore store, string trackingNumber, string accessCode,
        CancellationToken cancellation)
    {
        await using var session = store.QuerySession();
        var number = trackingNumber.Trim().ToUpperInvariant();
        var tracked = await session.Query<CitizenTracking>().FirstOrDefaultAsync(t => t.TrackingNumber == number, cancellation);
        return AccessCodes.Matches(accessCode, tracked?.AccessCode) ? tracked : null;
    }

    private static IResult NotFound(HttpContext http, CitizenWords words, string? lang, ILogger log)
    {
        // Neither the number nor the code is logged: the code is a secret, and a number with a failed code says nothing.
        log.LogInformation("Tracking attempt from {ClientAddress} matched no application", http.Connection.RemoteIpAddress?.ToString());
        return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
            detail: words.Text(LanguageOf(http, lang, null), "NotFound"));
    }

    /// <summary>
    /// The tracking page's refusal, for a person in a browser: a page in the language the workspace remembers for them,
    /// saying to wait, where the API answers with a problem document.
    /// </summary>
    private static async Task RefusedPageAsync(HttpContext http, CitizenWords words)
    {
        var chosen = CookieRequestCultureProvider.ParseCookieValue(http.Request.Cookies[Workspace.WorkspaceSetup.LanguageCookie] ?? "")
            ?.UICultures.FirstOrDefault().Value;
        var language = chosen is not null && Languages.All.Contains(chosen) ? chosen : LanguageOf(http, null, null);
        string Text(string key) => HtmlEncoder.Default.Encode(words.Text(language, key));
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync(
            $"""
             <!DOCTYPE html>
             <html lang="{language}"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width" />
             <title>{Text("TooMany.Title")}</title><link rel="stylesheet" href="/workspace.css" /></head>
             <body><main id="main"><h1>{Text("TooMany.Title")}</h1><p role="alert">{Text("TooMany")}</p>
             <p><a href="/track">{Text("Label.Track")}</a></p></main></body></html>
             """);
    }

    /// <summary>The language asked for (<c>lang</c>, then Accept-Language), else the applicant's, else Lao.</summary>
    public static string LanguageOf(HttpContext http, string? lang, string? applicants)
    {
        if (lang is not null && Languages.All.Contains(lang)) return lang;
        if (http.Request.Query["lang"].FirstOrDefault() is { } query && Languages.All.Contains(query)) return query;
        if (StringWithQualityHeaderValue.TryParseList(http.Request.Headers.AcceptLanguage, out var accepted))
            foreach (var value in accepted.OrderByDescending(v => v.Quality ?? 1))
            {
                var primary = value.Value.Value?.Split('-')[0].ToLowerInvariant();
                if (primary is not null && Languages.All.Contains(primary)) return primary;
            }
        return applicants is not null && Languages.All.Contains(applicants) ? applicants : Languages.Default;
    }

    public static CitizenView View(CitizenTracking t, string language, CitizenWords words)
    {
        var procedure = words.Procedure(language, t.WorkflowId);
        var holders = t.Steps.Where(s => !s.Returned).OrderBy(s => s.DueAt).Select(s => new HolderView(
            words.Text(language, "Holder", words.Agency(language, s.Agency), words.Step(language, t.WorkflowId, s.StepId, s.Title)),
            s.Agency, s.StepId, s.DueAt, CitizenWords.Date(language, s.DueAt))).ToList();
        var corrections = t.Steps.Where(s => s.Returned).Select(s => new CorrectionView(
            words.Text(language, "Returned", words.Agency(language, s.Agency), s.Comment is null ? s.Reason : $"{s.Reason}. {s.Comment}"),
            s.Agency, s.StepId, s.Reason ?? "", s.Comment)).ToList();
        var result = t.Status switch
        {
            ApplicationStatus.Approved => words.Text(language, "Result.Approved"),
            ApplicationStatus.Rejected => words.Text(language, "Result.Rejected", t.RefusalReason ?? ""),
            ApplicationStatus.Withdrawn => words.Text(language, "Result.Withdrawn"),
            ApplicationStatus.Lapsed => words.Text(language, "Result.Lapsed"),
            _ => null,
        };
        var ended = t.EndedAt is not null;
        return new CitizenView(t.TrackingNumber, language, procedure, t.Status, words.Text(language, $"Status.{t.Status}"), holders,
            ended ? null : t.ExpectedAt,
            ended || t.ExpectedAt is not { } expected ? null : words.Text(language, "Expected", CitizenWords.Date(language, expected)),
            t.Apologised && !ended && t.ExpectedAt is { } newDate
                ? words.Text(language, "Apology", CitizenWords.Date(language, newDate))
                : null,
            corrections, t.CorrectionDueAt,
            t.CorrectionDueAt is { } by ? words.Text(language, "CorrectBy", CitizenWords.Date(language, by)) : null,
            result, t.EndedAt, ended && t.Rating is null, t.Rating);
    }
}
