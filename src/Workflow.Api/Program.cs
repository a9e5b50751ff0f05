using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using Serilog;
using Workflow.Api.Agencies;
using Workflow.Api.Applications;
using Workflow.Api.Deadlines;
using Workflow.Api.Design;
using Workflow.Api.Hosting;
using Workflow.Api.Notifications;
using Workflow.Api.Oversight;
using Workflow.Api.Statistics;
using Workflow.Api.Tracking;
using Workflow.Api.Workflows;
using Workflow.Api.Workspace;
using Workflow.Api.Workspace.Design;
using Workflow.Core.Definitions;
using Workflow.Store;

NativeHeap.ReturnLargeBlocks();
var builder = WebApplication.CreateBuilder(args);
var development = builder.Environment.IsDevelopment();
Log.Logger = Logging.StartupLogger(development);
DatabaseSettings? database = null;
var configuring = true;
try
{
    WorkflowCatalog catalog;
    try
    {
        catalog = builder.LoadWorkflows();
    }
    catch (DefinitionException e)
    {
        Log.Fatal("The workflows folder is not valid; the server does not start.{NewLine}{Problems}", Environment.NewLine,
            e.Message);
        throw;
    }

    builder.AddLogging();
    builder.ListenOnDefaultAddress();
    builder.AddSecurity();
    Problems.AddProblems(builder);
    builder.AddApiDocuments();
    builder.Services.ConfigureHttpJsonOptions(o =>
        o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower)));
    // Validators hold no request state; built once, not per request (building one compiles its rules).
    builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);
    builder.AddDevelopmentClock();
    builder.AddCommandBatching();
    WholeCaseReads.AddWholeCaseReads(builder);
    // Checked before the database starts: outside Development the server refuses to run without its own chain key.
    builder.Services.AddSingleton(Workflow.Store.Audit.ChainKey.From(builder.Configuration, builder.Environment));
    database = await builder.AddDatabaseAsync();
    builder.Services.AddWorkflowStore(database.ConnectionString, catalog, builder.StatisticsDaemon());
    builder.Services.AddHostedService<Definitions.Publisher>();
    SweeperService.AddDeadlineSweeper(builder);
    builder.Services.AddHostedService<SealService>();
    builder.AddTracking();
    NotificationService.AddNotifications(builder);
    builder.AddWorkspace();
    builder.AddStatistics();

    var app = builder.Build();
    configuring = false;

    // The request log wraps the exception handler: it records the status the client got, not the exception on its way.
    app.UseRequestLogging();
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseAuthentication();
    app.UseAuthorization();
    app.UseRateLimiter();
    app.UseWorkspace();

    app.MapHealth();
    app.MapApiDocuments();
    // One group per resource, each with its tag and its authorization policy.
    var api = app.MapGroup("/api").RequireAuthorization();
    api.MapApplications();
    api.MapAgencies();
    api.MapWorkflows();
    api.MapDesign();
    api.MapWhatIf();
    api.MapCalendars();
    api.MapOversight();
    api.MapTracking();
    api.MapNotifications();
    api.MapStatistics();
    api.MapDevelopmentClock(app.Environment);
    app.MapWorkspace();
    app.MapTransparency();
    app.MapDesignDownloads();

    await using (app)
    {
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // A start that fails (the port is taken) first stops what already runs, the projection daemon polling the
            // database among it, so that nothing reports a lost connection when the private database goes down.
            await app.StopQuietlyAsync();
            throw;
        }
        await app.WaitForShutdownAsync();
    }
    return ExitCodes.Stopped;
}
catch (Exception e) when (e is not HostAbortedException)
{
    // Never leave a private cluster behind when the server did not come up (it stops only one it started itself).
    if (database?.Cluster is { } cluster) await cluster.DisposeAsync();
    // A test host gets the exception itself; a server process says in one line why it stops, with a documented code.
    if (!Startup.StandAlone) throw;
    var refusal = Startup.Refusal(e, configuring, builder.Configuration);
    if (refusal is null) Log.Fatal(e, "The server stopped on an unexpected error");
    else if (!development) Log.Fatal("The server does not start: {Reason}", refusal.Value.Line);
    var line = refusal?.Line ?? $"stopped on an unexpected error: {e.Message} (details in the log)";
    await Console.Error.WriteLineAsync($"workflow-api: {line}");
    return refusal?.Code ?? ExitCodes.Failed;
}
finally
{
    // Test hosts share the static start-up logger; only a process of its own flushes and closes it.
    if (Startup.StandAlone) await Log.CloseAndFlushAsync();
}

public partial class Program;
