using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Snapshooter.Xunit;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Store.Audit;

namespace Workflow.Api.Tests;

public class when_a_case_file_is_exported(ApiFixture api) : ApiTest(api)
{
    private static readonly TimeSpan Lao = TimeSpan.FromHours(7);

    /// <summary>A sample case run through the real decider and calendar with fixed ids and times, so its report never varies.</summary>
    private static CaseFile SampleCase()
    {
        var (recorded, office) = SampleEvents();
        return CaseFile.Build(recorded, new StreamVerification(recorded[0].Data is ApplicationSubmitted s ? s.ApplicationId : default,
            recorded.Count, true, null), new DateTimeOffset(2024, 7, 1, 9, 0, 0, Lao), office);
    }

    /// <summary>The sample case's events, and the time zone of the office that received it.</summary>
    private static (List<CaseEvent> Recorded, TimeZoneInfo Office) SampleEvents()
    {
        var catalog = WorkflowCatalog.Load(Path.Combine(ApiFixture.RepositoryRoot(), "workflows"));
        var definition = catalog.Find("enterprise-registration")!;
        var id = Guid.Parse("0192a000-0000-7000-8000-000000000042");
        var clerk = new Core.Applications.Actor("clerk-1", "Phonesavanh K.", "odsc", "clerk");
        var officer = new Core.Applications.Actor("officer-7", "Bounthanh S.", "moic-enterprise-registration", "officer");
        var seal = new Core.Applications.Actor("officer-9", "Khamphet V.", "mops-seal-office", "officer");
        Application? state = null;
        var recorded = new List<CaseEvent>();
        void Run(ApplicationCommand command, DateTimeOffset at)
        {
            foreach (var e in Decider.Decide(command, state, definition, catalog.Calendars.ForCentre("VTE", at), at))
            {
                state = Application.Evolve(state, e);
                recorded.Add(new CaseEvent(recorded.Count + 1, at, ApplicationEvents.Aliases[e.GetType()], command.By.UserId,
                    command.By.Name, command.By.Role, command.By.Agency, command.By.Role == "system" ? "system" : "counter", e));
            }
        }
        Run(new SubmitApplication(id, "VTE-2024-000042", "VTE", "counter", new Applicant("Somchai Phommavong"),
            new Dictionary<string, JsonElement>
            {
                ["enterprise_name"] = JsonSerializer.SerializeToElement("Mekong Rice Trading"),
                ["enterprise_type"] = JsonSerializer.SerializeToElement("sole-trader"),
                ["registered_capital"] = JsonSerializer.SerializeToElement(50_000_000),
                ["business_sector"] = JsonSerializer.SerializeToElement("wholesale"),
                ["has_employees"] = JsonSerializer.SerializeToElement(false),
                ["province"] = JsonSerializer.SerializeToElement("Vientiane Capital"),
            }, ["application-form", "owner-id"], clerk), new DateTimeOffset(2024, 6, 3, 9, 0, 0, Lao));
        Run(new DecideStep("intake", StepOutcome.Approve, "all documents present", null, clerk),
            new DateTimeOffset(2024, 6, 3, 10, 0, 0, Lao));
        Run(new DecideStep("register", StepOutcome.Return, "the name is not written in Lao script", "add the Lao name", officer),
            new DateTimeOffset(2024, 6, 5, 11, 0, 0, Lao));
        Run(new SubmitCorrection(
                new Dictionary<string, JsonElement> { ["enterprise_name"] = JsonSerializer.SerializeToElement("ບໍລິສັດ ແມ່ຂອງ") },
                [], "Lao name added", clerk),
            new DateTimeOffset(2024, 6, 7, 9, 0, 0, Lao));
        Run(new ReachDeadline("register", DeadlineScopes.System), new DateTimeOffset(2024, 6, 19, 12, 0, 0, Lao));
        Run(new DecideStep("register", StepOutcome.Approve, "registered; certificate 01-2024-0042", null, officer),
            new DateTimeOffset(2024, 6, 24, 10, 0, 0, Lao));
        Run(new DecideStep("seal", StepOutcome.Approve, "seal registered", null, seal), new DateTimeOffset(2024, 6, 26, 14, 0, 0, Lao));
        Run(new DecideStep("handover", StepOutcome.Approve, "handed to the applicant", null, clerk),
            new DateTimeOffset(2024, 6, 27, 9, 30, 0, Lao));
        return (recorded, catalog.Calendars.ForCentre("VTE", recorded[0].RecordedAt).Zone);
    }

    [Fact]
    public void its_json_states_each_events_instants_in_the_offices_zone_as_restating_each_event_first_did()
    {
        // The events as a store may give them back: every instant in UTC.
        var (recorded, office) = SampleEvents();
        var utc = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new InZone(TimeZoneInfo.Utc) } };
        var inOffice = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new InZone(office) } };
        object Through(object data, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(data, data.GetType(), options), data.GetType(), options)!;
        var stored = recorded.Select(e => e with { RecordedAt = e.RecordedAt.ToUniversalTime(), Data = Through(e.Data, utc) }).ToList();
        var verification = new StreamVerification(Guid.Empty, stored.Count, true, null);
        var generated = new DateTimeOffset(2024, 7, 1, 2, 0, 0, TimeSpan.Zero);
        var api = Api.Factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<JsonOptions>>().Value.SerializerOptions;

        var file = CaseFile.Build(stored, verification, generated, office);
        var written = JsonSerializer.Serialize(file, file.Writing(api));
        // As the case file was written before: each event restated in the office's zone by a round trip, then plain options.
        var restated = CaseFile.Build([.. stored.Select(e => e with { Data = Through(e.Data, inOffice) })], verification, generated, office);

        written.ShouldBe(JsonSerializer.Serialize(restated, api));
        written.ShouldNotContain("+00:00");
        written.ShouldNotContain("Z\"");
        JsonSerializer.Serialize(file, api).ShouldContain("+00:00", Case.Sensitive, "the events themselves kept their instants as read");
    }

    [Fact]
    public void the_html_case_file_reads_as_a_report()
    {
        var file = SampleCase();
        file.Timeliness.ShouldBe("on-time");
        file.Decisions.Single(d => d.StepId == "register" && d.Outcome == "approved").Late.ShouldBeTrue();

        var html = CaseFileHtml.Render(file);

        html.ShouldContain("<h1>Case file VTE-2024-000042</h1>");
        html.ShouldNotContain("<script");
        Snapshot.Match(html);
    }

    [Fact]
    public async Task the_api_serves_it_as_json_and_html_and_records_who_opened_it()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("land-title-transfer")));
        await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });

        var json = await Api.Auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{created.Id}/case-file");
        json.GetProperty("trackingNumber").GetString().ShouldBe(created.TrackingNumber);
        json.GetProperty("verified").GetBoolean().ShouldBeTrue();
        json.GetProperty("decisions")[0].GetProperty("reason").GetString().ShouldBe("complete");
        json.GetProperty("procedure").GetString().ShouldBe("land-title-transfer");

        var html = await Api.Auditor.GetAsync($"/api/applications/{created.Id}/case-file?format=html");
        html.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        html.Content.Headers.ContentType.CharSet.ShouldBe("utf-8");
        var report = await html.Content.ReadAsByteArrayAsync();
        html.Content.Headers.ContentLength.ShouldBe(report.Length);
        report.Take(3).ShouldNotBe(Encoding.UTF8.Preamble.ToArray(), "no byte order mark before the doctype");
        var text = Encoding.UTF8.GetString(report);
        text.ShouldStartWith("<!DOCTYPE html>");
        text.ShouldContain(created.TrackingNumber);
        text.ShouldEndWith("</table>\n</body></html>\n", Case.Sensitive, "the whole report arrived");
        (await Api.Auditor.GetAsync($"/api/applications/{created.Id}/case-file?format=pdf")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var log = await Api.Auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{created.Id}/access-log");
        log.EnumerateArray().Count(e => e.GetProperty("what").GetString() == "case-file").ShouldBe(2);
    }

    [Fact]
    public async Task whole_case_answers_built_one_at_a_time_all_arrive_whole_and_a_failed_one_lets_the_next_through()
    {
        var oneAtATime = Api.Shared(new() { ["Workflow:Reads:WholeCasesAtOnce"] = "1" });
        var auditor = ApiFixture.Client(oneAtATime, Core.Access.Roles.Auditor, null, "auditor-1");
        var clerk = ApiFixture.Client(oneAtATime, Core.Access.Roles.Clerk, "odsc", "clerk-vte");
        var created = await Read<Created>(await Post(clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        await Post(clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" });

        // An application that is not there fails inside the turn, for the file and for the history: the turn is given back.
        (await auditor.GetAsync($"/api/applications/{Guid.NewGuid()}/case-file")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await auditor.GetAsync($"/api/applications/{Guid.NewGuid()}/history")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var waiting = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            var path = $"/api/applications/{created.Id}/{(i % 3 == 0 ? "history" : i % 3 == 1 ? "case-file" : "case-file?format=html")}";
            using var answer = await auditor.GetAsync(path, waiting.Token);
            return (answer.StatusCode, Body: await answer.Content.ReadAsStringAsync(waiting.Token), answer.Headers.ETag);
        }));

        answers.ShouldAllBe(a => a.StatusCode == HttpStatusCode.OK);
        answers.Where((_, i) => i % 3 == 0).Select(a => JsonDocument.Parse(a.Body).RootElement.GetProperty("events").GetArrayLength())
            .Distinct().ShouldBe([5]);
        answers.Where((_, i) => i % 3 == 0).ShouldAllBe(a => a.ETag != null);
        answers.Where((_, i) => i % 3 == 1).Select(a => JsonDocument.Parse(a.Body).RootElement.GetProperty("verified").GetBoolean())
            .Distinct().ShouldBe([true]);
        answers.Where((_, i) => i % 3 == 2).ShouldAllBe(a => a.Body.Contains(created.TrackingNumber));
    }
}

public class when_whole_case_answers_take_turns
{
    /// <summary>A reader who never takes the bytes sent to him: every write waits for ever.</summary>
    private sealed class NeverRead : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellation) =>
            Task.Delay(Timeout.Infinite, cancellation);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellation = default) =>
            new(Task.Delay(Timeout.Infinite, cancellation));
    }

    private static DefaultHttpContext Reader(Stream body) => new()
    {
        RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider(),
        Response = { Body = body },
    };

    [Fact]
    public async Task a_reader_who_never_takes_his_answer_holds_no_turn()
    {
        var reads = new Hosting.WholeCaseReads(1);
        using var stop = new CancellationTokenSource();
        var stuck = reads.AnswerAsync(Reader(new NeverRead()), () => Task.FromResult(Results.Text("the whole case")), stop.Token);

        using var received = new MemoryStream();
        var next = Reader(received);
        await reads.AnswerAsync(next, () => Task.FromResult(Results.Text("another case", "text/plain")), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Encoding.UTF8.GetString(received.ToArray()).ShouldBe("another case");
        next.Response.ContentLength.ShouldBe(12);
        next.Response.ContentType!.ShouldStartWith("text/plain");
        stuck.IsCompleted.ShouldBeFalse();
        await stop.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => stuck);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16 * 1024)]
    [InlineData(3 * 16 * 1024)]
    [InlineData(3 * 16 * 1024 + 1)]
    [InlineData(1_000_003)]
    public async Task an_answer_of_any_length_arrives_whole_and_in_order(int bytes)
    {
        // Lao letters (three bytes each) and a marker every so often, so a block boundary falls inside letters and any
        // block sent twice, lost or out of order shows.
        var text = new StringBuilder();
        for (var i = 0; Encoding.UTF8.GetByteCount(text.ToString()) < bytes - 16; i += 1000)
            text.Append($"[{i}]").Append('ກ', Math.Min(300, (bytes - Encoding.UTF8.GetByteCount(text.ToString())) / 3));
        text.Append('x', bytes - Encoding.UTF8.GetByteCount(text.ToString()));
        var answer = text.ToString();
        Encoding.UTF8.GetByteCount(answer).ShouldBe(bytes);

        using var received = new MemoryStream();
        var reader = Reader(received);
        await new Hosting.WholeCaseReads(1).AnswerAsync(reader, () => Task.FromResult(Results.Text(answer)), CancellationToken.None);

        reader.Response.ContentLength.ShouldBe(bytes);
        Encoding.UTF8.GetString(received.ToArray()).ShouldBe(answer);
    }
}
