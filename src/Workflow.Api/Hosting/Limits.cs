using System.Linq.Expressions;
using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Workflow.Core;

namespace Workflow.Api.Hosting;

/// <summary>
/// The input limits of <see cref="InputLimits"/> at the edge: read from <c>Workflow:Limits</c>, a request body limit
/// (413 above it), JSON nesting, and no NUL character in a path or query (PostgreSQL cannot store it, and no name has it).
/// </summary>
public static class Limits
{
    public const string Section = "Workflow:Limits";

    public static InputLimits AddInputLimits(this WebApplicationBuilder builder)
    {
        var limits = builder.Configuration.GetSection(Section).Get<InputLimits>() ?? InputLimits.Default;
        if (limits.MaxDepth < 2 || limits.MaxRequestBytes < 1024 || limits.MaxTextLength < 1 || limits.MaxNameLength < 1 ||
            limits.MaxItems < 1)
            throw new InvalidOperationException(
                $"{Section}: MaxDepth is at least 2, MaxRequestBytes at least 1024, the other limits at least 1");
        builder.Services.AddSingleton(limits);
        builder.Services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(o => o.SerializerOptions.MaxDepth = limits.MaxDepth);
        builder.Services.AddSingleton<IStartupFilter>(new Guard(limits));
        return limits;
    }

    /// <summary>Runs before routing, so that no endpoint reads an oversized body or a NUL-bearing path or query.</summary>
    private sealed class Guard(InputLimits limits) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (http, proceed) =>
            {
                if (http.Request.Path.Value?.Contains('\0') == true ||
                    http.Request.Query.Any(q => q.Key.Contains('\0') || q.Value.Any(v => v?.Contains('\0') == true)))
                {
                    await Refuse(http, StatusCodes.Status400BadRequest, "Bad request",
                        "The path or query contains the NUL character (%00).");
                    return;
                }
                // Marten refuses the all-zero id as a stream id; no application has it.
                if (http.Request.Path.Value?.Split('/').Any(s => Guid.TryParse(s, out var id) && id == Guid.Empty) == true)
                {
                    await Refuse(http, StatusCodes.Status404NotFound, "Not found", "No application has the all-zero id.");
                    return;
                }
                if (await BodyWithinLimit(http) is false)
                {
                    await Refuse(http, StatusCodes.Status413PayloadTooLarge, "Request body too large",
                        $"A request body holds at most {limits.MaxRequestBytes:N0} bytes (setting {Section}:MaxRequestBytes).");
                    return;
                }
                await proceed(http);
            });
            next(app);
        };

        /// <summary>
        /// A declared length above the limit is refused unread. A body of unknown length is read up to the limit into
        /// memory: the JSON reader of minimal APIs would otherwise treat a failing read as an aborted request.
        /// </summary>
        private async Task<bool> BodyWithinLimit(HttpContext http)
        {
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
                feature.MaxRequestBodySize = Math.Max(limits.MaxRequestBytes, feature.MaxRequestBodySize ?? 0);
            if (http.Request.ContentLength is { } length) return length <= limits.MaxRequestBytes;
            var method = http.Request.Method;
            if (!HttpMethods.IsPost(method) && !HttpMethods.IsPut(method) && !HttpMethods.IsPatch(method))
                return true;
            var buffer = new MemoryStream();
            var chunk = new byte[16_384];
            int read;
            while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
            {
                if (buffer.Length + read > limits.MaxRequestBytes) return false;
                buffer.Write(chunk, 0, read);
            }
            buffer.Position = 0;
            http.Request.Body = buffer;
            http.Response.RegisterForDispose(buffer);
            return true;
        }

        private static async Task Refuse(HttpContext http, int status, string title, string detail)
        {
            // Refused before the request log's middleware runs: say so here.
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Limits))
                .LogInformation("{Method} {Path} refused with {Status}: {Detail}", http.Request.Method, http.Request.Path, status, detail);
            http.Response.StatusCode = status;
            var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
            });
        }
    }

    /// <summary>Free text or a name that PostgreSQL can store, within its length.</summary>
    public static IRuleBuilderOptions<T, string?> Text<T>(this IRuleBuilder<T, string?> rule, int maxLength) =>
        rule.MaximumLength(maxLength).Must(text => InputLimits.Unstorable(text) is null)
            .WithMessage("must not contain the NUL character (\\u0000)");

    /// <summary>A list of names: at most so many, each a storable name.</summary>
    public static void Names<T>(this AbstractValidator<T> validator, Expression<Func<T, IEnumerable<string?>>> list, InputLimits limits)
    {
        validator.RuleFor(list).Must(l => l is null || l.Count() <= limits.MaxItems).WithMessage($"at most {limits.MaxItems} entries");
        validator.RuleForEach(list).NotEmpty().Text(limits.MaxNameLength);
    }

    /// <summary>
    /// Application data as sent: at most so many fields with storable names, text values within the text limit, no value
    /// nested deeper than the JSON limit. The procedure's own field rules are checked later, against its definition.
    /// </summary>
    public static void Data<T>(this AbstractValidator<T> validator, Expression<Func<T, Dictionary<string, JsonElement>?>> data,
        InputLimits limits) =>
        validator.RuleFor(data).Custom((values, context) =>
        {
            if (values is null) return;
            if (values.Count > limits.MaxItems) context.AddFailure("data", $"at most {limits.MaxItems} fields");
            foreach (var (name, value) in values.Take(limits.MaxItems + 1))
            {
                if (name.Length > limits.MaxNameLength || InputLimits.Unstorable(name) is not null)
                    context.AddFailure("data", $"a field name has at most {limits.MaxNameLength} characters and no NUL character");
                else if (ValueProblem(value, limits, 1) is { } problem)
                    context.AddFailure($"data.{name}", problem);
            }
        });

    private static string? ValueProblem(JsonElement value, InputLimits limits, int depth)
    {
        if (depth > limits.MaxDepth) return $"nested more than {limits.MaxDepth} levels deep";
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                if (Decoded(value.GetString) is not { } text) return NotText;
                return text.Length > limits.MaxTextLength ? $"at most {limits.MaxTextLength} characters" : InputLimits.Unstorable(text);
            case JsonValueKind.Array:
                if (value.GetArrayLength() > limits.MaxItems) return $"at most {limits.MaxItems} entries";
                return value.EnumerateArray().Select(v => ValueProblem(v, limits, depth + 1)).FirstOrDefault(p => p is not null);
            case JsonValueKind.Object:
                var properties = value.EnumerateObject().ToList();
                if (properties.Count > limits.MaxItems) return $"at most {limits.MaxItems} entries";
                return properties.Select(p => Decoded(() => p.Name) is not { } name ? NotText
                        : name.Length > limits.MaxNameLength ? $"a name has at most {limits.MaxNameLength} characters"
                        : InputLimits.Unstorable(name) ?? ValueProblem(p.Value, limits, depth + 1))
                    .FirstOrDefault(p => p is not null);
            default:
                return null;
        }
    }

    private const string NotText = "not valid text: half of a character (a lone UTF-16 surrogate)";

    /// <summary>A JSON string as text, or null when it cannot be text: the JSON escapes half of a surrogate pair.</summary>
    private static string? Decoded(Func<string?> read)
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
