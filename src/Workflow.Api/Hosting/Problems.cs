using System.Text.Json;
using FluentValidation;
using JasperFx;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Workflow.Core.Applications;
using Workflow.Store.Applications;
using Workflow.Store.Identity;

namespace Workflow.Api.Hosting;

/// <summary>
/// Every error as RFC 7807 problem details: 400 with field errors for bad input, 403, 404, 409 for a broken rule or a
/// concurrent change, 412 for a stale If-Match. Never a 500 for something the caller did.
/// </summary>
public sealed class Problems(IProblemDetailsService problems, ILogger<Problems> log) : IExceptionHandler
{
    public static WebApplicationBuilder AddProblems(WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions["traceId"] = context.HttpContext.TraceIdentifier);
        builder.Services.AddExceptionHandler<Problems>();
        // Malformed JSON and wrong JSON types reach the exception handler, where they get a field name.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return builder;
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } =>
                Invalid(FieldOf(json.Path), json.Path is null or "$"
                    ? $"The request body is not valid JSON: {Short(json.Message)}"
                    : "This value has the wrong type or is not one of the allowed values."),
            BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = "Bad request", Detail = bad.Message },
            ValidationException validation => Invalid(validation.Errors.GroupBy(e => Camel(e.PropertyName))
                .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray())),
            InvalidApplicationData data => Invalid(data.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray())),
            UnknownWorkflow unknown => Invalid("workflowId", unknown.Message),
            Workflow.Core.Definitions.DefinitionException definition => Invalid(definition.Problems.GroupBy(p => $"{p.At.File}:{p.At.Line}:{p.At.Column}")
                .ToDictionary(g => g.Key, g => g.Select(p => p.Hint is null ? p.Message : $"{p.Message} (hint: {p.Hint})").ToArray())),
            Workflow.Store.Definitions.VersionConflict conflict => Problem(StatusCodes.Status409Conflict, "Version conflict", conflict.Message, "version-conflict"),
            InvalidIfMatch ifMatch => Invalid("If-Match", ifMatch.Message),
            AccessDenied denied => Problem(StatusCodes.Status403Forbidden, "Forbidden", denied.Message),
            UnknownVersion unknownVersion => Problem(StatusCodes.Status404NotFound, "Not found", unknownVersion.Message),
            ApplicationNotFound missing => Problem(StatusCodes.Status404NotFound, "Not found", missing.Message),
            RuleViolation { Code: "step-unknown" } rule => Problem(StatusCodes.Status404NotFound, "Unknown step", rule.Message, rule.Code),
            RuleViolation rule => Problem(StatusCodes.Status409Conflict, "The command breaks a rule of the procedure", rule.Message, rule.Code),
            ConcurrencyException when http.Request.Headers.IfMatch.Count > 0 => Problem(StatusCodes.Status412PreconditionFailed,
                "The application has changed", "The version in If-Match is no longer current; read the application again and retry.", "stale-version"),
            ConcurrencyException => Problem(StatusCodes.Status409Conflict, "Concurrent change",
                "Another command changed this application at the same moment; read it again and retry.", "concurrent-change"),
            _ => null,
        };
        if (problem is null)
        {
            log.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
            return false;
        }
        log.LogInformation("{Method} {Path} refused with {Status}: {Detail}", http.Request.Method, http.Request.Path, problem.Status, problem.Detail);
        http.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    private static ProblemDetails Invalid(IDictionary<string, string[]> errors) => new HttpValidationProblemDetails(errors)
    {
        Status = StatusCodes.Status400BadRequest,
        Title = "The request is not valid",
        Detail = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")),
    };

    private static ProblemDetails Problem(int status, string title, string detail, string? code = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (code is not null) problem.Extensions["code"] = code;
        return problem;
    }

    /// <summary>"$.data.floor_area" becomes "data.floor_area"; an unreadable body is reported as "body".</summary>
    private static string FieldOf(string? path) => string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');

    private static string Short(string message) => message.Split(" Path:")[0];

    private static string Camel(string name) => string.Join('.', name.Split('.').Select(p => p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p[1..]));
}

public sealed class InvalidIfMatch(string message) : Exception(message);
