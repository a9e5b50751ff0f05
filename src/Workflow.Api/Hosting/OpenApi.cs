using Scalar.AspNetCore;

namespace Workflow.Api.Hosting;

public static class OpenApi
{
    public static WebApplicationBuilder AddApiDocuments(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>The OpenAPI document at /openapi/v1.json and a reference page at /scalar, usable offline.</summary>
    public static WebApplication MapApiDocuments(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(options => options
            .WithTitle("Interagency request routing API")
            .DisableAgent().DisableMcp().DisableTelemetry().DisableDefaultFonts().HideClientButton())
            .AllowAnonymous();
        return app;
    }
}
