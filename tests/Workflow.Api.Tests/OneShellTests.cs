using System.Net;
using System.Text.RegularExpressions;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Store.Applications;
using Workflow.Store.Audit;
using Workflow.Store.Definitions;

namespace Workflow.Api.Tests;

/// <summary>
/// Every change to an application's stream goes through the one command shell (<see cref="ApplicationCommands"/>): the
/// access policy, the decider and the audit headers cannot be skipped by a second writer.
/// </summary>
public class the_command_shell_is_the_only_writer_of_application_streams
{
    // Marten's ways to write events: starting a stream, appending to it (plain, optimistic, exclusive, quick) and
    // fetching a stream for writing, whose AppendOne and AppendMany write it.
    private static readonly Regex EventWrite = new(
        @"\bEvents\s*\.\s*(StartStream|Append\w*|QuickAppend\w*|FetchForWriting|FetchForExclusiveWriting" +
        @"|WriteToAggregate|WriteExclusivelyToAggregate)\s*(<[^>()]*>)?\s*\(" +
        @"|\.\s*(AppendOne|AppendMany)\s*\(");

    /// <summary>
    /// The writers allowed, each with what it writes. Only the command shell writes application streams; the access log,
    /// the seals and the record of publications write streams of their own (one per application's reading, one for the
    /// seals, one for the procedures' publications), never a case's.
    /// </summary>
    private static readonly Dictionary<string, string> Writers = new()
    {
        ["src/Workflow.Store/Applications/ApplicationCommands.cs"] = "application streams, through the decider",
        ["src/Workflow.Store/Audit/AccessLog.cs"] = "the access-log stream of each application, never the application's own",
        ["src/Workflow.Store/Audit/Seals.cs"] = "the seal stream",
        ["src/Workflow.Store/Definitions/PublicationRecord.cs"] = "the stream of the procedures' publications and retirements",
    };

    [Fact]
    public void no_source_file_but_the_shell_appends_to_application_streams()
    {
        var root = ApiFixture.RepositoryRoot();
        var writers = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(f => EventWrite.IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order().ToList();

        writers.ShouldBe(Writers.Keys.Order().ToList(), "a file that writes events must be one of the known writers");
    }

    [Fact]
    public void the_scan_finds_the_ways_marten_writes()
    {
        string[] writes =
        [
            "session.Events.StartStream<Application>(id, events);", "session.Events.Append(id, e);",
            "session.Events.AppendOptimistic(id, e);", "session.Events.AppendExclusive(id, e);",
            "await session.Events.FetchForWriting<A>(id);",
            "stream.AppendOne(e);", "stream.AppendMany(events);", "session.Events.QuickAppendEvents(id, e);",
        ];
        writes.ShouldAllBe(w => EventWrite.IsMatch(w));
        EventWrite.IsMatch("html.Append(\"<tr>\"); items.Append(x); options.Events.AppendMode = EventAppendMode.Quick;").ShouldBeFalse();
    }
}

public class when_running_applications_are_migrated_through_the_shell(ApiFixture api) : ApiTest(api)
{
    private static readonly string Version1 =
        File.ReadAllText(Path.Combine(ApiFixture.RepositoryRoot(), "workflows", "enterprise-registration.yaml"));

    private static readonly string Version2 =
        Version1.Replace("version: 1", "version: 2").Replace("deadline: 10 working days", "deadline: 8 working days");

    private static readonly Workflow.Core.Applications.Actor Designer = new("designer-1", "Dara Designer", null, Roles.Designer);

    private async Task<(Guid Id, WorkflowDefinition Target)> RunningAndVersion2()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        (await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await FourEyes.PublishAsync(Api, Version2)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var target = await Api.Factory.Services.GetRequiredService<PinnedDefinitions>().VersionAsync("enterprise-registration", 2);
        return (created.Id, target!);
    }

    [Theory]
    [InlineData(Roles.Clerk, "odsc")]
    [InlineData(Roles.Supervisor, "moic-enterprise-registration")]
    [InlineData(Roles.Auditor, null)]
    public async Task anyone_but_a_designer_is_refused_and_nothing_is_recorded(string role, string? agency)
    {
        var (id, target) = await RunningAndVersion2();
        var actor = new Workflow.Core.Applications.Actor($"{role}-1", "Someone", agency, role, role == Roles.Clerk ? "vte" : null);
        var before = await Api.CountsAsync();
        var commands = Api.Factory.Services.GetRequiredService<ApplicationCommands>();

        await Should.ThrowAsync<AccessDenied>(() => commands.HandleAsync(id, null,
            new MigrateApplication(target, new Dictionary<string, string>(), "shorter registration", actor), new CommandContext("test")));
        await Should.ThrowAsync<AccessDenied>(() => Api.Factory.Services.GetRequiredService<Migrations>().RunAsync(
            "enterprise-registration", 1, 2, new Dictionary<string, string>(), "shorter registration", actor, apply: true));

        (await Api.CountsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task a_migration_carries_the_same_audit_headers_as_any_command()
    {
        var (id, _) = await RunningAndVersion2();

        var reports = await Api.Factory.Services.GetRequiredService<Migrations>().RunAsync(
            "enterprise-registration", 1, 2, new Dictionary<string, string>(), "shorter registration", Designer, apply: true);

        reports.ShouldHaveSingleItem().Applied.ShouldBeTrue();
        await using var session = Api.Factory.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(id);
        var decided = events.Single(e => e.Data is StepApproved);
        var migrated = events.Single(e => e.Data is ApplicationMigrated);
        var headers = AuditHeaders.Of(migrated);
        headers.ShouldBe(new AuditHeaders("designer-1", "Dara Designer", Roles.Designer, null, null, "api", "enterprise-registration@2",
            ((ApplicationMigrated)migrated.Data).ToHash, AuditHeaders.Of(decided).Calendar));
        headers.Calendar.ShouldNotBeNullOrEmpty();
        migrated.Headers!.Keys.Order().ShouldBe(decided.Headers!.Keys.Where(k => k != "actor-agency").Order());
        migrated.CorrelationId.ShouldBe("migration:enterprise-registration:1->2");
    }
}

public class when_the_sweeper_claims_a_deadline_of_no_application(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task it_stops_claiming_the_row_and_leaves_the_row_to_its_projection()
    {
        var services = Api.Factory.Services;
        var database = services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        var table = $"{Workflow.Store.WorkflowStore.Schema}.{OpenDeadlines.Table}";
        var orphan = Guid.NewGuid();
        var due = services.GetRequiredService<TimeProvider>().GetUtcNow().AddDays(-1).ToUniversalTime();
        await using (var insert = database.CreateCommand(
                         $"insert into {table} (application_id, scope, kind, level, agency, due_at, fire_at) " +
                         "values ($1, 'intake', 'breach', 0, 'odsc', $2, $2)"))
        {
            insert.Parameters.AddWithValue(orphan);
            insert.Parameters.AddWithValue(due);
            await insert.ExecuteNonQueryAsync();
        }

        (await services.GetRequiredService<DeadlineSweeper>().SweepOnceAsync()).ShouldBe(1);

        await using var read = database.CreateCommand($"select fire_at is null from {table} where application_id = $1");
        read.Parameters.AddWithValue(orphan);
        (await read.ExecuteScalarAsync()).ShouldBe(true, "the row stays, no longer due: only the projection removes rows");
        (await services.GetRequiredService<DeadlineSweeper>().SweepOnceAsync()).ShouldBe(0);
    }
}
