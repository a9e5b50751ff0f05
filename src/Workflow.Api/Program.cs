using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using Serilog;
using Workflow.Api.Agencies;
using Workflow.Api.Applications;
using Workflow.Api.Deadlines;
using Workflow.Api.Hosting;
using Workflow.Api.Notifications;
using Workflow.Api.Oversight;
using Workflow.Api.Tracking;
using Workflow.Api.Workflows;
using Workflow.Core.Definitions;
using Workflow.Store;

var builder = WebApplication.CreateBuilder(args);
Log.Logger = Logging.StartupLogger(builder.Environment.IsDevelopment());

WorkflowCatalog catalog;
try
{
    catalog = builder.LoadWorkflows();
}
catch (DefinitionException e)
{
    Log.Fatal("The workflows folder is not valid; the server does not start.{NewLine}{Problems}", Environment.NewLine, e.Message);
    throw;
}

builder.AddLogging();
builder.AddSecurity();
Problems.AddProblems(builder);
builder.AddApiDocuments();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower)));
builder.Services.AddValidatorsFromAssemblyContaining<Program>();
builder.Services.AddWorkflowStore(await builder.ConnectionStringAsync(), catalog);
builder.Services.AddHostedService<Definitions.Publisher>();
SweeperService.AddDeadlineSweeper(builder);
builder.Services.AddHostedService<SealService>();
builder.AddTracking();
NotificationService.AddNotifications(builder);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestLogging();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapHealth();
app.MapApiDocuments();
var api = app.MapGroup("/api").RequireAuthorization();
api.MapWorkflows();
api.MapSubmitApplication();
api.MapApplicationReads();
api.MapDecideStep();
api.MapCorrections();
api.MapInbox();
api.MapOverdue();
api.MapCalendars();
api.MapVerification();
api.MapOversightQueries();
api.MapTracking();
api.MapNotifications();

app.Run();

public partial class Program;
