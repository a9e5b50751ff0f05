using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Workflow.Store.Identity;

namespace Workflow.Api.Hosting;

public static class Logging
{
    /// <summary>Readable console output in Development, compact JSON (one event per line) everywhere else.</summary>
    public static void ConfigureLogger(LoggerConfiguration logger, bool development)
    {
        logger.MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.AspNetCore.DataProtection", LogEventLevel.Error)
            // Refused requests are logged once by Problems at Information; unhandled ones there at Error.
            .MinimumLevel.Override("Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", LogEventLevel.Fatal)
            .MinimumLevel.Override("Marten", LogEventLevel.Warning)
            .MinimumLevel.Override("JasperFx", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Extensions.Hosting", LogEventLevel.Information)
            .Enrich.FromLogContext();
        if (development)
            logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}");
        else
            logger.WriteTo.Console(new CompactJsonFormatter());
    }

    /// <summary>The logger used before the host exists (loading definitions, starting a private database).</summary>
    public static Serilog.ILogger StartupLogger(bool development)
    {
        var logger = new LoggerConfiguration();
        ConfigureLogger(logger, development);
        return logger.CreateLogger();
    }

    public static WebApplicationBuilder AddLogging(this WebApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        // Several hosts may run in one process (tests); the static logger is only used before a host exists.
        builder.Services.AddSerilog((_, logger) => ConfigureLogger(logger, development), preserveStaticLogger: true);
        return builder;
    }

    public static WebApplication UseRequestLogging(this WebApplication app)
    {
        app.UseSerilogRequestLogging(options => options.EnrichDiagnosticContext = (context, http) =>
        {
            if (http.User.Identity?.IsAuthenticated == true)
            {
                var actor = Tokens.ActorOf(http.User);
                context.Set("Actor", actor.UserId);
                context.Set("Agency", actor.Agency);
                context.Set("Role", actor.Role);
            }
            if (http.GetRouteValue("id") is { } id) context.Set("ApplicationId", id);
            if (http.GetRouteValue("stepId") is { } step) context.Set("StepId", step);
            context.Set("CorrelationId", http.CorrelationId());
        });
        return app;
    }

    public static string CorrelationId(this HttpContext http) =>
        http.Request.Headers["X-Correlation-Id"].FirstOrDefault() is { Length: > 0 and <= 128 } given ? given : http.TraceIdentifier;
}
