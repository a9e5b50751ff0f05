using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Workflow.Core.Applications;
using Workflow.Store;
using Workflow.Store.Applications;
using Workflow.Store.Audit;

namespace Workflow.Api.Tests;

public class when_a_finished_case_is_replayed(ApiFixture api) : ApiTest(api)
{
    /// <summary>The state as returned, without the counts of remaining working days, which are relative to the moment asked.</summary>
    private static string Comparable(JsonElement application)
    {
        var node = JsonNode.Parse(application.GetRawText())!.AsObject();
        node["clock"]!.AsObject().Remove("remainingWorkingDays");
        foreach (var step in node["openSteps"]!.AsArray()) step!.AsObject().Remove("remainingWorkingDays");
        return node.ToJsonString();
    }

    [Fact]
    public async Task each_version_gives_the_state_the_api_returned_at_that_moment()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        var seen = new Dictionary<long, string>();
        async Task<JsonElement> Capture()
        {
            var response = await Api.Auditor.GetAsync($"/api/applications/{created.Id}");
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            seen[long.Parse(response.Headers.ETag!.Tag.Trim('"'))] = Comparable(body);
            return body;
        }

        var state = await Capture();
        await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });
        await Capture();
        await Post(Api.For("moic-enterprise-registration"), $"/api/applications/{created.Id}/steps/register/decision",
            new { outcome = "return", reason = "name not in Lao script" });
        await Capture();
        await Post(Api.Clerk, $"/api/applications/{created.Id}/resubmission", new { comment = "Lao name added" });
        state = await Capture();
        while (state.GetProperty("status").GetString() != "approved")
        {
            foreach (var step in state.GetProperty("openSteps").EnumerateArray())
                await Post(Api.For(step.GetProperty("agency").GetString()!),
                    $"/api/applications/{created.Id}/steps/{step.GetProperty("stepId").GetString()}/decision",
                    new { outcome = "approve", reason = "in order" });
            state = await Capture();
        }
        seen.Count.ShouldBeGreaterThan(5);

        foreach (var (version, expected) in seen)
        {
            var replayed = await Api.Auditor.GetAsync($"/api/applications/{created.Id}?atVersion={version}");
            replayed.StatusCode.ShouldBe(HttpStatusCode.OK);
            replayed.Headers.ETag!.Tag.ShouldBe($"\"{version}\"");
            Comparable(await replayed.Content.ReadFromJsonAsync<JsonElement>()).ShouldBe(expected, $"version {version}");
        }
    }

    [Fact]
    public async Task as_of_a_moment_gives_the_state_then()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("import-licence")));
        DateTimeOffset before;
        // The instant the submission was stored (the database's time, which asOf reads): the decision comes after it.
        await using (var session = Api.Factory.Services.GetRequiredService<IDocumentStore>().QuerySession())
            before = (await session.Events.FetchStreamAsync(created.Id)).Max(e => e.Timestamp);
        await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });

        var then = await Api.Auditor.GetFromJsonAsync<JsonElement>(
            $"/api/applications/{created.Id}?asOf={Uri.EscapeDataString(before.ToString("O"))}");
        var now = await Api.Auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{created.Id}");

        then.GetProperty("status").GetString().ShouldBe("submitted");
        then.GetProperty("openSteps")[0].GetProperty("stepId").GetString().ShouldBe("intake");
        now.GetProperty("status").GetString().ShouldBe("in-progress");
        (await Api.Auditor.GetAsync($"/api/applications/{created.Id}?asOf=2001-01-01T00:00:00Z"))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Api.Auditor.GetAsync($"/api/applications/{created.Id}?atVersion=0")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}

/// <summary>
/// Marten's own reading of a stream (its filter by version and instant, its upcasting, its wrapping of every event) folded
/// through the projection's function, answering as <c>AggregateStreamAsync</c> did: nothing without events or short of the
/// version asked. The reference the as-of replay, which reads the columns the fold needs itself, is compared with.
/// </summary>
internal static class ThroughMarten
{
    public static async Task<ApplicationDetails?> ReplayAsync(IQuerySession session, Guid id, long version = 0, DateTimeOffset? at = null)
    {
        var events = await session.Events.FetchStreamAsync(id, version, at);
        if (events.Count == 0 || (version != 0 && events[^1].Version < version)) return null;
        var folded = events.Aggregate((ApplicationDetails?)null, (details, e) => ApplicationDetailsProjection.Fold(details, e.Data));
        return folded is null ? null : folded with { Id = id };
    }
}

/// <summary>
/// The as-of replay reads the columns the fold needs itself; Marten's reading of the stream, folded the same way, is the
/// reference: both must give the same details, field for field, at every version and at every instant.
/// </summary>
public class when_a_varied_case_is_replayed_at_each_version_and_instant(ApiFixture api) : ApiTest(api)
{
    private static readonly Core.Applications.Actor Supervisor =
        new("seal-chief", "Chief of the seal office", "mops-seal-office", "supervisor");
    private static readonly Core.Applications.Actor Designer = new("designer-1", "Designer", null, "designer");
    private static readonly Officer Seven = new("seal-7", "Officer Seven");
    private static readonly Officer Nine = new("seal-9", "Officer Nine");

    [Fact]
    public async Task the_replay_gives_exactly_what_the_stream_aggregation_gives()
    {
        var id = await VariedCaseAsync();
        var store = Api.Factory.Services.GetRequiredService<IDocumentStore>();
        var replay = Api.Factory.Services.GetRequiredService<ApplicationReplay>();
        var serializer = store.Options.Serializer();
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(id);

        async Task Same(long version, DateTimeOffset? at, string what)
        {
            var expected = await ThroughMarten.ReplayAsync(session, id, version, at);
            var replayed = await replay.AsOfAsync(id, version, at);
            (replayed is null).ShouldBe(expected is null, what);
            if (expected is null) return;
            serializer.ToJson(replayed!.Details).ShouldBe(serializer.ToJson(expected), what);
            replayed.LastEventAt.ShouldBe(events.Last(e => e.Version <= replayed.Details.Version).Timestamp, what);
        }

        for (var version = 1; version <= events.Count + 1; version++) await Same(version, null, $"version {version}");
        await Same(0, null, "every event");
        var instants = events.Select(e => e.Timestamp).Distinct().Order().ToList();
        instants.Count.ShouldBeGreaterThan(10, "the events were stored at many moments");
        await Same(0, instants[0].AddTicks(-10), "before the submission");
        foreach (var (at, next) in instants.Zip(instants.Skip(1).Append(instants[^1].AddMinutes(1))))
        {
            await Same(0, at, $"at {at:O}");
            await Same(0, at + (next - at) / 2, $"between {at:O} and {next:O}");
        }
        await Same(5, instants[^1], "version and instant together");

        // The case went through what the fold has to follow, so the comparison covered it.
        var final = (await replay.AsOfAsync(id))!.Details;
        final.Status.ShouldBe(ApplicationStatus.Approved);
        final.Returns.ShouldBe(1);
        final.WorkflowVersion.ShouldBe(2);
        final.Breaches.Count.ShouldBe(1);
        final.Escalations.ShouldHaveSingleItem().AcknowledgedBy.ShouldBe(Supervisor);
        final.Delegations.Count.ShouldBe(2);
        final.Recusals.ShouldHaveSingleItem();
        final.Clock.CalendarVersion.ShouldBe("lao-weekdays-v1");
        final.CompletedSteps.Select(s => s.StepId).ShouldContain("seal-and-stamp");
        final.Version.ShouldBe(events.Count);
    }

    [Fact]
    public async Task an_event_the_replay_does_not_read_itself_is_read_through_marten()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("import-licence")));
        var store = Api.Factory.Services.GetRequiredService<IDocumentStore>();
        await using (var write = store.LightweightSession())
        {
            // Stored in the case's own stream by mistake: the case's history counts it, though nothing of the details changes.
            write.Events.Append(created.Id, new CaseFileOpened(created.Id, "details", Supervisor, DateTimeOffset.UtcNow));
            await write.SaveChangesAsync();
        }
        await using var session = store.QuerySession();
        var expected = await ThroughMarten.ReplayAsync(session, created.Id);
        var replayed = await Api.Factory.Services.GetRequiredService<ApplicationReplay>().AsOfAsync(created.Id);
        replayed!.Details.Version.ShouldBe(created.Version + 1);
        // The stored details counted it too: the projection folds every event of the stream, as the replay does.
        (await session.LoadAsync<ApplicationDetails>(created.Id))!.Version.ShouldBe(created.Version + 1);
        (await Api.Factory.Services.GetRequiredService<ProjectionCheck>().RunAsync([], created.Id)).ShouldBeEmpty();
        store.Options.Serializer().ToJson(replayed.Details).ShouldBe(store.Options.Serializer().ToJson(expected!));
    }

    /// <summary>
    /// An enterprise registration through the API up to its parallel steps (a return and a correction on the way), then,
    /// appended one transaction at a time, the desk, the sweeper, a migration, an event of an older shape and the end.
    /// </summary>
    private async Task<Guid> VariedCaseAsync()
    {
        var id = (await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")))).Id;
        await Post(Api.Clerk, $"/api/applications/{id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });
        var moic = Api.For("moic-enterprise-registration");
        await Post(moic, $"/api/applications/{id}/steps/register/decision", new { outcome = "return", reason = "name not in Lao script" });
        await Post(Api.Clerk, $"/api/applications/{id}/resubmission", new { comment = "Lao name added" });
        (await Post(moic, $"/api/applications/{id}/steps/register/decision", new { outcome = "approve", reason = "in order" }))
            .EnsureSuccessStatusCode();

        var store = Api.Factory.Services.GetRequiredService<IDocumentStore>();
        var t = DateTimeOffset.UtcNow;
        var due = t.AddDays(5);
        var seal = "mops-seal-office";
        var social = "molsw-social-security";
        var officer = new Core.Applications.Actor(Seven.UserId, Seven.Name, seal, "officer");
        var socialOfficer = officer with { Agency = social };
        object[][] transactions =
        [
            [new StepClaimed("seal", seal, "mine", officer, t)],
            [new StepReassigned("seal", seal, Seven, Nine, "Seven is away", Supervisor, t.AddMinutes(1))],
            [
                new DeadlineBreached("seal", seal, due, [seal], t.AddDays(6), null),
                new StepEscalated("seal", seal, 1, 1, ["seal-chief"], t.AddDays(6), null),
            ],
            [new EscalationAcknowledged("seal", 1, "on it", Supervisor, t.AddDays(6))],
            [
                new DeadlineRecalculated("seal", due, due.AddDays(1), "lao-2026", "a holiday was added", t.AddDays(6), null),
                new DeadlineRecalculated(DeadlineScopes.Case, due, due.AddDays(2), "lao-2026", "a holiday was added", t.AddDays(6), null),
            ],
            [new CaseDeadlineMissed(due.AddDays(2), due.AddDays(9), ["applicant"], t.AddDays(8))],
            [new DelegationGranted(Nine, Seven, ["seal"], t.AddDays(8), t.AddDays(15), "leave", Supervisor, t.AddDays(8))],
            [new DelegationGranted(Nine, Seven, ["seal"], t.AddDays(8), t.AddDays(20), "longer leave", Supervisor, t.AddDays(8))],
            [new DelegationRevoked(Nine, Seven, "back early", Supervisor, t.AddDays(9))],
            [new StepApprovedPendingConfirmation("social-security", social, "registered", null, socialOfficer, t.AddDays(9))],
            [
                new OfficerRecused(Seven, social, "a relative", officer, t.AddDays(9)),
                new StepApprovalWithdrawn("social-security", social, socialOfficer, "recused", officer, t.AddDays(9)),
            ],
            [
                new ApplicationMigrated(1, "hash-1", 2, "hash-2", new Dictionary<string, string> { ["seal"] = "seal-and-stamp" },
                    [new MovedStep("seal", "seal-and-stamp", seal, "Seal and stamp", due.AddDays(1), null, false)], "version 2", Designer,
                    t.AddDays(10)),
            ],
            [new StepReleased("seal-and-stamp", seal, Nine, "handing over", Supervisor, t.AddDays(10))],
            [new ApplicationDeclaredCompleteV1(t.AddDays(10), due.AddDays(3), 17, "lao-weekdays-v1", Supervisor)],
            [new StepApproved("social-security", social, "registered", "late", ["handover"], socialOfficer, t.AddDays(11))],
            [new StepApproved("seal-and-stamp", seal, "sealed", null, ["handover"], Supervisor, t.AddDays(11))],
            [
                new StepOpened("handover", "Handover", "odsc", null, t.AddDays(11), t.AddDays(12), 1, "lao-2026", false, null),
                new ApplicationApproved(t.AddDays(12)),
            ],
        ];
        foreach (var events in transactions)
        {
            await using var session = store.LightweightSession();
            session.Events.Append(id, events);
            await session.SaveChangesAsync();
        }
        // What an older release wrote for a completeness check: the first shape under the first name, read through the upcaster.
        await using var command = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            $"update {WorkflowStore.Schema}.mt_events set type = '{ApplicationDeclaredCompleteV1.StoredAs}', mt_dotnet_type = null " +
            "where stream_id = @id and data->>'calendarId' = 'lao-weekdays-v1'");
        command.Parameters.AddWithValue("id", id);
        (await command.ExecuteNonQueryAsync()).ShouldBe(1);
        return id;
    }
}
