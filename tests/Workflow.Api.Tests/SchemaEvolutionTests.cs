using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Workflow.Core.Applications;
using Workflow.Store;
using Workflow.Store.Applications;

namespace Workflow.Api.Tests;

public class when_a_history_holds_an_event_of_an_older_shape(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task it_is_read_as_the_current_shape_and_the_case_replays()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("import-licence")));
        var store = Api.Factory.Services.GetRequiredService<IDocumentStore>();
        var clerk = new Core.Applications.Actor("clerk-old", "Clerk of an older release", "odsc", "clerk");
        var due = new DateTimeOffset(2026, 12, 9, 16, 0, 0, TimeSpan.FromHours(7));
        await using (var session = store.LightweightSession())
        {
            session.Events.Append(created.Id, new ApplicationDeclaredCompleteV1(DateTimeOffset.UtcNow, due, 10, "lao-weekdays", clerk));
            await session.SaveChangesAsync();
        }
        // What an older release wrote for the completeness check: the first shape, under the first name.
        await using (var command = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                         $"""
                          update {WorkflowStore.Schema}.mt_events set type = '{ApplicationDeclaredCompleteV1.StoredAs}', mt_dotnet_type = null
                          where stream_id = @id and version = 3;
                          select type, data->>'calendarId' from {WorkflowStore.Schema}.mt_events where stream_id = @id and version = 3
                          """))
        {
            command.Parameters.AddWithValue("id", created.Id);
            await using var reader = await command.ExecuteReaderAsync();
            (await reader.ReadAsync()).ShouldBeTrue();
            reader.GetString(0).ShouldBe("application_declared_complete");
            reader.GetString(1).ShouldBe("lao-weekdays");
        }

        await using var query = store.QuerySession();
        var read = (await query.Events.FetchStreamAsync(created.Id))[2].Data.ShouldBeOfType<ApplicationDeclaredComplete>();
        read.CalendarVersion.ShouldBe("lao-weekdays");
        read.DueAt.ShouldBe(due);
        var replayed = await ThroughMarten.ReplayAsync(query, created.Id);
        replayed!.Status.ShouldBe(ApplicationStatus.InProgress);
        replayed.Clock.DueAt.ShouldBe(due);
        replayed.Clock.CalendarVersion.ShouldBe("lao-weekdays");
    }
}
