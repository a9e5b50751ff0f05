using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using AllowedValuesAttribute = System.ComponentModel.DataAnnotations.AllowedValuesAttribute;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Workflow.Api.Hosting;

/// <summary>
/// The OpenAPI document, complete enough for third-party tools (Redocly's recommended rules, client generators): the
/// bearer scheme on every protected operation, an operationId for each, and every status an operation can answer
/// documented with the problem-details schema.
/// </summary>
public static class OpenApi
{
    private const string Bearer = "bearer";
    private const string Problem = "ProblemDetails";
    private const string ValidationProblem = "HttpValidationProblemDetails";

    private static readonly Dictionary<string, string> Tags = new()
    {
        ["Applications"] = "A citizen's application: received at the centre, decided step by step, corrected, withdrawn, read",
        ["Agencies"] = "What waits for each agency",
        ["Deadlines"] = "Overdue steps and escalations",
        ["Calendars"] = "Working-day calendars and due dates",
        ["Procedures"] = "Procedure definitions: versions, publication, retirement and migration of running applications",
        ["Oversight"] = "For auditors: verification, seals, replay, case files, access log and queries",
        ["Health"] = "Whether the service and its database answer",
    };

    /// <summary>
    /// An answer given in several formats (a case file as JSON or HTML, the statistics as JSON or CSV) declares each, its
    /// text formats before its JSON. The API explorer keeps one declaration per status, the last, so the text formats
    /// declared before it are added back here, each as text.
    /// </summary>
    private static void AddTextFormats(OpenApiOperation operation, IList<object> metadata)
    {
        foreach (var produces in metadata.OfType<IProducesResponseTypeMetadata>().Where(p => p.Type == typeof(string)))
        {
            if (operation.Responses?.GetValueOrDefault($"{produces.StatusCode}") is not OpenApiResponse response) continue;
            response.Content ??= new Dictionary<string, OpenApiMediaType>();
            foreach (var contentType in produces.ContentTypes)
                response.Content.TryAdd(contentType, new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
        }
    }

    public static WebApplicationBuilder AddApiDocuments(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            options.AddOperationTransformer((operation, context, _) =>
            {
                operation.OperationId ??= OperationId(context.Description.HttpMethod ?? "get", context.Description.RelativePath ?? "");
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var secured = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
                operation.Security = secured
                    ? [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, context.Document)] = [] }]
                    : [new OpenApiSecurityRequirement()];
                AddTextFormats(operation, metadata);
                return Task.CompletedTask;
            });
            // A text field that takes a fixed set of values (a decision's outcome) lists them.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(AllowedValuesAttribute), false)
                        .OfType<AllowedValuesAttribute>().FirstOrDefault() is { } allowed)
                    schema.Enum = [.. allowed.Values.Select(v => (JsonNode)JsonValue.Create($"{v}"))];
                return Task.CompletedTask;
            });
            options.AddDocumentTransformer(async (document, context, cancellation) =>
            {
                document.Info.Title = "Interagency request routing API";
                document.Info.Description = "Applications routed through each agency's decision, with deadlines in working days and a " +
                                            "tamper-evident history. Errors are RFC 7807 problem details.";
                // The licence is the team's to choose; until then the document says the API is not openly licensed.
                document.Info.License = new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" };
                document.Servers = [new OpenApiServer { Url = "/", Description = "This server" }];
                document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = Bearer, BearerFormat = "JWT",
                    Description = "A JWT with the claims sub, name, role, agency and optionally centre",
                };
                document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
                if (!document.Components.Schemas.ContainsKey(Problem))
                    document.Components.Schemas[Problem] =
                        await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellation);
                if (!document.Components.Schemas.ContainsKey(ValidationProblem))
                    document.Components.Schemas[ValidationProblem] =
                        await context.GetOrCreateSchemaAsync(typeof(HttpValidationProblemDetails), null, cancellation);
                foreach (var (path, item) in document.Paths)
                foreach (var (method, operation) in item.Operations ?? [])
                    Document(document, path, method, operation);
            });
        });
        return builder;
    }

    /// <summary>"POST api/applications/{id}/steps/{stepId}/decision" becomes "postApplicationsByIdStepsByStepIdDecision".</summary>
    private static string OperationId(string method, string route)
    {
        var name = new StringBuilder(method.ToLowerInvariant());
        foreach (var segment in route.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != "api"))
        {
            var word = segment.StartsWith('{') ? "By" + Pascal(segment.Trim('{', '}').Split(':')[0]) : Pascal(segment);
            name.Append(word);
        }
        return name.ToString();
    }

    private static string Pascal(string text) =>
        string.Concat(text.Split('-', '_', '.').Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));

    /// <summary>
    /// The answers every operation of the kind can give, whether or not its endpoint declares them: any request may be
    /// malformed (400) or arrive while the database is away (503); a protected one without a valid token (401) or
    /// from a role or agency without the right (403); a path naming something (404); a body above the limit (413).
    /// </summary>
    private static void Document(OpenApiDocument document, string path, HttpMethod method, OpenApiOperation operation)
    {
        operation.Responses ??= new OpenApiResponses();
        var responses = operation.Responses;
        var secured = operation.Security?.Any(r => r.Count > 0) == true;
        Add(responses, document, "400", "The request is not valid: the errors name each field", ValidationProblem);
        if (secured)
        {
            Add(responses, document, "401", "No valid bearer token");
            Add(responses, document, "403", "The caller's role or agency may not do this");
        }
        if (path.Contains('{')) Add(responses, document, "404", "Not found");
        if (operation.RequestBody is not null || method == HttpMethod.Post)
            Add(responses, document, "413", "The request body is above the limit");
        if (path.StartsWith("/api/applications/{id}/", StringComparison.Ordinal) && method == HttpMethod.Post)
        {
            Add(responses, document, "409", "The command breaks a rule of the procedure (code says which), or a concurrent change won");
            Add(responses, document, "412", "The version in If-Match is no longer current");
        }
        if (path == "/api/applications" && method == HttpMethod.Post)
            Add(responses, document, "422", "The Idempotency-Key was first used with another request");
        Add(responses, document, "503", "The database is unavailable; retry after the seconds in Retry-After");
        foreach (var (status, response) in responses.Where(r => r.Key.StartsWith('4') || r.Key.StartsWith('5')).ToList())
            if (response is OpenApiResponse concrete && (concrete.Content is null || concrete.Content.Count == 0))
                concrete.Content = ProblemContent(document, status == "400" ? ValidationProblem : Problem);
    }

    private static void Add(OpenApiResponses responses, OpenApiDocument document, string status, string description,
        string schema = Problem)
    {
        if (responses.ContainsKey(status)) return;
        responses[status] = new OpenApiResponse { Description = description, Content = ProblemContent(document, schema) };
    }

    private static Dictionary<string, OpenApiMediaType> ProblemContent(OpenApiDocument document, string schema) => new()
    {
        ["application/problem+json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(schema, document) },
    };

    /// <summary>The OpenAPI document at /openapi/v1.json and a reference page at /scalar, usable offline.</summary>
    public static WebApplication MapApiDocuments(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(options => options
            .WithTitle("Interagency request routing API")
            .AddPreferredSecuritySchemes(Bearer)
            .DisableAgent().DisableMcp().DisableTelemetry().DisableDefaultFonts().HideClientButton())
            .AllowAnonymous();
        return app;
    }
}
