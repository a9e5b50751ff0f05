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
            // A port already in use ends the start-up with one line on standard error (Program), not a stack trace.
            .Filter.ByExcluding(e => e.Exception is { } error && Startup.IsAddressInUse(error))
            // The async daemon, stopped while it loads events (a start that fails, a shutdown), may release a throttle it has
            // already disposed: a known race of its shutdown that loses nothing (the progress is kept in the database).
            .Filter.ByExcluding(e => e.Exception is ObjectDisposedException &&
                                     e.Properties.TryGetValue("SourceContext", out var source) &&
                                     source.ToString().StartsWith("\"Marten.Events.Daemon", StringComparison.Ordinal))
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
        // Sinks registered as services (a test's collector, a shipper) receive the same events as the console.
        builder.Services.AddSerilog((services, logger) => ConfigureLogger(logger.ReadFrom.Services(services), development),
            preserveStaticLogger: true);
        return builder;
    }

    public static WebApplication UseRequestLogging(this WebApplication app)
    {
        app.UseSerilogRequestLogging(options =>
        {
            // The host's logger, not the static one kept for start-up: several hosts may run in one process (tests).
            options.Logger = app.Services.GetService<Serilog.ILogger>();
            options.EnrichDiagnosticContext = Enrich;
            // A refusal (4xx) is the caller's doing and is logged at Information; only a server error is an Error.
            options.GetLevel = (http, _, exception) =>
                exception is not null || http.Response.StatusCode >= 500 ? LogEventLevel.Error : LogEventLevel.Information;
        });
        return app;
    }

    private static void Enrich(IDiagnosticContext context, HttpContext http)
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
    }

    public static string CorrelationId(this HttpContext http) =>
        http.Request.Headers["X-Correlation-Id"].FirstOrDefault() is { Length: > 0 and <= 128 } given ? given : http.TraceIdentifier;
}
