using JasperFx;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Core.Applications;
using CoreActor = Workflow.Core.Applications.Actor;

namespace Workflow.Api.Tests;

/// <summary>
/// The stream's version is the lock every command relies on, proved at the store itself: two writers read the same
/// version, both append, and only the first commit is written. The steps are interleaved by hand in one thread, so the
/// overlap is certain and nothing waits; the same two writers one after the other both succeed, so the refusal comes
/// from the overlap and not from the events.
/// </summary>
public class when_two_writers_append_to_one_stream_from_the_same_version(ApiFixture api) : ApiTest(api)
{
    private const string Moic = "moic-enterprise-registration";

    private IDocumentStore Store => Api.Factory.Services.GetRequiredService<IDocumentStore>();

    private static StepClaimed ClaimBy(string user) =>
        new("register", Moic, "mine", new CoreActor(user, $"Officer {user}", Moic, Roles.Officer), DateTimeOffset.UtcNow);

    private async Task<Guid> Registered()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        (await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
            .EnsureSuccessStatusCode();
        return created.Id;
    }

    private async Task<IReadOnlyList<JasperFx.Events.IEvent>> Stream(Guid id)
    {
        await using var session = Store.QuerySession();
        return await session.Events.FetchStreamAsync(id);
    }

    [Fact]
    public async Task the_second_commit_is_refused_and_nothing_of_it_is_written()
    {
        var id = await Registered();
        var before = await Stream(id);
        await using var first = Store.LightweightSession();
        await using var second = Store.LightweightSession();
        var seven = await first.Events.FetchForWriting<Application>(id);
        var nine = await second.Events.FetchForWriting<Application>(id);
        seven.StartingVersion.ShouldBe(nine.StartingVersion);

        seven.AppendOne(ClaimBy("officer-7"));
        nine.AppendOne(ClaimBy("officer-9"));
        await first.SaveChangesAsync();
        var refused = await Should.ThrowAsync<Exception>(() => second.SaveChangesAsync());

        refused.ShouldBeAssignableTo<ConcurrencyException>();
        var after = await Stream(id);
        after.Count.ShouldBe(before.Count + 1);
        after[^1].Data.ShouldBeOfType<StepClaimed>().By.UserId.ShouldBe("officer-7");
        await using var query = Store.QuerySession();
        (await query.Query<Workflow.Store.Applications.InboxItem>()
                .Where(i => i.ApplicationId == id && i.StepId == "register").SingleAsync())
            .HolderId.ShouldBe("officer-7", "the refused session's projections were not written either");
    }

    [Fact]
    public async Task the_same_two_writers_one_after_the_other_are_both_written()
    {
        var id = await Registered();
        var before = await Stream(id);

        await using (var first = Store.LightweightSession())
        {
            (await first.Events.FetchForWriting<Application>(id)).AppendOne(ClaimBy("officer-7"));
            await first.SaveChangesAsync();
        }
        await using (var second = Store.LightweightSession())
        {
            (await second.Events.FetchForWriting<Application>(id)).AppendOne(ClaimBy("officer-9"));
            await second.SaveChangesAsync();
        }

        (await Stream(id)).Count.ShouldBe(before.Count + 2);
    }
}
