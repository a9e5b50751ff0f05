using AllowedValuesAttribute = System.ComponentModel.DataAnnotations.AllowedValuesAttribute;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using FluentValidation;
using JasperFx;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Workflow.Core.Applications;
using Workflow.Store.Applications;
using Workflow.Store.Identity;

namespace Workflow.Api.Hosting;

/// <summary>
/// Every error as RFC 7807 problem details: 400 with field errors for bad input, 403, 404, 409 for a broken rule or a
/// concurrent change, 412 for a stale If-Match, 413 for a body above the limit, 422 for an Idempotency-Key reused with
/// another request, 503 with Retry-After while the database is unreachable, 503 for an application whose rules were changed
/// in the database after publication. Never a 500 for something the caller did.
/// </summary>
public sealed class Problems(IProblemDetailsService problems, ILogger<Problems> log) : IExceptionHandler
{
    public static WebApplicationBuilder AddProblems(WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions["traceId"] = context.HttpContext.TraceIdentifier);
        builder.Services.AddExceptionHandler<Problems>();
        builder.AddInputLimits();
        // Malformed JSON and wrong JSON types reach the exception handler, where they get a field name.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return builder;
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } => Unreadable(http, json),
            BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = "Bad request", Detail = bad.Message },
            ValidationException validation => Invalid(validation.Errors.GroupBy(e => Camel(e.PropertyName))
                .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray())),
            InvalidApplicationData data => Invalid(data.Errors.GroupBy(e => e.Field)
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray())),
            UnknownWorkflow unknown => Invalid("workflowId", unknown.Message),
            Workflow.Core.Definitions.DefinitionException definition => Invalid(definition.Problems
                .GroupBy(p => $"{p.At.File}:{p.At.Line}:{p.At.Column}")
                .ToDictionary(g => g.Key, g => g.Select(p => p.Hint is null ? p.Message : $"{p.Message} (hint: {p.Hint})").ToArray())),
            Workflow.Store.Definitions.VersionConflict conflict => Problem(StatusCodes.Status409Conflict, "Version conflict",
                conflict.Message, "version-conflict"),
            InvalidIfMatch ifMatch => Invalid("If-Match", ifMatch.Message),
            AccessDenied denied => Problem(StatusCodes.Status403Forbidden, "Forbidden", denied.Message),
            UnknownVersion unknownVersion => Problem(StatusCodes.Status404NotFound, "Not found", unknownVersion.Message),
            ApplicationNotFound missing => Problem(StatusCodes.Status404NotFound, "Not found", missing.Message),
            RuleViolation { Code: "step-unknown" } rule => Problem(StatusCodes.Status404NotFound, "Unknown step", rule.Message,
                rule.Code),
            RuleViolation rule => Problem(StatusCodes.Status409Conflict, "The command breaks a rule of the procedure", rule.Message,
                rule.Code),
            ConcurrencyException when http.Request.Headers.IfMatch.Count > 0 => Problem(StatusCodes.Status412PreconditionFailed,
                "The application has changed", "The version in If-Match is no longer current; read the application again and retry.",
                "stale-version"),
            ConcurrencyException => Problem(StatusCodes.Status409Conflict, "Concurrent change",
                "Another command changed this application at the same moment; read it again and retry.", "concurrent-change"),
            IdempotencyKeyReused => Problem(StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused",
                $"The Idempotency-Key '{http.Request.Headers["Idempotency-Key"]}' was first used with another request; " +
                "a retry must repeat the first request exactly, and a new request needs a new key.", "idempotency-key-reused"),
            Workflow.Store.Definitions.RulesAltered altered => Problem(StatusCodes.Status503ServiceUnavailable, "Rules unavailable",
                altered.Message, "rules-altered"),
            _ when Unstorable(exception) => Invalid("body", "The request contains text the store cannot hold (the NUL character)."),
            _ when DatabaseAway(exception) => Unavailable(http),
            _ => null,
        };
        if (problem is null)
        {
            log.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
            return false;
        }
        if (problem.Status == StatusCodes.Status503ServiceUnavailable && exception is not Workflow.Store.Definitions.RulesAltered)
            log.LogWarning("{Method} {Path} answered 503: the database is unavailable ({Reason})", http.Request.Method, http.Request.Path,
                Chain(exception).Last().Message);
        else
            log.LogInformation("{Method} {Path} refused with {Status}: {Detail}", http.Request.Method, http.Request.Path, problem.Status,
                problem.Detail);
        http.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(
            new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// A body that is not JSON is blamed on the body, with where the reader stopped; a value of the wrong type on its
    /// field, saying what the field takes (for a field with a fixed set of values, naming them).
    /// </summary>
    private static ProblemDetails Unreadable(HttpContext http, JsonException json)
    {
        var where = json.LineNumber is { } line ? $" (line {line + 1}, byte {json.BytePositionInLine + 1})" : "";
        if (json.Message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            var limit = http.RequestServices.GetRequiredService<Core.InputLimits>().MaxDepth;
            return Invalid("body", $"The request body is nested more than {limit} levels deep{where}.");
        }
        // The reader's own errors (truncated or malformed text) wrap its internal JsonReaderException.
        if (json.InnerException?.GetType().Name == "JsonReaderException" || json.Path is null or "$")
            return Invalid("body", $"The request body is not valid JSON{where}: {Short(json.Message)}");
        // The exception handler clears the endpoint from the context; its feature keeps the one that failed.
        var endpoint = http.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? http.GetEndpoint();
        var requestType = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        return Invalid(FieldOf(json.Path), Expected(requestType, json.Path) ?? "This value has the wrong type.");
    }

    /// <summary>What a field of a request record takes, found by its JSON path ("$.applicant.name", "$.documents[2]").</summary>
    private static string? Expected(Type? type, string path)
    {
        PropertyInfo? property = null;
        foreach (var segment in path.TrimStart('$', '.').Split('.'))
        {
            var name = segment.Split('[')[0];
            if (type is null || name.Length == 0) return null;
            property = type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null) return null;
            type = segment.Contains('[') ? ElementOf(property.PropertyType) : property.PropertyType;
        }
        if (property?.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed)
            return $"{Camel(property.Name)} must be {Either(allowed.Values.Select(v => $"{v}"))}";
        var target = Nullable.GetUnderlyingType(type!) ?? type!;
        return target switch
        {
            _ when target == typeof(string) => "must be text (a JSON string)",
            _ when target == typeof(bool) => "must be true or false",
            _ when target == typeof(int) || target == typeof(long) => "must be a whole number",
            _ when target.IsEnum => $"must be {Either(Enum.GetNames(target).Select(n => JsonNamingPolicy.KebabCaseLower.ConvertName(n)))}",
            _ when target.IsGenericType && target.GetGenericTypeDefinition() == typeof(Dictionary<,>) =>
                "must be an object of named values",
            _ when ElementOf(target) is not null => "must be a list",
            _ => "must be an object",
        };
    }

    private static Type? ElementOf(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0] : null;

    private static string Either(IEnumerable<string> values)
    {
        var list = values.ToList();
        return list.Count < 2 ? string.Join("", list) : $"{string.Join(", ", list[..^1])} or {list[^1]}";
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain)) yield return inner;
        }
    }

    /// <summary>22P05 and 22021: text PostgreSQL cannot hold, a backstop for any field the checks did not cover.</summary>
    private static bool Unstorable(Exception exception) =>
        Chain(exception).Any(e => e is PostgresException { SqlState: "22P05" or "22021" });

    /// <summary>
    /// The database is down, restarting or unreachable: its connection errors, or an operator's shutdown (SQLSTATE
    /// class 08 and 57P0x). Not a fault of the request, nor of the code.
    /// </summary>
    public static bool DatabaseAway(Exception exception) => Chain(exception).Any(e => e switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) ||
                               p.SqlState.StartsWith("57P0", StringComparison.Ordinal),
        NpgsqlException n => n.IsTransient || n.InnerException is SocketException or IOException or TimeoutException,
        SocketException or TimeoutException => true,
        _ => false,
    });

    /// <summary>
    /// 503 with Retry-After. The pool is emptied: after a restart every pooled connection is dead, and each would
    /// otherwise fail the first request that draws it; the next request opens fresh ones.
    /// </summary>
    private ProblemDetails Unavailable(HttpContext http)
    {
        http.RequestServices.GetService<NpgsqlDataSource>()?.Clear();
        http.Response.Headers.RetryAfter = $"{RetryAfterSeconds}";
        return Problem(StatusCodes.Status503ServiceUnavailable, "The database is unavailable",
            $"The service cannot reach its database; nothing was changed. Retry in {RetryAfterSeconds} seconds.", "database-unavailable");
    }

    public const int RetryAfterSeconds = 5;

    private static ProblemDetails Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

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

    private static string Camel(string name) =>
        string.Join('.', name.Split('.').Select(p => p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p[1..]));
}

public sealed class InvalidIfMatch(string message) : Exception(message);
