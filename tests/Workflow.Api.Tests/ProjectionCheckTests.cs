using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Workflow.Store;
using Workflow.Store.Applications;
using Workflow.Store.Audit;
using Workflow.Store.Definitions;

namespace Workflow.Api.Tests;

/// <summary>
/// The whole-store projection check reads the store a chunk of applications at a time, so that a national store is never
/// held in memory at once: what it names must not depend on where the chunks fall, and a store in use must not be named
/// for commands that commit while it reads.
/// </summary>
public class when_the_whole_store_is_checked_a_chunk_at_a_time(ApiFixture api) : ApiTest(api)
{
    private ProjectionCheck Check(int chunk)
    {
        var services = Api.Factory.Services;
        return new ProjectionCheck(services.GetRequiredService<IDocumentStore>(), services.GetRequiredService<NpgsqlDataSource>(),
            services.GetRequiredService<ApplicationReplay>(), services.GetRequiredService<PinnedDefinitions>(), TimeProvider.System)
        {
            Chunk = chunk,
        };
    }

    private async Task Sql(string sql, Guid id)
    {
        await using var command = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<Guid> Registering()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        (await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
            .EnsureSuccessStatusCode();
        return created.Id;
    }

    [Fact]
    public async Task each_changed_case_is_named_once_wherever_the_chunks_fall_and_no_other()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 7; i++) ids.Add(await Registering());
        foreach (var chunk in new[] { 1, 2, 3, 500 })
            (await Check(chunk).RunAsync([])).ShouldBeEmpty($"an untouched store, {chunk} at a time");

        var ordered = ids.OrderBy(id => id.ToString()).ToList();
        var (statusChanged, inboxEmptied, lastOne) = (ordered[1], ordered[4], ordered[^1]);
        var orphan = Guid.Parse("ffffffff-ffff-4fff-bfff-ffffffffffff");
        var s = WorkflowStore.Schema;
        await Sql($"update {s}.mt_doc_applicationdetails set data = jsonb_set(data, '{{status}}', '\"rejected\"') where id = @id",
            statusChanged);
        await Sql($"delete from {s}.mt_doc_inboxitem where (data ->> 'applicationId')::uuid = @id", inboxEmptied);
        await Sql($"update {s}.{OpenDeadlines.Table} set fire_at = fire_at + interval '30 days' where application_id = @id", lastOne);
        // A deadline row of no application at all, after every id: found only if the last chunk is read to its end.
        await Sql($"insert into {s}.{OpenDeadlines.Table} (application_id, scope, kind, level, agency, due_at, fire_at) " +
                  "values (@id, 'register', 'warning', 0, 'nowhere', now(), now() + interval '1 day')", orphan);
        // A case whose events are broken is left to the chain's verification, which names it.
        var broken = ordered[2];
        await Sql($"update {s}.mt_doc_citizentracking set data = jsonb_set(data, '{{status}}', '\"approved\"') where id = @id", broken);

        (string Document, Guid Id)[] expected =
        [
            ("ApplicationDetails", statusChanged), ("InboxItem", inboxEmptied), (OpenDeadlines.Table, lastOne),
            (OpenDeadlines.Table, orphan),
        ];
        foreach (var chunk in new[] { 1, 2, 3, 500 })
        {
            var named = await Check(chunk).RunAsync([broken]);
            named.Select(d => (d.Document, d.ApplicationId)).ShouldBe(expected, ignoreOrder: true, $"{chunk} at a time");
            named.Single(d => d.ApplicationId == orphan).Detail.ShouldBe("open deadlines of an application without any events");
        }
        (await Check(2).RunAsync([])).Select(d => d.ApplicationId).ShouldContain(broken, "not excluded, it is named too");
        (await Check(2).RunAsync([], broken)).ShouldHaveSingleItem().Document.ShouldBe("CitizenTracking");
        (await Check(2).RunAsync([], ordered[0])).ShouldBeEmpty();
    }

    [Fact]
    public async Task a_store_in_use_is_not_named_for_commands_that_commit_while_it_reads()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 6; i++) ids.Add(await Registering());
        using var stop = new CancellationTokenSource();
        var officer = Api.For("moic-enterprise-registration");
        // Officers claim and release the steps as fast as they can: each command changes the inbox item and the case's
        // documents together, with events, in one transaction.
        var busy = ids.Select(async id =>
        {
            var commands = 0;
            while (!stop.IsCancellationRequested)
            {
                (await Post(officer, $"/api/applications/{id}/steps/register/claim", new { })).EnsureSuccessStatusCode();
                (await Post(officer, $"/api/applications/{id}/steps/register/release", new { reason = "back to the pool" })).EnsureSuccessStatusCode();
                commands += 2;
            }
            return commands;
        }).ToList();
        try
        {
            for (var round = 0; round < 15; round++)
                (await Check(1 + round % 3).RunAsync([])).ShouldBeEmpty($"round {round}");
        }
        finally
        {
            await stop.CancelAsync();
        }
        (await Task.WhenAll(busy)).Sum().ShouldBeGreaterThan(30, "the checks ran while commands committed");
        (await Check(500).RunAsync([])).ShouldBeEmpty();
    }
}
