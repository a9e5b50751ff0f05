using System.Text.Json.Serialization;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
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
        // Quick append assigns versions and sequence numbers in one server-side call. Projections therefore do not see
        // event versions while they run; ApplicationDetails counts the events it applied instead (see its Version).
        options.Events.AppendMode = EventAppendMode.Quick;
        options.Events.MetadataConfig.EnableAll();
        options.Events.MetadataConfig.UserNameEnabled = true;
        foreach (var (type, alias) in ApplicationEvents.Aliases.Concat(DeskEvents.Aliases))
            options.Events.MapEventType(type, alias);
        // Event schema evolution (README): a changed shape gets a new name and its old shape an upcaster, applied on read.
        options.Events.Upcast<ApplicationDeclaredCompleteV1, ApplicationDeclaredComplete>(ApplicationDeclaredCompleteV1.StoredAs,
            old => old.Upcast());
        options.Events.MapEventType<Audit.ChainsSealed>("chains_sealed");
        options.Events.MapEventType<Audit.CaseFileOpened>("case_file_opened");
        options.Events.MapEventType<Definitions.RulesPublished>("rules_published");
        options.Events.MapEventType<Definitions.RulesRetired>("rules_retired");

        options.Projections.Add(new ApplicationProjection(), ProjectionLifecycle.Live);
        // The case documents (details and tracking), folded by one inline projection from what the command read with the stream.
        options.Projections.Add(new CaseDocumentsProjection(), ProjectionLifecycle.Inline);
        options.Projections.Add(new AgencyInboxProjection(), ProjectionLifecycle.Inline);
        options.Projections.Add(new OpenDeadlines(Schema), ProjectionLifecycle.Inline);
        options.Storage.ExtendedSchemaObjects.Add(OpenDeadlines.Schema(Schema));
        // Numeric revisions, as when Marten's own aggregation projections kept these documents: stores built then keep their
        // columns (a revision column of another type would stop the start-up with a migration it cannot make).
        options.Schema.For<Tracking.CitizenTracking>().UniqueIndex(t => t.TrackingNumber).UseNumericRevisions(true);
        options.Projections.Add(new Notifications.Outbox(Schema), ProjectionLifecycle.Inline);
        options.Storage.ExtendedSchemaObjects.AddRange(Notifications.Outbox.Schema(Schema));

        options.Schema.For<ApplicationDetails>().UniqueIndex(d => d.TrackingNumber).UseNumericRevisions(true);
        Oversight.CaseSearch.Configure(options);
        // The desk's page, earliest due first within an agency, is read from this one index in order (AgencyInbox.InOrder, the
        // id last so that steps due and opened at the same instant need no sort either): no sort of the agency's inbox.
        options.Schema.For<InboxItem>().Index([i => i.Agency, i => i.DueAt, i => i.OpenedAt, i => i.Id]).Index(i => i.DueAt)
            .Index(i => i.ApplicationId).Index(i => i.Centre).Index(i => i.WorkflowId).Index(i => i.HolderId);
        options.Schema.For<StoredDefinition>().Index(d => d.WorkflowId);
        Statistics.StatisticsReader.Configure(options);
        options.Schema.For<Draft>().Index(d => d.Owner);
        options.Schema.For<PublicationRequest>().Index(r => r.WorkflowId);
    }

    /// <summary>
    /// One pool for Marten and our own SQL. Marten opens a pooled connection per operation, so the reset Npgsql would
    /// send on each return (DISCARD ALL) is skipped: no code here changes session state. Repeated statements are prepared.
    /// </summary>
    public static NpgsqlDataSource DataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0) builder.ConnectionStringBuilder.MaxAutoPrepare = 100;
        return builder.Build();
    }

    /// <param name="statistics">The calendars the statistics projection counts working days on, when this process registers it.</param>
    private static StoreOptions Options(NpgsqlDataSource database, Audit.ChainKey key, Core.Calendars.CalendarCatalog? statistics)
    {
        var options = new StoreOptions();
        Configure(options, database);
        if (statistics is not null) Statistics.StatisticsReader.AddProjection(options, statistics);
        // Every session of the store stamps the keyed audit link on the events it appends (see Audit.ChainLinks).
        options.Listeners.Add(new Audit.ChainLinks(key));
        return options;
    }

    /// <param name="statistics">How this process runs the async daemon of the statistics projection: hot/cold on a server
    /// (one node runs it, another takes over when it stops), disabled on a node that leaves it to others; null in a tool
    /// that only reads the figures, which then does not register the projection at all.</param>
    public static IServiceCollection AddWorkflowStore(this IServiceCollection services, string connectionString, WorkflowCatalog catalog,
        DaemonMode? statistics = null)
    {
        services.AddSingleton(DataSource(connectionString));
        var marten = services.AddMarten(sp => Options(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<Audit.ChainKey>(),
                statistics is not null ? catalog.Calendars : null))
            .UseLightweightSessions().ApplyAllDatabaseChangesOnStartup();
        if (statistics is { } mode and not DaemonMode.Disabled) marten.AddAsyncDaemon(mode);
        services.AddSingleton<Statistics.StatisticsReader>();
        services.AddSingleton<Statistics.StatisticsRebuild>();
        services.AddSingleton(catalog);
        services.AddSingleton<PinnedDefinitions>();
        services.AddSingleton<Drafts>();
        services.AddSingleton<PublicationRequests>();
        services.AddSingleton(sp => new TrackingNumbers(sp.GetRequiredService<NpgsqlDataSource>(), Schema));
        services.AddSingleton<ApplicationCommands>();
        services.AddSingleton<ApplicationReplay>();
        services.TryAddSingleton(Core.InputLimits.Default);
        services.TryAddSingleton(CommandBatcher.Settings.Default);
        services.AddSingleton<CommandBatcher>();
        services.AddSingleton<DeadlineSweeper>();
        services.AddSingleton<Migrations>();
        services.AddSingleton<CalendarChanges>();
        services.TryAddSingleton(sp => Audit.ChainKey.From(sp.GetService<IConfiguration>(), sp.GetService<IHostEnvironment>()));
        services.AddSingleton<Audit.AuditChain>();
        services.AddSingleton<Audit.ProjectionCheck>();
        services.AddSingleton<Audit.Seals>();
        services.AddSingleton<Audit.EvaluationExports>();
        services.AddSingleton<Audit.AccessLog>();
        services.AddSingleton<Audit.CaseFiles>();
        services.AddSingleton<Audit.OversightQueries>();
        services.AddSingleton<Oversight.CaseSearch>();
        services.AddSingleton<Oversight.Alerts>();
        services.AddSingleton<Oversight.DecisionCounts>();
        services.AddSingleton<Notifications.OutboxRows>();
        services.AddSingleton<WhatIf.WhatIfRuns>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
