using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Workflow.Core.Definitions;
using Workflow.Core.Statistics;
using Workflow.Store;
using Workflow.Store.Audit;
using Workflow.Store.Statistics;

namespace Workflow.Api.Tests;

/// <summary>
/// A period's applications exported for a third-party evaluator: Somchai applies twice, Vilay once. The evaluator holds
/// the file and the operator's public key, never the chain key, the pseudonym key or the database.
/// </summary>
public class when_a_period_is_exported_for_evaluation(ApiFixture api) : ApiTest(api), IDisposable
{
    private const string PseudonymKey = "operator-pseudonym-key-for-the-evaluation-tests-0001";

    private static readonly string[] Personal =
        ["Somchai", "Phommavong", "0123456", "Vilay", "Sisavath", "A-998877", "5555 1234", "55551234", "vilay@example.la",
            "Mekong Rice Trading", "Vilay Noodle House", "ວິໄລ", "the applicant is my cousin", "moved to Pakse"];

    private readonly ECDsa _operator = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose() => _operator.Dispose();

    private static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow.Add(EvaluationExports.Offset));

    private static JsonObject Submission(string name, string idNumber, string? phone = null, string? email = null,
        string? enterprise = null)
    {
        var body = JsonSerializer.SerializeToNode(Samples.Submission("enterprise-registration"), ApiFixture.Json)!.AsObject();
        body["applicant"] = new JsonObject { ["name"] = name, ["idNumber"] = idNumber, ["phone"] = phone, ["email"] = email };
        if (enterprise is not null) body["data"]!["enterprise_name"] = enterprise;
        return body;
    }

    /// <summary>
    /// Three applications: the first registered after a recusal, the second refused at the counter, the third
    /// returned, corrected in Lao and refused.
    /// </summary>
    private async Task<Created[]> Seed()
    {
        var first = await Read<Created>(await Post(Api.Clerk, "/api/applications", Submission("Somchai Phommavong", "0123456")));
        var second = await Read<Created>(await Post(Api.Clerk, "/api/applications", Submission("Somchai  Phommavong", "0123 456")));
        var third = await Read<Created>(await Post(Api.Clerk, "/api/applications",
            Submission("Vilay Sisavath", "A-998877", "+856 20 5555 1234", "vilay@example.la", "Vilay Noodle House")));
        await Post(Api.Clerk, $"/api/applications/{first.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });
        var moic = Api.For("moic-enterprise-registration");
        await Post(moic, $"/api/applications/{first.Id}/recusal", new { reason = "the applicant is my cousin" });
        await Post(Api.Client("officer", "moic-enterprise-registration", "officer-2"),
            $"/api/applications/{first.Id}/steps/register/decision", new { outcome = "approve", reason = "in order" });
        await Post(Api.Clerk, $"/api/applications/{third.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });
        await Post(moic, $"/api/applications/{third.Id}/steps/register/decision",
            new { outcome = "return", reason = "the enterprise name is not in Lao script", comment = "add the Lao name" });
        await Post(Api.Clerk, $"/api/applications/{third.Id}/resubmission",
            new { data = new Dictionary<string, object> { ["enterprise_name"] = "ຮ້ານເຝີ ວິໄລ" },
                comment = "Lao name added" });
        await Post(moic, $"/api/applications/{third.Id}/steps/register/decision",
            new { outcome = "reject", reason = "the sector needs a licence first" });
        await Post(Api.Clerk, $"/api/applications/{second.Id}/steps/intake/decision",
            new { outcome = "reject", reason = "moved to Pakse" });
        return [first, second, third];
    }

    private async Task<byte[]> Export(bool seal = true, DateOnly? from = null, DateOnly? to = null)
    {
        using var output = new MemoryStream();
        await Api.Factory.Services.GetRequiredService<EvaluationExports>().WriteAsync(output, from ?? Today.AddDays(-1), to ?? Today,
            new Pseudonyms(PseudonymKey), _operator, "auditor-1", seal);
        return output.ToArray();
    }

    private ExportVerification Verify(byte[] file) => EvaluationFile.Verify(file, _operator);

    private static List<JsonObject> Records(byte[] file) =>
        [.. Encoding.UTF8.GetString(file).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject())];

    private static byte[] File(IEnumerable<JsonObject> records) =>
        Encoding.UTF8.GetBytes(string.Concat(records.Select(r => r.ToJsonString() + "\n")));

    private static int Find(List<JsonObject> records, string kind, Guid stream, long version) => records.FindIndex(r =>
        r["record"]!.GetValue<string>() == kind && r["stream"]?.GetValue<string>() == stream.ToString()
                                                && r["version"]!.GetValue<long>() == version);

    private static void ShouldName(ExportVerification result, ExportFault kind, Guid stream, long version)
    {
        result.Problems.ShouldContain(p => p.Kind == kind && p.Stream == stream && p.Version == version,
            $"expected {kind} at {stream} version {version}; got:\n{string.Join("\n", result.Problems)}");
        result.Problems.ShouldContain(p => p.Kind == ExportFault.Unsigned, "the signature covers every byte");
    }

    [Fact]
    public async Task the_export_verifies_without_the_database_and_holds_no_personal_data()
    {
        var cases = await Seed();

        var file = await Export();

        var result = Verify(file);
        result.Problems.ShouldBeEmpty();
        (result.Streams, result.Events).ShouldBe((3, Records(file).Count(r => r["record"]!.GetValue<string>() == "event")));
        result.Fingerprint.ShouldBe(EvaluationFile.Fingerprint(_operator));
        var text = Encoding.UTF8.GetString(file);
        foreach (var personal in Personal) text.ShouldNotContain(personal, Case.Insensitive);
        text.ShouldContain(cases[0].TrackingNumber);
    }

    [Fact]
    public async Task the_figures_computed_from_the_file_equal_those_computed_from_the_store()
    {
        await Seed();
        var file = await Export();
        var calendars = Api.Factory.Services.GetRequiredService<WorkflowCatalog>().Calendars;
        var stored = await Api.Factory.Services.GetRequiredService<StatisticsReader>().RecomputeAsync(long.MaxValue, default);
        var exported = EvaluationFile.Events(file).Values.Select(CaseFacts.Fold).OfType<CaseFacts>().ToList();

        foreach (var by in new IReadOnlyList<string>?[] { null, [Dimensions.Agency, Dimensions.Step] })
        {
            var query = new StatisticsQuery(PeriodKind.Custom, Today.AddDays(-1), Today, By: by);
            var fromStore = Indicators.Compute(stored, query, calendars);
            var fromFile = Indicators.Compute(exported, query, calendars);
            Indicators.Differences(fromStore, fromFile, "store", "export").ShouldBeEmpty();
            fromFile.ShouldNotBeEmpty();
        }
        var total = Indicators.Compute(exported, new StatisticsQuery(PeriodKind.Custom, Today.AddDays(-1), Today), calendars);
        (total.Sum(r => r.Received), total.Sum(r => r.Completed), total.Sum(r => r.Returns)).ShouldBe((3, 2, 1));

        // A later period: only the application still open is exported, and it is all that period's figures count.
        var (from, to) = (Today.AddDays(1), Today.AddDays(2));
        var later = EvaluationFile.Events(await Export(from: from, to: to)).Values.Select(CaseFacts.Fold).OfType<CaseFacts>().ToList();
        var laterQuery = new StatisticsQuery(PeriodKind.Custom, from, to);
        Indicators.Differences(Indicators.Compute(stored, laterQuery, calendars), Indicators.Compute(later, laterQuery, calendars),
            "store", "export").ShouldBeEmpty();
        Indicators.Compute(later, laterQuery, calendars).Sum(r => r.PendingNotDue + r.PendingOverdue).ShouldBe(1);
    }

    [Fact]
    public async Task a_later_period_holds_the_application_still_open_and_not_those_finished_before_it()
    {
        var cases = await Seed();

        var later = await Export(from: Today.AddDays(1), to: Today.AddDays(2));

        Verify(later).Problems.ShouldBeEmpty();
        Records(later)[0]["streams"]!.AsArray().Select(s => Guid.Parse(s!["stream"]!.GetValue<string>())).ShouldBe([cases[0].Id]);
    }

    [Fact]
    public async Task the_same_applicant_gets_the_same_pseudonym_and_another_applicant_another()
    {
        var cases = await Seed();

        var submitted = Records(await Export()).Where(r => r["type"]?.GetValue<string>() == "application_submitted")
            .ToDictionary(r => Guid.Parse(r["stream"]!.GetValue<string>()),
                r => JsonNode.Parse(r["data"]!.GetValue<string>())!["applicant"]!.AsObject());

        string Id(int i) => submitted[cases[i].Id]["idNumber"]!.GetValue<string>();
        string Name(int i) => submitted[cases[i].Id]["name"]!.GetValue<string>();
        Id(0).ShouldStartWith(Pseudonyms.Prefix);
        (Id(1), Name(1)).ShouldBe((Id(0), Name(0)), "written with other spaces, it is the same person");
        Id(2).ShouldNotBe(Id(0));
        Name(2).ShouldNotBe(Name(0));
        submitted[cases[2].Id]["phone"]!.GetValue<string>().ShouldStartWith(Pseudonyms.Prefix);
    }

    [Fact]
    public async Task each_kind_of_change_to_an_event_or_a_link_is_named()
    {
        var cases = await Seed();
        var records = Records(await Export());
        var stream = cases[0].Id;
        var head = records[0]["streams"]!.AsArray().Single(s => s!["stream"]!.GetValue<string>() == $"{stream}")!["head"]!
            .GetValue<long>();
        head.ShouldBeGreaterThan(4);

        byte[] Changed(Action<List<JsonObject>> change)
        {
            var copy = records.Select(r => r.DeepClone().AsObject()).ToList();
            change(copy);
            return File(copy);
        }
        void Swap(List<JsonObject> r, int a, int b) => (r[a], r[b]) = (r[b], r[a]);
        JsonObject Beyond(JsonObject r)
        {
            var extra = r.DeepClone().AsObject();
            extra["version"] = head + 1;
            return extra;
        }

        ShouldName(Verify(Changed(r => r[Find(r, "event", stream, 2)]["timestamp"] = "2020-01-01T00:00:00.000000Z")),
            ExportFault.Altered, stream, 2);
        ShouldName(Verify(Changed(r => r.RemoveAt(Find(r, "event", stream, 3)))), ExportFault.Removed, stream, 3);
        ShouldName(Verify(Changed(r => Swap(r, Find(r, "event", stream, 2), Find(r, "event", stream, 3)))),
            ExportFault.Reordered, stream, 2);
        ShouldName(Verify(Changed(r => r.Insert(Find(r, "event", stream, head) + 1, Beyond(r[Find(r, "event", stream, head)])))),
            ExportFault.Inserted, stream, head + 1);
        ShouldName(Verify(Changed(r => r[Find(r, "link", stream, 2)]["contentHash"] = new string('0', 64))),
            ExportFault.Altered, stream, 2);
        ShouldName(Verify(Changed(r => r.RemoveAt(Find(r, "link", stream, 2)))), ExportFault.Unlinked, stream, 2);
        ShouldName(Verify(Changed(r => Swap(r, Find(r, "link", stream, 3), Find(r, "link", stream, 4)))),
            ExportFault.Reordered, stream, 3);
        ShouldName(Verify(Changed(r => r.Insert(Find(r, "link", stream, head) + 1, Beyond(r[Find(r, "link", stream, head)])))),
            ExportFault.Inserted, stream, head + 1);
        // The newest event cut off with its link: the header and the seal still say where the stream ends.
        ShouldName(Verify(Changed(r =>
        {
            r.RemoveAt(Find(r, "link", stream, head));
            r.RemoveAt(Find(r, "event", stream, head));
        })), ExportFault.Removed, stream, head);
    }

    [Fact]
    public async Task a_consistent_rewrite_signed_with_another_key_fails_against_the_operators_key()
    {
        var cases = await Seed();
        var records = Records(await Export());
        var stream = cases[0].Id;
        // Someone recomputes every public value after changing an event, and signs with a key of his own.
        var at = Find(records, "event", stream, 2);
        records[at]["timestamp"] = "2020-01-01T00:00:00.000000Z";
        var chain = Array.Empty<byte>();
        foreach (var link in records.Where(r =>
                     r["record"]!.GetValue<string>() == "link" && r["stream"]!.GetValue<string>() == $"{stream}"))
        {
            var version = link["version"]!.GetValue<long>();
            var e = records[Find(records, "event", stream, version)];
            var parts = new EventParts(S(e, "id"), S(e, "stream"), S(e, "type"), S(e, "data"), S(e, "headers"), S(e, "user"),
                S(e, "correlation"), S(e, "causation"), S(e, "timestamp"), S(e, "dotnetType"), S(e, "body"));
            link["publicHash"] = EvaluationFile.Hex(parts.Hash());
            chain = EvaluationFile.Chain(chain, $"{stream}", version, S(link, "contentHash"), S(link, "publicHash"), S(link, "link"));
            link["chain"] = EvaluationFile.Hex(chain);
        }
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        records[0]["publicKey"] = Convert.ToBase64String(forger.ExportSubjectPublicKeyInfo());
        records[0]["fingerprint"] = EvaluationFile.Fingerprint(forger);
        using var output = new MemoryStream();
        using (var writer = new EvaluationFile.Writer(output))
        {
            foreach (var record in records.Where(r => r["record"]!.GetValue<string>() != "signature"))
                await writer.WriteAsync(record, default);
            await writer.SignAsync(forger, default);
        }

        EvaluationFile.Verify(output.ToArray()).Problems.ShouldBeEmpty("against the key the file names, it is whole");
        Verify(output.ToArray()).Problems.ShouldHaveSingleItem().Kind.ShouldBe(ExportFault.Unsigned);
    }

    private static string S(JsonObject o, string name) => o[name]!.GetValue<string>();

    [Fact]
    public void a_file_that_is_not_an_export_is_reported_line_by_line_not_crashed_on()
    {
        foreach (var text in new[] { "", "not json\n[1,2]\n", "{\"record\":\"event\",\"stream\":\"x\"}\n",
                     "{\"record\":\"export\",\"format\":\"workflow-evaluation-export/1\",\"streams\":[{\"stream\":7}]," +
                     "\"publicKey\":\"%%\"}\n{\"record\":\"seal\",\"root\":\"00\",\"heads\":[{\"stream\":\"nope\"}]}\n" +
                     "{\"record\":\"signature\",\"value\":\"***\"}\n" })
        {
            var result = EvaluationFile.Verify(Encoding.UTF8.GetBytes(text), _operator);
            result.Intact.ShouldBeFalse(text);
            result.Problems.ShouldContain(p => p.Kind == ExportFault.Malformed, text);
        }
    }

    [Fact]
    public async Task without_a_seal_covering_the_period_or_with_a_broken_chain_nothing_is_exported()
    {
        var cases = await Seed();

        var unsealed = await Should.ThrowAsync<EvaluationRefused>(() => Export(seal: false));
        unsealed.Message.ShouldContain("no seal");

        await using (var command = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                         $"update {WorkflowStore.Schema}.mt_events set data = jsonb_set(data, '{{reason}}', '\"rewritten\"') " +
                         "where stream_id = @id and type = 'step_approved'"))
        {
            command.Parameters.AddWithValue("id", cases[0].Id);
            await command.ExecuteNonQueryAsync();
        }
        var broken = await Should.ThrowAsync<EvaluationRefused>(() => Export());
        broken.Message.ShouldContain($"application {cases[0].Id} is broken");
    }

    [Fact]
    public async Task the_tool_exports_and_an_evaluator_verifies_the_file_with_the_published_key()
    {
        await Seed();
        var folder = Directory.CreateTempSubdirectory("evaluation-").FullName;
        try
        {
            await System.IO.File.WriteAllTextAsync(Path.Combine(folder, "operator.pem"), _operator.ExportPkcs8PrivateKeyPem());
            await System.IO.File.WriteAllTextAsync(Path.Combine(folder, "operator.pub.pem"), _operator.ExportSubjectPublicKeyInfoPem());
            var environment = new Dictionary<string, string>
            {
                [ChainKey.Variable] = ChainKey.DevelopmentKey, ["ConnectionStrings__Workflow"] = Api.ConnectionString,
                [Pseudonyms.Variable] = PseudonymKey,
            };

            var export = ServerProcess.Cli(folder, ["export-evaluation", "--from", $"{Today.AddDays(-1):yyyy-MM-dd}",
                "--to", $"{Today:yyyy-MM-dd}", "--out", "period.jsonl", "--signing-key", "operator.pem", "--seal"], environment);
            (await export.ExitAsync()).ShouldBe(0, export.AllOutput);
            var seal = (await Api.Auditor.GetFromJsonAsync<JsonElement>("/api/oversight/seals/latest")).GetProperty("root").GetString()!;

            // The evaluator: no connection string, no chain key.
            var verify = ServerProcess.Cli(folder, ["verify", "--export", "period.jsonl", "--public-key", "operator.pub.pem",
                "--seal-root", seal, "--figures", "--workflows", Path.Combine(ApiFixture.RepositoryRoot(), "workflows")]);
            (await verify.ExitAsync()).ShouldBe(0, verify.AllOutput);
            verify.Output.ShouldContain(l => l.Contains("3 application(s)") && l.EndsWith("intact"));
            var json = string.Join('\n', verify.Output.SkipWhile(l => !l.StartsWith('[')));
            JsonDocument.Parse(json).RootElement.EnumerateArray().Sum(r => r.GetProperty("received").GetInt32()).ShouldBe(3);

            var path = Path.Combine(folder, "period.jsonl");
            var lines = (await System.IO.File.ReadAllLinesAsync(path)).ToList();
            lines.RemoveAt(2);
            await System.IO.File.WriteAllLinesAsync(path, lines);
            var tampered = ServerProcess.Cli(folder, ["verify", "--export", "period.jsonl", "--public-key", "operator.pub.pem"]);
            (await tampered.ExitAsync()).ShouldBe(1, tampered.AllOutput);
            tampered.AllOutput.ShouldContain("BROKEN removed");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
