using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JasperFx;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Workflow.Core.Applications;
using Workflow.Store;
using Workflow.Store.Applications;
using CoreActor = Workflow.Core.Applications.Actor;

namespace Workflow.Api.Tests;

/// <summary>
/// Group commit: commands that arrive while the runner is busy are written in one transaction, and every caller still gets
/// the answer its command would have had alone. The calls are made in one go, without awaiting, on a batcher with one
/// runner: the first goes alone and the rest wait behind it, so the grouping is certain. Sent one after the other, the
/// same approvals would each have a transaction of their own, which the last assertion refuses.
/// </summary>
public class when_commands_arrive_while_the_batcher_is_busy(ApiFixture api) : ApiTest(api)
{
    private static readonly CoreActor Clerk = new("clerk-vte", "Test clerk of odsc", "odsc", Roles.Clerk, "VTE");

    private static DecideStep Approve(string step = "intake") => new(step, StepOutcome.Approve, "complete", null, Clerk);

    private static CommandContext Context(int n) => new($"batch-test-{n}", Channel: "counter");

    private async Task<Guid> Submitted() =>
        (await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")))).Id;

    private async Task<IReadOnlyList<JasperFx.Events.IEvent>> Stream(Guid id)
    {
        await using var session = Api.Factory.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Events.FetchStreamAsync(id);
    }

    /// <summary>The transactions that wrote the events of these streams after their submission (PostgreSQL's xmin).</summary>
    private async Task<long> TransactionsOf(IEnumerable<Guid> ids)
    {
        await using var connection = new NpgsqlConnection(Api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select count(distinct xmin::text) from {WorkflowStore.Schema}.mt_events where stream_id = any(@ids) and version > 2",
            connection);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task each_caller_gets_its_own_answer_and_the_waiting_approvals_share_one_commit()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 6; i++) ids.Add(await Submitted());
        var (first, together, stale) = (ids[0], ids[1..5], ids[5]);
        var missing = Guid.CreateVersion7();
        var batcher = new CommandBatcher(Api.Factory.Services.GetRequiredService<ApplicationCommands>(),
            NullLogger<CommandBatcher>.Instance, new CommandBatcher.Settings(Runners: 1));

        var alone = batcher.HandleAsync(first, null, Approve(), Context(0));
        var approvals = together.Select((id, i) => batcher.HandleAsync(id, null, Approve(), Context(i + 1))).ToList();
        var again = batcher.HandleAsync(together[0], null, Approve(), Context(10));
        var staleApproval = batcher.HandleAsync(stale, 0, Approve(), Context(11));
        var nowhere = batcher.HandleAsync(missing, null, Approve(), Context(12));
        var notTheClerks = batcher.HandleAsync(together[1], null, Approve("register"), Context(13));

        var single = await alone;
        var results = await Task.WhenAll(approvals);
        (await Should.ThrowAsync<RuleViolation>(again)).ShouldNotBeNull();
        (await Should.ThrowAsync<ConcurrencyException>(staleApproval)).ShouldNotBeNull();
        (await Should.ThrowAsync<ApplicationNotFound>(nowhere)).ShouldNotBeNull();
        (await Should.ThrowAsync<AccessDenied>(notTheClerks)).ShouldNotBeNull();

        foreach (var (id, result) in together.Zip(results))
        {
            var stream = await Stream(id);
            result.Id.ShouldBe(id);
            result.Version.ShouldBe(stream.Count);
            result.Events.Select(e => e.GetType()).ShouldBe(single.Events.Select(e => e.GetType()));
            stream.Skip(2).Select(e => e.Data.GetType()).ShouldBe(single.Events.Select(e => e.GetType()),
                "exactly the events the single path records, once");
            stream.Skip(2).Select(e => e.CorrelationId).Distinct().ShouldBe([$"batch-test-{together.IndexOf(id) + 1}"],
                "each command's events carry its own correlation id");
            stream.Skip(2).ShouldAllBe(e => e.UserName == "clerk-vte");
        }
        (await Stream(first)).Count.ShouldBe((int)single.Version);
        (await Stream(stale)).Count.ShouldBe(2, "the stale approval wrote nothing");
        (await TransactionsOf(together)).ShouldBe(1, "the four waiting approvals were committed together");
        (await TransactionsOf([first, .. together])).ShouldBe(2);
    }

    private static NewApplication Application(string workflowId = "enterprise-registration", Guid? id = null)
    {
        var body = JsonSerializer.SerializeToElement(Samples.Submission("enterprise-registration"), ApiFixture.Json);
        return new NewApplication(id ?? Guid.CreateVersion7(), workflowId, "VTE", "counter", new Applicant("Test applicant"),
            body.GetProperty("data").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()),
            [.. body.GetProperty("documents").EnumerateArray().Select(d => d.GetString()!)]);
    }

    [Fact]
    public async Task waiting_submissions_share_one_commit_and_one_draw_of_numbers_each_with_its_own_answer()
    {
        var batcher = new CommandBatcher(Api.Factory.Services.GetRequiredService<ApplicationCommands>(),
            NullLogger<CommandBatcher>.Instance, new CommandBatcher.Settings(Runners: 1));
        var repeatable = Application(id: Guid.CreateVersion7()) with { MayRepeat = true };

        var alone = batcher.SubmitAsync(Application(), Clerk, Context(0));
        var waiting = Enumerable.Range(1, 4).Select(i => batcher.SubmitAsync(Application(), Clerk, Context(i))).ToList();
        var unknown = batcher.SubmitAsync(Application("no-such-procedure"), Clerk, Context(5));
        var repeated = new[] { batcher.SubmitAsync(repeatable, Clerk, Context(6)), batcher.SubmitAsync(repeatable, Clerk, Context(7)) };

        var single = await alone;
        var together = await Task.WhenAll(waiting);
        (await Should.ThrowAsync<UnknownWorkflow>(unknown)).ShouldNotBeNull();
        (await Task.WhenAll(repeated)).Select(r => (r.Id, r.TrackingNumber)).Distinct().ShouldHaveSingleItem();

        together.Select(r => r.TrackingNumber).Append(single.TrackingNumber).Distinct().Count().ShouldBe(5, "every number once");
        together.ShouldAllBe(r => !string.IsNullOrEmpty(r.AccessCode));
        foreach (var (result, i) in together.Select((r, i) => (r, i)))
        {
            var stream = await Stream(result.Id);
            stream.Select(e => e.Data.GetType()).ShouldBe(single.Events.Select(e => e.GetType()), "exactly the single path's events");
            result.Version.ShouldBe(stream.Count);
            stream.Select(e => e.CorrelationId).Distinct().ShouldBe([$"batch-test-{i + 1}"]);
            stream.ShouldAllBe(e => e.UserName == "clerk-vte");
            stream[0].Data.ShouldBeOfType<ApplicationSubmitted>().TrackingNumber.ShouldBe(result.TrackingNumber);
        }
        (await WritersOf(together.Select(r => r.Id))).ShouldBe(1, "the four waiting submissions were committed together");
        (await WritersOf([single.Id, .. together.Select(r => r.Id)])).ShouldBe(2);
    }

    /// <summary>The transactions that wrote every event of these streams.</summary>
    private async Task<long> WritersOf(IEnumerable<Guid> ids)
    {
        await using var connection = new NpgsqlConnection(Api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select count(distinct xmin::text) from {WorkflowStore.Schema}.mt_events where stream_id = any(@ids)", connection);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>
/// Many clerks' and officers' commands at once over HTTP, some of them conflicting: each request gets its own right answer,
/// and each stream holds exactly the events of the commands that succeeded, none lost and none twice.
/// </summary>
public class when_many_commands_race_over_http(ApiFixture api) : ApiTest(api)
{
    private async Task<IReadOnlyList<JasperFx.Events.IEvent>> Stream(Guid id)
    {
        await using var session = Api.Factory.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Events.FetchStreamAsync(id);
    }

    [Fact]
    public async Task every_application_is_approved_once_and_every_duplicate_is_refused()
    {
        var clerk = Api.Clerk;
        var submissions = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            Post(clerk, "/api/applications", Samples.Submission("enterprise-registration"))));
        submissions.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created);
        var ids = (await Task.WhenAll(submissions.Select(Read<Created>))).Select(c => c.Id).ToList();

        // Each application approved twice at once, plus once more with the version it had before either approval.
        var requests = ids.SelectMany(id => new[]
        {
            (id, Kind: "first", Task: Post(clerk, $"/api/applications/{id}/steps/intake/decision", new { outcome = "approve", reason = "complete" })),
            (id, Kind: "second", Task: Post(clerk, $"/api/applications/{id}/steps/intake/decision", new { outcome = "approve", reason = "complete" })),
            (id, Kind: "guarded", Task: Guarded(clerk, id, 2)),
        }).ToList();
        var responses = await Task.WhenAll(requests.Select(r => r.Task));
        var answered = requests.Zip(responses, (r, response) => (r.id, r.Kind, Response: response)).ToList();

        foreach (var group in answered.GroupBy(r => r.id))
        {
            var statuses = group.Select(r => r.Response.StatusCode).ToList();
            statuses.Count(s => s == HttpStatusCode.OK).ShouldBe(1, $"one approval of {group.Key} succeeds");
            statuses.Count(s => s is HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed).ShouldBe(2);
            // Only a guarded request can be told its version is stale; an unguarded one finds the step decided.
            group.Where(r => r.Kind != "guarded").ShouldAllBe(r => r.Response.StatusCode != HttpStatusCode.PreconditionFailed);
            var stream = await Stream(group.Key);
            stream.Count(e => e.Data is StepApproved).ShouldBe(1);
            stream.Count.ShouldBe(5);
            var answer = await Read<Created>(group.Single(r => r.Response.StatusCode == HttpStatusCode.OK).Response);
            answer.Version.ShouldBe(stream.Count);
        }
    }

    private static Task<HttpResponseMessage> Guarded(HttpClient client, Guid id, long version)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/applications/{id}/steps/intake/decision")
        {
            Content = JsonContent.Create(new { outcome = "approve", reason = "complete" }, options: ApiFixture.Json),
        };
        request.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue($"\"{version}\""));
        return client.SendAsync(request);
    }
}
