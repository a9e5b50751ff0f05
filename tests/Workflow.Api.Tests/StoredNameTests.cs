using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Workflow.Core.Applications;
using Workflow.Store;

namespace Workflow.Api.Tests;

// The code names the next steps and the next timer apart; the stored JSON keeps the name "next" that older events carry.
public class when_an_event_stored_with_next_is_read(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task the_next_timer_is_written_and_read_as_next()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("import-licence")));
        var timer = new DeadlineTimer("escalation", 2, new DateTimeOffset(2026, 12, 9, 16, 0, 0, TimeSpan.FromHours(7)));
        var database = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>();
        await using (var command = database.CreateCommand(
                         $"""
                          select data from {WorkflowStore.Schema}.mt_events where stream_id = @id and type = 'step_opened'
                          order by version limit 1
                          """))
        {
            command.Parameters.AddWithValue("id", created.Id);
            using var stored = JsonDocument.Parse((string)(await command.ExecuteScalarAsync())!);
            stored.RootElement.TryGetProperty("next", out _).ShouldBeTrue();
            stored.RootElement.TryGetProperty("nextTimer", out _).ShouldBeFalse();
        }
        // What an older release wrote: the timer under "next".
        await using (var command = database.CreateCommand(
                         $$"""
                          update {{WorkflowStore.Schema}}.mt_events
                          set data = jsonb_set(data, '{next}', '{"kind": "escalation", "level": 2, "at": "2026-12-09T16:00:00+07:00"}')
                          where stream_id = @id and type = 'step_opened'
                          """))
        {
            command.Parameters.AddWithValue("id", created.Id);
            (await command.ExecuteNonQueryAsync()).ShouldBeGreaterThan(0);
        }

        await using var query = Api.Factory.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var opened = (await query.Events.FetchStreamAsync(created.Id)).Select(e => e.Data).OfType<StepOpened>().First();
        opened.NextTimer.ShouldBe(timer);
    }

    [Fact]
    public void the_next_steps_are_written_and_read_as_next()
    {
        var serializer = Api.Factory.Services.GetRequiredService<IDocumentStore>().Options.Serializer();
        const string older = """
            {"stepId": "register", "agency": "moic", "reason": "complete", "comment": null, "next": ["seal", "social-security"],
             "by": {"userId": "officer-1", "name": "Officer", "agency": "moic", "role": "officer"}, "at": "2026-12-09T10:00:00+07:00"}
            """;
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(older));
        var approved = serializer.FromJson<StepApproved>(stream);
        approved.NextSteps.ShouldBe(["seal", "social-security"]);

        using var written = JsonDocument.Parse(serializer.ToJson(approved));
        written.RootElement.GetProperty("next").EnumerateArray().Select(s => s.GetString()).ShouldBe(["seal", "social-security"]);
        written.RootElement.TryGetProperty("nextSteps", out _).ShouldBeFalse();
    }
}
