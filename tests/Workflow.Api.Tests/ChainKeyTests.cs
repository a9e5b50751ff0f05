using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Marten.Services;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Workflow.Store;
using Workflow.Store.Audit;
using Workflow.Store.Definitions;

namespace Workflow.Api.Tests;

/// <summary>
/// What someone with full database rights but without the chain key tries, with plain SQL: each attempt must be named by
/// verification, with the right kind, and a seal must name every stream it no longer matches.
/// </summary>
public class when_someone_with_database_rights_but_no_key_tampers(ApiFixture api) : ApiTest(api)
{
    private const string Events = $"{WorkflowStore.Schema}.mt_events";
    private const string Links = $"{WorkflowStore.Schema}.{AuditChain.Table}";

    private async Task<Created> Approved(string workflowId = "land-title-transfer")
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission(workflowId)));
        var details = await Read<Details>(await Api.Clerk.GetAsync($"/api/applications/{created.Id}"));
        while (details.Status != "approved")
        {
            foreach (var step in details.OpenSteps)
                await Post(Api.For(step.Agency), $"/api/applications/{created.Id}/steps/{step.StepId}/decision",
                    new { outcome = "approve", reason = "in order" });
            details = await Read<Details>(await Api.Clerk.GetAsync($"/api/applications/{created.Id}"));
        }
        return created;
    }

    private async Task Sql(string sql, Guid? stream = null)
    {
        await using var command = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        if (stream is { } id) command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<JsonElement> Verification(Guid id, string query = "") =>
        await Api.Auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{id}/verification{query}");

    private Task<JsonElement> Store(string query = "") => Api.Auditor.GetFromJsonAsync<JsonElement>($"/api/oversight/verification{query}");

    private static void ShouldBreakAt(JsonElement verification, long version, string kind)
    {
        verification.GetProperty("intact").GetBoolean().ShouldBeFalse();
        var first = verification.GetProperty("firstBreak");
        first.GetProperty("kind").GetString().ShouldBe(kind);
        first.GetProperty("version").GetInt64().ShouldBe(version);
    }

    private async Task<int> Cli(params string[] args)
    {
        string[] common = ["--connection", Api.ConnectionString, "--chain-key", ChainKey.DevelopmentKey];
        return await Workflow.Cli.VerifyCommand.Create().Parse([.. common, .. args]).InvokeAsync();
    }

    /// <summary>An officer's approval appended at the end of a stream with SQL, stream version bumped, as the testers did.</summary>
    private static string ForgedApproval() => $$"""
        insert into {{Events}} (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name,
                                is_archived)
        select nextval('{{WorkflowStore.Schema}}.mt_events_sequence'), gen_random_uuid(), @id,
               (select max(version) + 1 from {{Events}} where stream_id = @id),
               jsonb_set(data, '{reason}', '"forged approval"'), type, timestamp, tenant_id, mt_dotnet_type, headers, user_name, false
        from {{Events}} where stream_id = @id and type = 'step_approved' order by version desc limit 1;
        update {{WorkflowStore.Schema}}.mt_streams set version = version + 1 where id = @id;
        """;

    [Fact]
    public async Task every_writer_links_its_events_with_the_key_and_an_untouched_store_verifies_clean()
    {
        var created = await Approved();
        await Api.Auditor.GetAsync($"/api/applications/{created.Id}/history");          // the access log writes
        await Api.Factory.Services.GetRequiredService<Seals>().SealAsync("system");   // the seal stream writes (the server seals)
        await using (var session = Api.Factory.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            // Any other writer, present or future: a bare session of the store, twice in one session.
            var stream = Guid.NewGuid();
            session.Events.Append(stream, new CaseFileOpened(created.Id, "first", new("w", "w", null, "auditor"), DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
            session.Events.Append(stream, new CaseFileOpened(created.Id, "second", new("w", "w", null, "auditor"), DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }

        var all = await Store("?projections=true");
        all.GetProperty("intact").GetBoolean().ShouldBeTrue(all.ToString());
        // The case, its access log, the seals, the bare session's stream and the record of the procedures' publications.
        all.GetProperty("streams").GetInt32().ShouldBe(5);
        all.GetProperty("alteredRules").GetArrayLength().ShouldBe(0);
        all.GetProperty("projections").GetArrayLength().ShouldBe(0);
        await using var command = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>()
            .CreateCommand($"select count(*) from {Events} e where not exists " +
                           $"(select 1 from {Links} l where l.stream_id = e.stream_id and l.version = e.version)");
        ((long)(await command.ExecuteScalarAsync())!).ShouldBe(0, "every event the application writes has its keyed link");
        (await Cli("--projections")).ShouldBe(0);
    }

    [Fact]
    public async Task linking_reads_the_appended_events_on_one_generic_plan_and_leaves_the_servers_planning_setting_alone()
    {
        var store = Api.Factory.Services.GetRequiredService<IDocumentStore>();
        // One physical connection (the store's own settings, a pool of one), so that its prepared statements can be read.
        await using var database = WorkflowStore.DataSource(new NpgsqlConnectionStringBuilder(Api.ConnectionString) { MaxPoolSize = 1 }.ConnectionString);
        async Task<(string, string)> Settings(NpgsqlConnection connection)
        {
            await using var read = new NpgsqlCommand("select current_setting('plan_cache_mode'), current_setting('enable_seqscan')", connection);
            await using var reader = await read.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (reader.GetString(0), reader.GetString(1));
        }
        (string, string) before;
        await using (var first = await database.OpenConnectionAsync()) before = await Settings(first);
        var stream = Guid.NewGuid();
        for (var i = 0; i < 12; i++)
        {
            await using var session = store.LightweightSession(SessionOptions.ForConnection(await database.OpenConnectionAsync()));
            session.Events.Append(stream, new CaseFileOpened(stream, $"read {i}", new("w", "w", null, "auditor"), DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }

        // Npgsql prepares a statement from its fifth use on; the server counts how each prepared execution was planned.
        await using var connection = await database.OpenConnectionAsync();
        await using var plans = new NpgsqlCommand(
            $"select name, generic_plans, custom_plans from pg_prepared_statements where statement like '%left join {Links} p on%'", connection);
        string prepared;
        await using (var reader = await plans.ExecuteReaderAsync())
        {
            (await reader.ReadAsync()).ShouldBeTrue("the read of the appended events is prepared");
            reader.GetInt64(2).ShouldBe(0, "no save planned it afresh");
            reader.GetInt64(1).ShouldBeGreaterThanOrEqualTo(4);
            prepared = reader.GetString(0);
        }
        (await Settings(connection)).ShouldBe(before, "both settings are changed only inside the save");

        // The plan kept is the one every later save runs: index lookups, never a scan of the whole event table.
        await using var explain = new NpgsqlCommand(
            $"set plan_cache_mode = force_generic_plan; explain execute {prepared}('{{}}', '{{}}', '{{}}'); reset plan_cache_mode", connection);
        var plan = await QueryPlans.ReadAsync(explain);
        plan.ShouldContain("Index Scan using pk_mt_events_stream_and_version");
        plan.ShouldNotContain("Seq Scan");
        (await Verification(stream)).GetProperty("intact").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task a_forged_append_at_the_end_of_a_stream_is_named_as_inserted_and_with_a_made_up_link_as_forged()
    {
        var created = await Approved();
        var last = (await Verification(created.Id)).GetProperty("events").GetInt32();
        await Sql(ForgedApproval(), created.Id);

        var history = await Read<History>(await Api.Clerk.GetAsync($"/api/applications/{created.Id}/history"));
        history.Events[^1].Data.GetProperty("reason").GetString().ShouldBe("forged approval", "the forgery shows in history");
        ShouldBreakAt(await Verification(created.Id), last + 1, "inserted");
        (await Cli()).ShouldBe(1);

        // The same insider also writes a link, computed the only way open to someone without the key.
        await Sql($"""
            insert into {Links} (stream_id, version, seq_id, content_hash, link)
            select stream_id, version, seq_id, sha256(convert_to(data::text, 'UTF8')), sha256(convert_to(id::text, 'UTF8'))
            from {Events} where stream_id = @id and version = {last + 1};
            """, created.Id);
        var withLink = await Verification(created.Id);
        withLink.GetProperty("intact").GetBoolean().ShouldBeFalse();
        withLink.GetProperty("firstBreak").GetProperty("version").GetInt64().ShouldBe(last + 1);
        withLink.GetProperty("firstBreak").GetProperty("kind").GetString().ShouldBeOneOf("altered", "forged");
    }

    [Fact]
    public async Task an_event_with_a_copied_content_hash_but_no_key_is_named_as_forged()
    {
        var created = await Approved();
        var last = (await Verification(created.Id)).GetProperty("events").GetInt32();
        // Copy the last event as a new one with the same id, time and metadata, so its canonical form (hence its content
        // hash) can be predicted exactly; only the keyed link cannot be made.
        await Sql($"""
            insert into {Events} (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name,
                                  is_archived, correlation_id, causation_id)
            select nextval('{WorkflowStore.Schema}.mt_events_sequence'), id, stream_id, version + 1, data, type, timestamp, tenant_id,
                   mt_dotnet_type, headers, user_name, false, correlation_id, causation_id
            from {Events} where stream_id = @id and version = {last};
            insert into {Links} (stream_id, version, seq_id, content_hash, link)
            select stream_id, version + 1, seq_id + 1, content_hash, sha256(link || content_hash) from {Links}
            where stream_id = @id and version = {last};
            """, created.Id);

        ShouldBreakAt(await Verification(created.Id), last + 1, "forged");
    }

    [Fact]
    public async Task an_archived_decision_is_named_as_hidden_and_the_case_file_does_not_say_intact()
    {
        var created = await Approved();
        await Sql($"update {Events} set is_archived = true where stream_id = @id and version = 3", created.Id);

        ShouldBreakAt(await Verification(created.Id), 3, "hidden");
        var file = await Api.Auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{created.Id}/case-file");
        file.GetProperty("verified").GetBoolean().ShouldBeFalse();
        file.GetProperty("verification").GetString()!.ShouldContain("hidden");
    }

    [Fact]
    public async Task a_changed_read_model_is_named_with_the_field_that_differs()
    {
        var created = await Approved();
        var other = await Approved("import-licence");
        await Sql($"update {WorkflowStore.Schema}.mt_doc_applicationdetails " +
                  "set data = jsonb_set(data, '{status}', '\"rejected\"') where id = @id", created.Id);
        var shown = await Read<Details>(await Api.Clerk.GetAsync($"/api/applications/{created.Id}"));
        shown.Status.ShouldBe("rejected", "the API shows the lie");

        var all = await Store("?projections=true");
        all.GetProperty("intact").GetBoolean().ShouldBeFalse();
        var difference = all.GetProperty("projections").EnumerateArray().ShouldHaveSingleItem();
        difference.GetProperty("applicationId").GetGuid().ShouldBe(created.Id);
        difference.GetProperty("trackingNumber").GetString().ShouldBe(created.TrackingNumber);
        difference.GetProperty("fields").EnumerateArray().Select(f => f.GetString()).ShouldBe(["status"]);
        (await Verification(created.Id, "?projections=true")).GetProperty("intact").GetBoolean().ShouldBeFalse();
        (await Verification(other.Id, "?projections=true")).GetProperty("intact").GetBoolean().ShouldBeTrue();
        (await Cli("--projections")).ShouldBe(1);
        (await Cli()).ShouldBe(0, "without --projections only the events are verified");
    }

    [Fact]
    public async Task a_step_taken_out_of_an_agencys_inbox_is_named()
    {
        var waiting = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        await Post(Api.Clerk, $"/api/applications/{waiting.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });
        var returned = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        await Post(Api.Clerk, $"/api/applications/{returned.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });
        await Post(Api.For("moic-enterprise-registration"), $"/api/applications/{returned.Id}/steps/register/decision",
            new { outcome = "return", reason = "the name is not in Lao script" });
        var before = await Store("?projections=true");
        before.GetProperty("projections").GetArrayLength().ShouldBe(0, "open, returned and finished steps agree");

        await Sql($"delete from {WorkflowStore.Schema}.mt_doc_inboxitem where data->>'applicationId' = @id::text", waiting.Id);

        var difference = (await Store("?projections=true")).GetProperty("projections").EnumerateArray().ShouldHaveSingleItem();
        difference.GetProperty("applicationId").GetGuid().ShouldBe(waiting.Id);
        difference.GetProperty("document").GetString().ShouldBe("InboxItem");
        difference.GetProperty("fields").EnumerateArray().Select(f => f.GetString()).ShouldBe(["register"]);
        difference.GetProperty("detail").GetString()!.ShouldContain("missing from its inbox");
    }

    [Fact]
    public async Task a_changed_tracking_page_is_named_with_the_fields_that_differ()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        var other = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        // The citizen's page made to say the case was approved, and opened to a code of someone else's choosing.
        var chosen = Workflow.Store.Tracking.AccessCodes.Hash("ABCD-EFGH");
        await Sql($"update {WorkflowStore.Schema}.mt_doc_citizentracking set data = jsonb_set(jsonb_set(data, '{{status}}', " +
                  $"'\"approved\"'), '{{accessCode}}', to_jsonb('{chosen}'::text)) where id = @id", created.Id);

        var difference = (await Store("?projections=true")).GetProperty("projections").EnumerateArray().ShouldHaveSingleItem();
        difference.GetProperty("applicationId").GetGuid().ShouldBe(created.Id);
        difference.GetProperty("document").GetString().ShouldBe("CitizenTracking");
        difference.GetProperty("fields").EnumerateArray().Select(f => f.GetString()).ShouldBe(["accessCode", "status"]);
        difference.GetProperty("detail").GetString()!.ShouldContain("status is \"approved\" but the events give \"submitted\"");
        (await Verification(created.Id, "?projections=true")).GetProperty("intact").GetBoolean().ShouldBeFalse();
        (await Verification(other.Id, "?projections=true")).GetProperty("intact").GetBoolean().ShouldBeTrue();
        (await Cli("--projections")).ShouldBe(1);
    }

    [Fact]
    public async Task a_step_handed_to_another_officer_in_the_inbox_is_named()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });
        (await Store("?projections=true")).GetProperty("projections").GetArrayLength().ShouldBe(0);

        await Sql($"update {WorkflowStore.Schema}.mt_doc_inboxitem set data = jsonb_set(jsonb_set(data, '{{holderId}}', " +
                  "'\"officer-9\"'), '{dueAt}', '\"2099-01-01T00:00:00+07:00\"') where data->>'applicationId' = @id::text", created.Id);

        var difference = (await Store("?projections=true")).GetProperty("projections").EnumerateArray().ShouldHaveSingleItem();
        difference.GetProperty("document").GetString().ShouldBe("InboxItem");
        difference.GetProperty("fields").EnumerateArray().Select(f => f.GetString()).ShouldBe(["register"]);
        var detail = difference.GetProperty("detail").GetString()!;
        detail.ShouldContain("holderId is \"officer-9\" but the events give nothing");
        detail.ShouldContain("dueAt is \"2099-01-01");
    }

    [Fact]
    public async Task a_deadline_postponed_silenced_or_removed_with_sql_is_named()
    {
        var clock = Api.Clock;
        clock.Now = new DateTimeOffset(2024, 6, 3, 9, 0, 0, TimeSpan.FromHours(7));
        var clerk = ApiFixture.Client(Api.Clocked, "clerk", "odsc");
        async Task<Guid> Registering()
        {
            var created = await Read<Created>(await Post(clerk, "/api/applications", Samples.Submission("enterprise-registration")));
            await Post(clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });
            return created.Id;
        }
        // The one silenced late opens its step two days before the others, so that its warning alone comes due.
        var silencedLate = await Registering();
        clock.Now = clock.Now.AddDays(2);
        var (postponed, silenced, removed, untouched) = (await Registering(), await Registering(), await Registering(), await Registering());
        var check = Api.Clocked.Services.GetRequiredService<ProjectionCheck>();
        (await check.RunAsync([])).ShouldBeEmpty();

        var timers = $"{WorkflowStore.Schema}.{Workflow.Store.Applications.OpenDeadlines.Table}";
        await Sql($"update {timers} set fire_at = fire_at + interval '30 days' where application_id = @id and scope = 'register'", postponed);
        await Sql($"update {timers} set fire_at = null where application_id = @id and scope = 'register'", silenced);
        await Sql($"delete from {timers} where application_id = @id and scope = 'register'", removed);

        var differences = (await check.RunAsync([])).ToDictionary(d => d.ApplicationId);
        differences.Keys.ShouldBe([postponed, silenced, removed], ignoreOrder: true);
        differences.Values.ShouldAllBe(d => d.Document == "deadline_timers" && d.Fields.SequenceEqual(new[] { "register" }));
        differences[postponed].Detail.ShouldContain("the deadline for register is due");
        differences[silenced].Detail.ShouldContain("next warning (level 0) never but the events give");
        differences[silenced].Detail.ShouldNotContain("will never fire");
        differences[removed].Detail.ShouldBe("the deadline for register is missing");

        // Silenced once its instant has passed, before the sweeper fired it. The sweeper stops claiming such a timer only
        // when it fires nothing; this one's warning is still due, so it is named.
        await using (var instant = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                         $"select fire_at from {timers} where application_id = @id and scope = 'register'"))
        {
            instant.Parameters.AddWithValue("id", silencedLate);
            clock.Now = ((DateTime)(await instant.ExecuteScalarAsync())!).AddMinutes(1);
        }
        (await check.RunAsync([], silencedLate)).ShouldBeEmpty("due and not yet fired is not a difference");
        await Sql($"update {timers} set fire_at = null where application_id = @id and scope = 'register'", silencedLate);
        var late = (await check.RunAsync([])).ToDictionary(d => d.ApplicationId);
        late.Keys.ShouldBe([postponed, silenced, removed, silencedLate], ignoreOrder: true);
        late[silencedLate].Fields.ShouldBe(["register"]);
        late[silencedLate].Detail.ShouldContain("next warning (level 0) never but the events give");
        late[silencedLate].Detail.ShouldContain("something is still due");
        (await check.RunAsync([], untouched)).ShouldBeEmpty();
    }

    [Fact]
    public async Task rules_changed_in_the_database_after_publication_are_named_and_nothing_is_decided_under_them()
    {
        var source = File.ReadAllText(Path.Combine(ApiFixture.RepositoryRoot(), "workflows", "enterprise-registration.yaml"))
            .Replace("version: 1", "version: 2") + $"\n# version 2 of {Guid.NewGuid()}\n";
        (await FourEyes.PublishAsync(Api, source)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await Store()).GetProperty("alteredRules").GetArrayLength().ShouldBe(0);
        var running = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        (await Read<Details>(await Api.Clerk.GetAsync($"/api/applications/{running.Id}"))).WorkflowVersion.ShouldBe(2);

        // The registry's ten working days made two hundred in the stored text of version 2, which new applications follow.
        await Sql($"update {WorkflowStore.Schema}.mt_doc_storeddefinition set data = jsonb_set(data, '{{source}}', " +
                  "to_jsonb(replace(data->>'source', 'deadline: 10 working days', 'deadline: 200 working days'))) " +
                  "where data->>'workflowId' = 'enterprise-registration' and data->>'version' = '2'");

        // And version 1 held back from today, beside its text, so that no version would be in force.
        await Sql($"update {WorkflowStore.Schema}.mt_doc_storeddefinition set data = jsonb_set(data, '{{effectiveFrom}}', " +
                  "'\"2099-01-01\"') where data->>'workflowId' = 'enterprise-registration' and data->>'version' = '1'");

        var all = await Store();
        all.GetProperty("intact").GetBoolean().ShouldBeFalse();
        var altered = all.GetProperty("alteredRules").EnumerateArray().ToList();
        altered.Select(a => (a.GetProperty("workflowId").GetString(), a.GetProperty("version").GetInt32()))
            .ShouldBe([("enterprise-registration", 1), ("enterprise-registration", 2)]);
        altered[0].GetProperty("detail").GetString()
            .ShouldBe("its text says effective from publication but it is kept as effective 2099-01-01");
        altered[1].GetProperty("detail").GetString()!.ShouldContain("its text hashes to sha256:");
        (await Cli()).ShouldBe(1);
        // The case that follows version 2 is not intact either, on its own.
        var one = await Verification(running.Id);
        one.GetProperty("intact").GetBoolean().ShouldBeFalse();
        one.GetProperty("rulesAltered").GetProperty("version").GetInt32().ShouldBe(2);
        (await Cli("--application", running.Id.ToString())).ShouldBe(1);

        // A node that had not read version 2 yet (the second host on this database) decides nothing under it.
        var before = await Api.CountsAsync();
        var refused = await Post(ApiFixture.Client(Api.Clocked, "clerk", "odsc"), $"/api/applications/{running.Id}/steps/intake/decision",
            new { outcome = "approve", reason = "complete" });
        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("code").GetString().ShouldBe("rules-altered");
        problem.GetProperty("detail").GetString()!.ShouldContain("enterprise-registration version 2 were changed in the database");
        (await Api.CountsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task a_version_added_removed_brought_back_or_given_another_approver_with_sql_is_named()
    {
        var definitions = Api.Factory.Services.GetRequiredService<PinnedDefinitions>();
        var source = File.ReadAllText(Path.Combine(ApiFixture.RepositoryRoot(), "workflows", "enterprise-registration.yaml"));
        (await FourEyes.PublishAsync(Api, source.Replace("version: 1", "version: 2"))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await definitions.RetireAsync("import-licence", 1, "designer-1")).ShouldBeTrue();
        (await definitions.AlteredAsync()).ShouldBeEmpty();

        // A version 3 written straight into the store, text and hash consistent, but never asked for nor approved.
        await using (var session = Api.Factory.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            var text = source.Replace("version: 1", "version: 3").Replace("deadline: 10 working days", "deadline: 60 working days");
            var hash = Workflow.Core.Definitions.DefinitionParser.HashOf(text);
            session.Store(new StoredDefinition
            {
                Id = StoredDefinition.IdOf("enterprise-registration", 3, hash), WorkflowId = "enterprise-registration", Version = 3,
                Hash = hash, FileName = "enterprise-registration.yaml", Source = text, FirstLoadedAt = DateTimeOffset.UtcNow,
                Origin = "api", PublishedBy = "designer-1", ApprovedBy = "designer-2",
            });
            await session.SaveChangesAsync();
        }
        const string Versions = $"{WorkflowStore.Schema}.mt_doc_storeddefinition";
        await Sql($"update {Versions} set data = jsonb_set(data, '{{approvedBy}}', '\"designer-9\"') " +
                  "where data->>'workflowId' = 'enterprise-registration' and data->>'version' = '2'");
        await Sql($"update {Versions} set data = data - 'retiredAt' - 'retiredBy' where data->>'workflowId' = 'import-licence'");
        await Sql($"delete from {Versions} where data->>'workflowId' = 'land-title-transfer'");

        var altered = (await Store()).GetProperty("alteredRules").EnumerateArray()
            .ToDictionary(a => $"{a.GetProperty("workflowId").GetString()}@{a.GetProperty("version").GetInt32()}",
                a => a.GetProperty("detail").GetString());
        altered.Keys.ShouldBe(["enterprise-registration@2", "enterprise-registration@3", "import-licence@1", "land-title-transfer@1"],
            ignoreOrder: true);
        altered["enterprise-registration@2"].ShouldBe("the approver is designer-9 but the record says designer-2");
        altered["enterprise-registration@3"].ShouldBe("it is stored but no publication of it is on record");
        altered["import-licence@1"]!.ShouldStartWith("the retirement is none but the record says 20");
        altered["import-licence@1"]!.ShouldEndWith("who retired it is none but the record says designer-1");
        altered["land-title-transfer@1"].ShouldBe("it was published but is no longer stored");
        (await Cli()).ShouldBe(1);
    }

    [Fact]
    public async Task two_nodes_retiring_one_version_at_once_record_one_retirement()
    {
        var first = Api.Factory.Services.GetRequiredService<PinnedDefinitions>();
        var second = Api.Clocked.Services.GetRequiredService<PinnedDefinitions>();

        var retired = await Task.WhenAll(first.RetireAsync("import-licence", 1, "designer-1"),
            second.RetireAsync("import-licence", 1, "designer-2"));

        retired.ShouldAllBe(r => r);
        (await first.AlteredAsync()).ShouldBeEmpty();
        await using var session = Api.Factory.Services.GetRequiredService<IDocumentStore>().QuerySession();
        (await session.Events.FetchStreamAsync(PublicationRecord.Stream)).Count(e => e.Data is RulesRetired).ShouldBe(1);
    }

    [Fact]
    public async Task a_store_from_before_the_record_has_its_versions_recorded_once_as_found_at_the_first_start()
    {
        var definitions = Api.Factory.Services.GetRequiredService<PinnedDefinitions>();
        (await definitions.RetireAsync("import-licence", 1, "designer-1")).ShouldBeTrue();
        // What an earlier release left: the versions stored, no record of them.
        var record = PublicationRecord.Stream;
        await Sql($"delete from {Links} where stream_id = @id; delete from {Events} where stream_id = @id; " +
                  $"delete from {WorkflowStore.Schema}.mt_streams where id = @id", record);
        (await definitions.AlteredAsync()).Count.ShouldBeGreaterThan(0, "versions without a record are named");

        await definitions.PublishLoadedAsync(TimeProvider.System);
        await definitions.PublishLoadedAsync(TimeProvider.System);

        (await definitions.AlteredAsync()).ShouldBeEmpty();
        await using var session = Api.Factory.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(record);
        var stored = await session.Query<StoredDefinition>().CountAsync();
        events.Count.ShouldBe(stored + 1, "each version recorded once, and the one retirement");
        events.Select(e => e.Data).OfType<RulesPublished>().ShouldAllBe(p => !p.OnRecord);
        (await Cli()).ShouldBe(0);
    }

    [Fact]
    public async Task a_seal_names_each_stream_truncated_deleted_or_relinked_since()
    {
        var truncated = await Approved();
        var deleted = await Approved("import-licence");
        var relinked = await Approved("import-licence");
        var untouched = await Approved("import-licence");
        await Api.Factory.Services.GetRequiredService<Seals>().SealAsync("system");

        await Sql($"""
            delete from {Links} where stream_id = @id and version = (select max(version) from {Events} where stream_id = @id);
            delete from {Events} where stream_id = @id and version = (select max(version) from {Events} where stream_id = @id);
            update {WorkflowStore.Schema}.mt_streams set version = version - 1 where id = @id;
            """, truncated.Id);
        await Sql($"delete from {Links} where stream_id = @id; delete from {Events} where stream_id = @id; " +
                  $"delete from {WorkflowStore.Schema}.mt_streams where id = @id", deleted.Id);
        await Sql($"update {Links} set link = sha256(link) where stream_id = @id", relinked.Id);

        var all = await Store();
        all.GetProperty("intact").GetBoolean().ShouldBeFalse();
        var seal = all.GetProperty("seals").EnumerateArray().ShouldHaveSingleItem();
        seal.GetProperty("holds").GetBoolean().ShouldBeFalse();
        seal.GetProperty("headsIntact").GetBoolean().ShouldBeTrue();
        var changed = all.GetProperty("changedSinceSeals").EnumerateArray()
            .ToDictionary(c => c.GetProperty("streamId").GetGuid(),
                c => (Kind: c.GetProperty("kind").GetString(), Tracking: c.GetProperty("trackingNumber").GetString()));
        changed.Count.ShouldBe(3);
        changed[truncated.Id].ShouldBe(("shortened", truncated.TrackingNumber));
        changed[deleted.Id].ShouldBe(("deleted", deleted.TrackingNumber));
        changed[relinked.Id].ShouldBe(("changed", relinked.TrackingNumber));
        changed.ShouldNotContainKey(untouched.Id);
    }

    [Fact]
    public async Task a_streams_own_row_set_back_or_forward_is_named_before_the_case_is_stuck_or_gapped()
    {
        var back = await Approved();
        var forward = await Approved("import-licence");
        var untouched = await Approved("import-licence");
        var last = (await Verification(back.Id)).GetProperty("events").GetInt64();
        await Sql($"update {WorkflowStore.Schema}.mt_streams set version = version - 1 where id = @id", back.Id);
        await Sql($"update {WorkflowStore.Schema}.mt_streams set version = version + 5 where id = @id", forward.Id);

        ShouldBreakAt(await Verification(back.Id), last, "miscounted");
        (await Verification(back.Id)).GetProperty("firstBreak").GetProperty("detail").GetString()
            .ShouldBe($"the stream's row records version {last - 1} but its events end at version {last}");
        ShouldBreakAt(await Verification(forward.Id), (await Verification(forward.Id)).GetProperty("events").GetInt64(), "miscounted");
        (await Verification(untouched.Id)).GetProperty("intact").GetBoolean().ShouldBeTrue();
        var all = await Store();
        all.GetProperty("intact").GetBoolean().ShouldBeFalse();
        all.GetProperty("broken").EnumerateArray().Select(b => (b.GetProperty("applicationId").GetGuid(), b.GetProperty("kind").GetString()))
            .ShouldBe([(back.Id, "miscounted"), (forward.Id, "miscounted")], ignoreOrder: true);
        (await Cli()).ShouldBe(1);

        await Sql($"update {WorkflowStore.Schema}.mt_streams set version = (select max(version) from {Events} where stream_id = @id) " +
                  "where id = @id", back.Id);
        (await Verification(back.Id)).GetProperty("intact").GetBoolean().ShouldBeTrue("the row put back as it was");
    }

    [Fact]
    public async Task the_whole_store_names_an_event_deleted_from_the_middle_and_a_stream_left_with_its_links_only()
    {
        var middle = await Approved();
        var gone = await Approved("import-licence");
        var untouched = await Approved("import-licence");
        await Sql($"delete from {Events} where stream_id = @id and version = 3", middle.Id);
        await Sql($"delete from {Events} where stream_id = @id; delete from {WorkflowStore.Schema}.mt_streams where id = @id", gone.Id);

        var all = await Store();
        all.GetProperty("intact").GetBoolean().ShouldBeFalse();
        all.GetProperty("broken").EnumerateArray()
            .Select(b => (b.GetProperty("applicationId").GetGuid(), b.GetProperty("version").GetInt64(), b.GetProperty("kind").GetString(),
                b.GetProperty("detail").GetString()))
            .ShouldBe([(middle.Id, 3, "removed", "the event at version 3 is missing"),
                (gone.Id, 1, "removed", "the event at version 1 is missing")], ignoreOrder: true);
        ShouldBreakAt(await Verification(middle.Id), 3, "removed");
        (await Verification(untouched.Id)).GetProperty("intact").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task an_event_moved_in_the_global_sequence_is_named()
    {
        var moved = await Approved();
        var untouched = await Approved("import-licence");
        // The decision moved after every other event: what seals, exports and the statistics count by says it came last.
        await Sql($"update {Events} set seq_id = (select max(seq_id) + 1000 from {Events}) where stream_id = @id and version = 3", moved.Id);

        ShouldBreakAt(await Verification(moved.Id), 3, "altered");
        (await Verification(moved.Id)).GetProperty("firstBreak").GetProperty("detail").GetString()!
            .ShouldContain("was moved in the global sequence from");
        var all = await Store();
        all.GetProperty("broken").EnumerateArray().ShouldHaveSingleItem().GetProperty("applicationId").GetGuid().ShouldBe(moved.Id);
        (await Verification(untouched.Id)).GetProperty("intact").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task one_case_verified_while_commands_commit_on_it_is_never_named()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });
        var officer = Api.For("moic-enterprise-registration");
        var register = $"/api/applications/{created.Id}/steps/register";
        // As many commands as the bounds on a case allow: the step claimed and let go, then, while it is held, delegations
        // granted and ended.
        var busy = Task.Run(async () =>
        {
            var commands = 0;
            async Task Send(string path, object body)
            {
                (await Post(officer, path, body)).EnsureSuccessStatusCode();
                commands++;
            }
            for (var i = 0; i < Core.Applications.Decider.MaxHandOversPerStep; i++)
            {
                await Send($"{register}/claim", new { });
                if (i < Core.Applications.Decider.MaxHandOversPerStep - 1) await Send($"{register}/release", new { reason = "back to the pool" });
            }
            for (var i = 0; i < Core.Applications.Decider.MaxDelegationsPerCase; i++)
            {
                await Send($"/api/applications/{created.Id}/delegations",
                    new { toUserId = "officer-9", toName = "Officer Nine", until = DateTimeOffset.UtcNow.AddDays(7), reason = "training" });
                await Send($"/api/applications/{created.Id}/delegations/revocation", new { reason = "back early" });
            }
            return commands;
        });
        var verifications = 0;
        while (!busy.IsCompleted || verifications < 40)
            (await Verification(created.Id)).GetProperty("intact").GetBoolean().ShouldBeTrue($"verification {verifications++}");
        (await busy).ShouldBe(2 * Core.Applications.Decider.MaxHandOversPerStep - 1 + 2 * Core.Applications.Decider.MaxDelegationsPerCase,
            "the case moved while it was verified");
    }

    [Fact]
    public async Task the_verifier_does_not_run_code_stored_in_the_database()
    {
        var created = await Approved();
        // A canonical-form function that ignores the data, as the database once provided and an insider could replace.
        await Sql($$"""
            create or replace function {{WorkflowStore.Schema}}.event_canonical(e {{Events}}) returns text language sql immutable as $f$
              select concat_ws(E'\n', e.id::text, e.stream_id::text, e.type) $f$;
            update {{Events}} set data = jsonb_set(data, '{reason}', '"rewritten"') where stream_id = @id and version = 3;
            """, created.Id);

        ShouldBreakAt(await Verification(created.Id), 3, "altered");
    }

    [Fact]
    public async Task a_deleted_link_is_named_as_unlinked_and_an_insert_with_triggers_off_as_inserted()
    {
        var created = await Approved();
        await Sql($"delete from {Links} where stream_id = @id and version = 3", created.Id);
        ShouldBreakAt(await Verification(created.Id), 3, "unlinked");

        var other = await Approved();
        var last = (await Verification(other.Id)).GetProperty("events").GetInt32();
        await Sql($"set session_replication_role = replica; {ForgedApproval()} set session_replication_role = origin;", other.Id);
        ShouldBreakAt(await Verification(other.Id), last + 1, "inserted");
    }

    [Fact]
    public async Task marten_tombstones_after_a_failed_commit_are_not_tampering_but_a_real_event_turned_tombstone_is()
    {
        var created = await Approved();
        var data = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>();
        // A store of its own, configured like the server's, whose commit fails after the events were appended: Marten then
        // records tombstones for the sequence numbers it used (as after a PostgreSQL restart mid-commit). Disposing the
        // store waits for them to be written.
        var options = new StoreOptions();
        WorkflowStore.Configure(options, data);
        options.Listeners.Add(new ChainLinks(ChainKey.Development));
        var store = new DocumentStore(options);
        await using (var session = store.LightweightSession())
        {
            var stream = await session.Events.FetchForWriting<Workflow.Core.Applications.Application>(created.Id);
            stream.AppendOne(new CaseFileOpened(created.Id, "lost", new("x", "x", null, "auditor"), DateTimeOffset.UtcNow));
            ((ITransactionParticipantRegistrar)session).AddTransactionParticipant(new FailingCommit());
            await Should.ThrowAsync<Exception>(() => session.SaveChangesAsync());
        }
        await store.DisposeAsync();
        await using (var count = data.CreateCommand($"select count(*) from {Events} where stream_id = @t"))
        {
            count.Parameters.AddWithValue("t", AuditChain.TombstoneStream);
            ((long)(await count.ExecuteScalarAsync())!).ShouldBeGreaterThan(0, "Marten wrote its tombstones");
        }

        var clean = await Store();
        clean.GetProperty("intact").GetBoolean().ShouldBeTrue(clean.ToString());
        (await Cli()).ShouldBe(0);

        // An insider turns the last decision into a "tombstone" to hide it.
        await Sql($$"""
            update {{Events}} set stream_id = '{{AuditChain.TombstoneStream}}', version = seq_id, type = 'tombstone', data = '{}'
            where stream_id = @id and version = (select max(version) from {{Events}} where stream_id = @id);
            """, created.Id);
        var caught = await Store();
        caught.GetProperty("intact").GetBoolean().ShouldBeFalse();
        var broken = caught.GetProperty("broken").EnumerateArray().ToList();
        string? KindOf(Guid stream) =>
            broken.Single(b => b.GetProperty("applicationId").GetGuid() == stream).GetProperty("kind").GetString();
        KindOf(AuditChain.TombstoneStream).ShouldBe("hidden");
        KindOf(created.Id).ShouldBe("removed");
    }

    private sealed class FailingCommit : ITransactionParticipant
    {
        public Task BeforeCommitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken token) =>
            throw new InvalidOperationException("the connection dropped before the commit");
    }
}

public class when_many_read_at_once(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task twenty_parallel_auditor_reads_all_succeed_and_are_all_logged()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("import-licence")));
        var auditor = Api.Auditor;

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => auditor.GetAsync($"/api/applications/{created.Id}")));

        answers.Select(a => a.StatusCode).ShouldAllBe(s => s == HttpStatusCode.OK);
        (await auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{created.Id}/access-log")).GetArrayLength().ShouldBe(20);
        (await auditor.GetFromJsonAsync<JsonElement>("/api/oversight/verification")).GetProperty("intact").GetBoolean().ShouldBeTrue();
    }
}

public class when_a_case_is_read_from_the_command_line(ApiFixture api) : ApiTest(api)
{
    private string[] Common => ["--connection", Api.ConnectionString, "--chain-key", ChainKey.DevelopmentKey];

    [Fact]
    public async Task replay_and_export_are_recorded_in_the_access_log_with_the_operator()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("import-licence")));
        var output = Path.GetTempFileName();

        string[] replay = [.. Common, "--application", created.Id.ToString(), "--operator", "inspector-9"];
        (await Workflow.Cli.ReplayCommand.Create().Parse(replay).InvokeAsync()).ShouldBe(0);
        (await Workflow.Cli.ExportCommand.Create().Parse([.. Common, "--application", created.Id.ToString(), "--as", "inspector-9",
            "--output", output]).InvokeAsync()).ShouldBe(0);

        var log = await Api.Auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{created.Id}/access-log");
        log.EnumerateArray().Select(e => (e.GetProperty("what").GetString(), e.GetProperty("by").GetProperty("userId").GetString()))
            .ShouldBe([("replay", "inspector-9"), ("case-file", "inspector-9")]);
    }

    [Fact]
    public async Task verify_without_a_chain_key_or_a_reachable_store_exits_2()
    {
        string[] unreachable = ["--connection", "Host=127.0.0.1;Port=1;Username=x;Password=y;Timeout=2",
            "--chain-key", ChainKey.DevelopmentKey];
        (await Workflow.Cli.VerifyCommand.Create().Parse(unreachable).InvokeAsync()).ShouldBe(2);

        var saved = Environment.GetEnvironmentVariable(ChainKey.Variable);
        Environment.SetEnvironmentVariable(ChainKey.Variable, null);
        try
        {
            string[] args = ["--connection", Api.ConnectionString];
            (await Workflow.Cli.VerifyCommand.Create().Parse(args).InvokeAsync()).ShouldBe(2);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ChainKey.Variable, saved);
        }
    }
}

public class when_the_server_starts_outside_development(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public void it_refuses_to_start_without_a_chain_key()
    {
        var saved = Environment.GetEnvironmentVariable(ChainKey.Variable);
        Environment.SetEnvironmentVariable(ChainKey.Variable, null);
        try
        {
            using var host = ApiFixture.Host(Api.ConnectionString, environment: "Production",
                settings: new() { ["Auth:SigningKey"] = "a-production-signing-key-of-at-least-32-characters" });
            Should.Throw<InvalidOperationException>(() => host.CreateClient()).Message.ShouldContain("Audit:ChainKey");

            using var keyed = ApiFixture.Host(Api.ConnectionString, environment: "Production", settings: new()
            {
                ["Auth:SigningKey"] = "a-production-signing-key-of-at-least-32-characters",
                ["Audit:ChainKey"] = "a-production-chain-key-of-at-least-32-characters",
            });
            keyed.CreateClient().ShouldNotBeNull();
        }
        finally
        {
            Environment.SetEnvironmentVariable(ChainKey.Variable, saved);
        }
    }
}
