using System.Collections.Concurrent;
using System.Diagnostics;
using JasperFx;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Core.Applications;
using Workflow.Store.Applications;
using Workflow.Store.Audit;
using Workflow.Store.Tracking;
using CoreActor = Workflow.Core.Applications.Actor;

namespace Workflow.Api.Tests;

/// <summary>
/// A command reads the case documents (details and tracking) in the round trip that reads its stream, and its save writes
/// them without reading them again. That is safe only because a command that read them before another one committed fails
/// its stream's version check: these tests interleave that by hand, race it, and count the round trips.
/// </summary>
public class when_a_command_writes_the_case_documents_it_read_with_the_stream(ApiFixture api) : ApiTest(api)
{
    private static readonly CoreActor SealSeven = new("seal-7", "Officer Seven", "mops-seal-office", Roles.Officer);
    private static readonly CoreActor SealNine = new("seal-9", "Officer Nine", "mops-seal-office", Roles.Officer);
    private static readonly CoreActor SocialTwo = new("social-2", "Officer Two", "molsw-social-security", Roles.Officer);
    private static readonly CoreActor SocialFour = new("social-4", "Officer Four", "molsw-social-security", Roles.Officer);

    private IServiceProvider Services => Api.Factory.Services;
    private ApplicationCommands Commands => Services.GetRequiredService<ApplicationCommands>();
    private IDocumentStore Store => Services.GetRequiredService<IDocumentStore>();

    private static DecideStep Approve(string step, CoreActor by) => new(step, StepOutcome.Approve, "in order", null, by);

    private static CommandContext Context() => new(Guid.NewGuid().ToString("N"));

    /// <summary>An enterprise registration through the counter and the registry: the seal and social-security steps both open.</summary>
    private async Task<Guid> AtTheParallelStepsAsync()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        (await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
            .EnsureSuccessStatusCode();
        (await Post(Api.For("moic-enterprise-registration"), $"/api/applications/{created.Id}/steps/register/decision",
            new { outcome = "approve", reason = "registered" })).EnsureSuccessStatusCode();
        return created.Id;
    }

    /// <summary>The stored documents against what the committed events fold into, and the oversight check of the same.</summary>
    private async Task ShouldFollowItsEventsAsync(Guid id)
    {
        await using var session = Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(id);
        var details = await session.LoadAsync<ApplicationDetails>(id);
        var tracking = await session.LoadAsync<CitizenTracking>(id);
        var serializer = Store.Options.Serializer();

        details.ShouldNotBeNull().Version.ShouldBe(events.Count);
        serializer.ToJson(details).ShouldBe(
            serializer.ToJson(events.Aggregate((ApplicationDetails?)null, (d, e) => ApplicationDetailsProjection.Fold(d, e.Data))));
        serializer.ToJson(tracking.ShouldNotBeNull()).ShouldBe(
            serializer.ToJson(events.Aggregate((CitizenTracking?)null, (t, e) => CitizenTrackingProjection.Fold(t, e.Data))));
        (await Services.GetRequiredService<ProjectionCheck>().RunAsync([], id)).ShouldBeEmpty();
    }

    [Fact]
    public async Task documents_read_before_another_command_committed_are_never_written_and_the_command_is_refused()
    {
        var id = await AtTheParallelStepsAsync();
        await using var query = Store.QuerySession();
        var trackingBefore = await query.LoadAsync<CitizenTracking>(id);

        // The seal officer's command reads the stream and the documents...
        await using var late = Store.LightweightSession();
        var stream = await late.Events.FetchForWriting<Application>(id);
        CaseDocumentsProjection.Remember(late, id, await late.LoadAsync<ApplicationDetails>(id), await late.LoadAsync<CitizenTracking>(id));
        // ...the social-security officer's approval commits meanwhile...
        await Commands.HandleAsync(id, null, Approve("social-security", SocialTwo), Context());
        // ...and the seal officer's claim, made on what it read, is refused whole.
        stream.AppendOne(new StepClaimed("seal", "mops-seal-office", "mine", SealSeven, DateTimeOffset.UtcNow));
        (await Should.ThrowAsync<Exception>(() => late.SaveChangesAsync())).ShouldBeAssignableTo<ConcurrencyException>();

        await ShouldFollowItsEventsAsync(id);
        await using (var after = Store.QuerySession())
        {
            var tracking = (await after.LoadAsync<CitizenTracking>(id))!;
            tracking.Steps.Select(s => s.StepId).ShouldBe(["seal"], "only the social-security approval was written");
            (await after.LoadAsync<ApplicationDetails>(id))!.OpenSteps.ShouldHaveSingleItem().Holder.ShouldBeNull();
            trackingBefore!.Steps.Select(s => s.StepId).ShouldBe(["seal", "social-security"], ignoreOrder: true);
        }

        // The seal approval sent through the shell reads both afresh: both approvals are in the documents, the handover opens.
        await Commands.HandleAsync(id, null, Approve("seal", SealSeven), Context());
        await ShouldFollowItsEventsAsync(id);
        await using var done = Store.QuerySession();
        (await done.LoadAsync<CitizenTracking>(id))!.Steps.Select(s => s.StepId).ShouldBe(["handover"]);
        (await done.LoadAsync<ApplicationDetails>(id))!.OpenSteps.Select(s => s.StepId).ShouldBe(["handover"]);
    }

    [Fact]
    public async Task commands_racing_on_the_parallel_steps_leave_the_documents_exactly_what_the_committed_events_fold_into()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 4; i++) ids.Add(await AtTheParallelStepsAsync());
        var conflicts = 0;
        var outcomes = new ConcurrentBag<string>();

        // Each command goes straight to the command shell (no group commit in between), and is sent again after a conflict.
        async Task Send(Guid id, ApplicationCommand command)
        {
            for (var attempt = 0; attempt < 20; attempt++)
            {
                try
                {
                    await Commands.HandleAsync(id, null, command, Context());
                    outcomes.Add("written");
                    return;
                }
                catch (ConcurrencyException)
                {
                    Interlocked.Increment(ref conflicts);
                }
                catch (Exception e) when (e is not ShouldAssertException)
                {
                    outcomes.Add(e.GetType().Name); // refused by the rules: e.g. the step is claimed by the other officer
                    return;
                }
            }
            throw new InvalidOperationException("still in conflict after 20 attempts");
        }

        // Claims, approvals and a release of both parallel steps of every application, all at once, some on the same step.
        await Task.WhenAll(ids.SelectMany(id => new[]
        {
            Send(id, new ClaimStep("seal", "mine", SealNine)),
            Send(id, Approve("seal", SealSeven)),
            Send(id, new ClaimStep("social-security", "mine", SocialFour)),
            Send(id, Approve("social-security", SocialTwo)),
            Send(id, new ReleaseStep("social-security", "not mine after all", SocialFour)),
            Send(id, new ClaimStep("seal", "mine", SealSeven)),
        }));
        foreach (var id in ids) await ShouldFollowItsEventsAsync(id);

        // Whatever the order was, the steps still open are decided by their holders, and the documents follow again.
        foreach (var id in ids)
        {
            await using var query = Store.QuerySession();
            var details = (await query.LoadAsync<ApplicationDetails>(id))!;
            foreach (var step in details.OpenSteps.Where(s => s.StepId is "seal" or "social-security"))
            {
                var by = (step.StepId, step.Holder?.UserId) switch
                {
                    ("seal", "seal-9") => SealNine,
                    ("seal", _) => SealSeven,
                    (_, "social-4") => SocialFour,
                    _ => SocialTwo,
                };
                await Commands.HandleAsync(id, null, Approve(step.StepId, by), Context());
            }
            await ShouldFollowItsEventsAsync(id);
            await using var after = Store.QuerySession();
            (await after.LoadAsync<CitizenTracking>(id))!.Steps.Select(s => s.StepId).ShouldBe(["handover"]);
        }
        outcomes.ShouldContain("written");
    }

    [Fact]
    public async Task the_case_document_tables_keep_the_columns_earlier_releases_built_so_an_upgraded_store_starts_unchanged()
    {
        // Marten's aggregation projections kept both documents under numeric revisions; a revision column of another type
        // would make the start-up try a migration PostgreSQL refuses (bigint cannot become uuid).
        await using var connection = await Services.GetRequiredService<Npgsql.NpgsqlDataSource>().OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "select table_name, data_type from information_schema.columns where table_schema = 'workflow' " +
            "and column_name = 'mt_version' and table_name in ('mt_doc_applicationdetails', 'mt_doc_citizentracking') " +
            "order by table_name", connection);
        var types = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) types.Add($"{reader.GetString(0)} {reader.GetString(1)}");
        types.ShouldBe(["mt_doc_applicationdetails bigint", "mt_doc_citizentracking bigint"]);
        await Store.Storage.Database.AssertDatabaseMatchesConfigurationAsync();
    }

    [Fact]
    public async Task an_approval_reads_its_stream_and_case_documents_in_one_round_trip_and_makes_three_in_all()
    {
        var id = await AtTheParallelStepsAsync();
        using var source = new ActivitySource("Workflow.Api.Tests.RoundTrips");
        var seen = new ConcurrentQueue<(ActivityTraceId Trace, string Sql)>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "Npgsql" or "Workflow.Api.Tests.RoundTrips",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.Source.Name == "Npgsql")
                    seen.Enqueue((a.TraceId, a.GetTagItem("db.query.text") as string ?? a.GetTagItem("db.statement") as string ?? a.DisplayName));
            },
        };
        ActivitySource.AddActivityListener(listener);

        ActivityTraceId trace;
        using (var command = source.StartActivity("approve").ShouldNotBeNull())
        {
            trace = command.TraceId;
            await Commands.HandleAsync(id, null, Approve("seal", SealSeven), Context());
        }

        // Only this command's round trips: those traced under its activity (other tests may run meanwhile).
        var trips = seen.Where(s => s.Trace == trace).Select(s => s.Sql).ToList();
        var described = string.Join("\n", trips.Select(t => t.Length > 160 ? t[..160] : t));
        trips.Count.ShouldBe(3, described);
        trips[0].ShouldContain("mt_streams", customMessage: described);
        trips[0].ShouldContain("mt_doc_applicationdetails", customMessage: described);
        trips[0].ShouldContain("mt_doc_citizentracking", customMessage: described);
        trips.Skip(1).ShouldAllBe(sql => !sql.StartsWith("select d.id, d.data"), described);
        await ShouldFollowItsEventsAsync(id);
    }
}
