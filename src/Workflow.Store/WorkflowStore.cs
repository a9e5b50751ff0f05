using System.Text.Json.Serialization;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Weasel.Core;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Store.Applications;
using Workflow.Store.Definitions;

namespace Workflow.Store;

/// <summary>How applications are kept in Marten: one stream per application and the projections people read.</summary>
public static class WorkflowStore
{
    public const string Schema = "workflow";

    public static void Configure(StoreOptions options, NpgsqlDataSource database)
    {
        options.Connection(database);
        options.DatabaseSchemaName = Schema;
        options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase,
            json => json.Converters.Add(new JsonStringEnumConverter()));

        options.Events.StreamIdentity = StreamIdentity.AsGuid;
        // Marten 9's default append mode leaves versions unset on projected documents; Rich keeps them for ETags.
        options.Events.AppendMode = EventAppendMode.Rich;
        options.Events.MetadataConfig.EnableAll();
        options.Events.MetadataConfig.UserNameEnabled = true;
        foreach (var (type, alias) in ApplicationEvents.Aliases)
            options.Events.MapEventType(type, alias);

        options.Projections.Add(new ApplicationProjection(), ProjectionLifecycle.Live);
        options.Projections.Add(new ApplicationDetailsProjection(), ProjectionLifecycle.Inline);
        options.Projections.Add(new AgencyInboxProjection(), ProjectionLifecycle.Inline);

        options.Schema.For<ApplicationDetails>().UniqueIndex(d => d.TrackingNumber);
        options.Schema.For<InboxItem>().Index(i => i.Agency).Index(i => i.DueAt).Index(i => i.ApplicationId);
        options.Schema.For<StoredDefinition>().Index(d => d.WorkflowId);
    }

    public static IServiceCollection AddWorkflowStore(this IServiceCollection services, string connectionString, WorkflowCatalog catalog)
    {
        var database = new NpgsqlDataSourceBuilder(connectionString).Build();
        services.AddSingleton(database);
        services.AddMarten(options => Configure(options, database)).UseLightweightSessions().ApplyAllDatabaseChangesOnStartup();
        services.AddSingleton(catalog);
        services.AddSingleton<PinnedDefinitions>();
        services.AddSingleton(new TrackingNumbers(database, Schema));
        services.AddSingleton<ApplicationCommands>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
