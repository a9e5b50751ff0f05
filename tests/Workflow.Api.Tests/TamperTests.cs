using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Workflow.Store;
using Workflow.Store.Audit;

namespace Workflow.Api.Tests;

/// <summary>Stored events are altered with plain SQL, as someone with database access could; verification must name the event.</summary>
public class when_stored_events_are_tampered_with(ApiFixture api) : ApiTest(api)
{
    private const string Events = $"{WorkflowStore.Schema}.mt_events";

    private async Task<Created> Approved()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("land-title-transfer")));
        var details = await Api.Auditor.GetFromJsonAsync<Details>($"/api/applications/{created.Id}", ApiFixture.Json);
        while (details!.Status != "approved")
        {
            foreach (var step in details.OpenSteps)
                await Post(Api.For(step.Agency), $"/api/applications/{created.Id}/steps/{step.StepId}/decision",
                    new { outcome = "approve", reason = "in order" });
            details = await Api.Auditor.GetFromJsonAsync<Details>($"/api/applications/{created.Id}", ApiFixture.Json);
        }
        return created;
    }

    private async Task Sql(string sql, Guid stream)
    {
        await using var command = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        command.Parameters.AddWithValue("id", stream);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<JsonElement> Verification(Guid id) =>
        await Api.Auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{id}/verification");

    private static void ShouldBreakAt(JsonElement verification, long version, string kind)
    {
        verification.GetProperty("intact").GetBoolean().ShouldBeFalse();
        var first = verification.GetProperty("firstBreak");
        first.GetProperty("version").GetInt64().ShouldBe(version);
        first.GetProperty("kind").GetString().ShouldBe(kind);
    }

    [Fact]
    public async Task an_untouched_store_verifies_clean()
    {
        var created = await Approved();

        var one = await Verification(created.Id);
        one.GetProperty("intact").GetBoolean().ShouldBeTrue();
        one.GetProperty("events").GetInt32().ShouldBeGreaterThan(10);
        var all = await Api.Auditor.GetFromJsonAsync<JsonElement>("/api/oversight/verification");
        all.GetProperty("intact").GetBoolean().ShouldBeTrue();
        all.GetProperty("broken").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task changed_data_is_named_as_altered()
    {
        var created = await Approved();
        await Sql(
            $"update {Events} set data = jsonb_set(data, '{{reason}}', '\"forged approval\"') where stream_id = @id and version = 3",
            created.Id);

        ShouldBreakAt(await Verification(created.Id), 3, "altered");
        var all = await Api.Auditor.GetFromJsonAsync<JsonElement>("/api/oversight/verification");
        var broken = all.GetProperty("broken").EnumerateArray().Single();
        broken.GetProperty("trackingNumber").GetString().ShouldBe(created.TrackingNumber);
        broken.GetProperty("version").GetInt64().ShouldBe(3);
    }

    [Fact]
    public async Task changed_metadata_is_named_as_altered()
    {
        var created = await Approved();
        await Sql($"update {Events} set user_name = 'someone-else' where stream_id = @id and version = 5", created.Id);

        ShouldBreakAt(await Verification(created.Id), 5, "altered");
    }

    [Fact]
    public async Task a_deleted_event_is_named_as_removed()
    {
        var created = await Approved();
        await Sql($"delete from {Events} where stream_id = @id and version = 4", created.Id);

        ShouldBreakAt(await Verification(created.Id), 4, "removed");
    }

    [Fact]
    public async Task swapped_events_are_named_as_reordered()
    {
        var created = await Approved();
        await Sql($"""
            update {Events} set version = -3 where stream_id = @id and version = 3;
            update {Events} set version = 3 where stream_id = @id and version = 4;
            update {Events} set version = 4 where stream_id = @id and version = -3;
            """, created.Id);

        ShouldBreakAt(await Verification(created.Id), 3, "reordered");
    }

    [Fact]
    public async Task an_event_slipped_in_without_the_chain_is_named_as_inserted()
    {
        var created = await Approved();
        await Sql($"""
            set session_replication_role = replica;
            insert into {Events} (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name)
            select (select max(seq_id) + 1 from {Events}), gen_random_uuid(), stream_id, version + 1, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name
            from {Events} where stream_id = @id order by version desc limit 1;
            set session_replication_role = origin;
            """, created.Id);
        var last = (await Verification(created.Id)).GetProperty("events").GetInt32();

        ShouldBreakAt(await Verification(created.Id), last, "inserted");
    }

    [Fact]
    public async Task only_auditors_run_store_wide_oversight()
    {
        (await Api.Clerk.GetAsync("/api/oversight/verification")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Post(Api.For("mof-tax"), "/api/oversight/seals", new { })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}

public class when_the_store_is_verified_from_the_command_line(ApiFixture api) : ApiTest(api)
{
    private async Task<int> Verify(params string[] extra)
    {
        string[] args = ["--connection", Api.ConnectionString, "--chain-key", ChainKey.DevelopmentKey, .. extra];
        return await Cli.VerifyCommand.Create().Parse(args).InvokeAsync();
    }

    [Fact]
    public async Task it_exits_0_when_intact_and_1_when_an_event_was_altered()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("import-licence")));
        await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });

        (await Verify()).ShouldBe(0);
        (await Verify("--application", created.Id.ToString())).ShouldBe(0);

        await using (var command = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                         $"update {WorkflowStore.Schema}.mt_events set data = jsonb_set(data, '{{reason}}', '\"x\"') where stream_id = @id and version = 3"))
        {
            command.Parameters.AddWithValue("id", created.Id);
            await command.ExecuteNonQueryAsync();
        }
        (await Verify()).ShouldBe(1);
        (await Verify("--application", created.Id.ToString())).ShouldBe(1);
    }
}

public class when_an_auditor_opens_a_case_file(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task the_reading_is_recorded_with_who_and_when_and_changes_nothing_in_the_case()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("import-licence")));
        await Api.Clerk.GetAsync($"/api/applications/{created.Id}");
        var before = await Api.CountsAsync();

        await Api.Auditor.GetAsync($"/api/applications/{created.Id}");
        await Api.Auditor.GetAsync($"/api/applications/{created.Id}/history");

        var log = await Api.Auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{created.Id}/access-log");
        log.EnumerateArray().Select(e => e.GetProperty("what").GetString()).ShouldBe(["details", "history"]);
        log[0].GetProperty("by").GetProperty("userId").GetString().ShouldBe("auditor-1");
        var history = await Read<History>(await Api.Clerk.GetAsync($"/api/applications/{created.Id}/history"));
        history.Events.Count.ShouldBe(2, "reading leaves the case's own stream untouched");
        (await Api.For("moh-food-drug").GetAsync($"/api/applications/{created.Id}/access-log"))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.CountsAsync()).Documents.ShouldBe(before.Documents);
    }
}

public class when_the_server_runs_with_periodic_seals(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task it_seals_the_store_when_none_is_recent_and_not_before_the_interval()
    {
        await Post(Api.Clerk, "/api/applications", Samples.Submission("import-licence"));
        // Seals are stamped by the server's clock; this one stands a minute ahead of it and is moved by hand.
        var clock = new ManualClock(DateTimeOffset.UtcNow.AddMinutes(1));
        var settings = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Workflow:Audit:SealInterval"] = "01:00:00" }).Build();
        var service = new Oversight.SealService(Api.Factory.Services.GetRequiredService<Seals>(), settings, clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Oversight.SealService>.Instance);

        (await service.SealIfDueAsync()).ShouldNotBeNull("the store has no seal yet");
        clock.Now += TimeSpan.FromMinutes(58);
        (await service.SealIfDueAsync()).ShouldBeNull("the last seal is not an hour old");
        clock.Now += TimeSpan.FromMinutes(2);
        (await service.SealIfDueAsync()).ShouldNotBeNull();

        var seals = await Api.Auditor.GetFromJsonAsync<JsonElement>("/api/oversight/seals");
        seals.GetArrayLength().ShouldBe(2);
        seals.EnumerateArray().ShouldAllBe(s => s.GetProperty("holds").GetBoolean());
    }
}
