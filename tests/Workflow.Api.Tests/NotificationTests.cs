using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Npgsql;
using Workflow.Api.Notifications;
using Workflow.Store;
using Workflow.Store.Applications;
using Workflow.Store.Notifications;

namespace Workflow.Api.Tests;

public sealed record OutboxEntry(string Id, Guid ApplicationId, string TrackingNumber, string Kind, string Channel, string Status,
    int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? SentAt, string? LastError);

/// <summary>
/// The outbox and its dispatcher, against a real SMTP server and a real HTTP listener as the SMS gateway. The dispatcher's
/// background loop is off: each test calls its single pass and moves a clock it holds.
/// </summary>
public class when_the_applicant_is_notified(ApiFixture api, Messengers messengers) : ApiTest(api), IAsyncLifetime,
    IClassFixture<Messengers>
{
    private static readonly TimeSpan LaoOffset = TimeSpan.FromHours(7);
    private readonly ManualClock _clock = messengers.Clock;
    private readonly TestSmtpServer _smtp = messengers.Smtp;
    private readonly TestSmsGateway _sms = messengers.Sms;
    private WebApplicationFactory<Program> _host = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await Api.ResetAsync();
        const string schema = WorkflowStore.Schema;
        await using (var clean = Api.Factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                         $"delete from {schema}.{Store.Notifications.Outbox.Table}; " +
                         $"delete from {schema}.{Store.Notifications.Outbox.Recipients}"))
            await clean.ExecuteNonQueryAsync();
        messengers.Reset(new DateTimeOffset(2024, 6, 3, 9, 0, 0, LaoOffset));
        _host = messengers.Host(Api.ConnectionString);
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;

    /// <summary>A second dispatcher as another node runs it, with its own options, on the same outbox and senders.</summary>
    private NotificationDispatcher DispatcherWith(int batchSize) => ActivatorUtilities.CreateInstance<NotificationDispatcher>(
        _host.Services, _host.Services.GetRequiredService<NotificationOptions>() with { BatchSize = batchSize });

    private NotificationDispatcher Dispatcher => _host.Services.GetRequiredService<NotificationDispatcher>();
    private HttpClient Clerk => ApiFixture.Client(_host, "clerk", "odsc", "clerk-vte");

    private static object Applicant(string language, bool phone = true) => new
    {
        name = "Somchai Phommavong", idNumber = "0123456", email = $"somchai.{language}@example.la",
        phone = phone ? "+856 20 5555 1234" : null, language,
    };

    private async Task<Receipt> Submitted(object applicant)
    {
        var body = JsonSerializer.SerializeToNode(Samples.Submission("enterprise-registration"))!;
        body["applicant"] = JsonSerializer.SerializeToNode(applicant);
        var response = await Post(Clerk, "/api/applications", body);
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        return await Read<Receipt>(response);
    }

    private async Task Decide(Guid id, string step, string outcome, string reason, string? comment = null)
    {
        var agency = step switch
        {
            "intake" or "handover" => "odsc",
            "register" => "moic-enterprise-registration",
            "seal" => "mops-seal-office",
            _ => "molsw-social-security",
        };
        var client = agency == "odsc" ? Clerk : ApiFixture.Client(_host, "officer", agency);
        (await Post(client, $"/api/applications/{id}/steps/{step}/decision", new { outcome, reason, comment }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private async Task<List<OutboxEntry>> Messages(string? status = null) =>
        await Read<List<OutboxEntry>>(await ApiFixture.Client(_host, "auditor", null)
            .GetAsync(status is null ? "/api/notifications" : $"/api/notifications?status={status}"));

    private async Task<int> Drain(NotificationDispatcher dispatcher)
    {
        var claimed = 0;
        for (int batch; (batch = await dispatcher.DispatchOnceAsync()) > 0;) claimed += batch;
        return claimed;
    }

    private static string Key(MimeMessage mail) => mail.Headers["X-Idempotency-Key"]!;

    [Fact]
    public async Task each_kind_of_message_reaches_the_applicant_in_their_language_by_email_and_sms()
    {
        var lao = await Submitted(Applicant("lo"));
        await Decide(lao.Id, "intake", "approve", "complete");
        await Decide(lao.Id, "register", "return", "ຊື່ບໍ່ແມ່ນອັກສອນລາວ", "ຂຽນຊື່ເປັນພາສາລາວ");
        (await Post(Clerk, $"/api/applications/{lao.Id}/resubmission", new { data = new { enterprise_name = "ບໍລິສັດ ແມ່ຂອງ" } }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        // Two months on, the legal deadline has passed undecided: the sweeper records the apology with a new date.
        _clock.Now = new DateTimeOffset(2024, 8, 5, 9, 0, 0, LaoOffset);
        var sweeper = _host.Services.GetRequiredService<DeadlineSweeper>();
        while (await sweeper.SweepOnceAsync() > 0) { }
        await Decide(lao.Id, "register", "approve", "registered");
        await Decide(lao.Id, "seal", "approve", "seal registered");
        await Decide(lao.Id, "social-security", "approve", "employer registered");
        await Decide(lao.Id, "handover", "approve", "handed over");
        var english = await Submitted(Applicant("en"));
        await Decide(english.Id, "intake", "approve", "complete");
        await Decide(english.Id, "register", "reject", "the name is already registered");

        (await Drain(Dispatcher)).ShouldBe(14);

        var laoMail = _smtp.Received.Where(m => m.To.Mailboxes.Single().Address == "somchai.lo@example.la").Select(m => m.Subject).ToList();
        laoMail.ShouldBe([
            $"ໄດ້ຮັບຄຳຮ້ອງເລກທີ {lao.TrackingNumber} ແລ້ວ",
            $"ຄຳຮ້ອງເລກທີ {lao.TrackingNumber}: ກະລຸນາແກ້ໄຂ",
            $"ຄຳຮ້ອງເລກທີ {lao.TrackingNumber}: ວັນທີຄາດວ່າຈະແລ້ວໃໝ່",
            $"ຄຳຮ້ອງເລກທີ {lao.TrackingNumber}: ພ້ອມໃຫ້ມາຮັບແລ້ວ",
            $"ຄຳຮ້ອງເລກທີ {lao.TrackingNumber} ອະນຸມັດແລ້ວ",
        ], ignoreOrder: true);
        var returned = _smtp.Received.Single(m => m.Subject!.EndsWith("ກະລຸນາແກ້ໄຂ")).TextBody!;
        returned.ShouldContain("ກະຊວງອຸດສາຫະກຳ ແລະ ການຄ້າ ສົ່ງຄຳຮ້ອງເລກທີ");
        returned.ShouldContain(
            "ຊື່ບໍ່ແມ່ນອັກສອນລາວ ຂຽນຊື່ເປັນພາສາລາວ ກະລຸນານຳເອກະສານທີ່ແກ້ໄຂແລ້ວມາຫ້ອງການບໍລິການປະຕູດຽວ ພາຍໃນວັນທີ 03/07/2024.",
            customMessage: "30 calendar days after the return");
        _smtp.Received.Single(m => m.Subject!.EndsWith("ວັນທີຄາດວ່າຈະແລ້ວໃໝ່")).TextBody!.ShouldContain("ວັນທີຄາດວ່າຈະແລ້ວໃໝ່ແມ່ນ ");

        var englishMail = _smtp.Received.Where(m => m.To.Mailboxes.Single().Address == "somchai.en@example.la").ToList();
        englishMail.Select(m => m.Subject).ShouldBe(
            [$"Application {english.TrackingNumber} received", $"Application {english.TrackingNumber} refused"], ignoreOrder: true);
        englishMail.Single(m => m.Subject!.EndsWith("refused")).TextBody!
            .ShouldStartWith(
                $"Your application {english.TrackingNumber} (enterprise registration) was refused: the name is already registered");

        _sms.Received.Count.ShouldBe(7);
        _sms.Received.ShouldAllBe(s =>
            s.To == "+856 20 5555 1234" && s.Authorization == "Bearer gateway-token" && s.IdempotencyKey == s.Reference);
        _sms.Received.Count(s => s.Text.StartsWith("ຜົນຂອງຄຳຮ້ອງເລກທີ")).ShouldBe(1);
        _sms.Received.Count(s => s.Text.StartsWith($"We received your application {english.TrackingNumber}")).ShouldBe(1);

        // Each message carries its idempotency key: the outbox row's id, also the e-mail's Message-ID.
        var sent = await Messages("sent");
        sent.Count.ShouldBe(14);
        _smtp.Received.Select(Key).Concat(_sms.Received.Select(s => s.IdempotencyKey!)).Order().ShouldBe(sent.Select(r => r.Id).Order());
        _smtp.Received.ShouldAllBe(m => m.MessageId == Key(m).Replace(':', '.') + "@odsc.example.la");
    }

    [Fact]
    public async Task a_failing_smtp_server_gets_the_message_again_after_a_growing_wait_until_it_is_delivered()
    {
        await Submitted(Applicant("en", phone: false));
        _smtp.Failing = true;

        (await Dispatcher.DispatchOnceAsync()).ShouldBe(1);
        var first = (await Messages()).ShouldHaveSingleItem();
        (first.Status, first.Attempts, first.NextAttemptAt).ShouldBe(("pending", 1, _clock.Now.AddSeconds(30)));
        first.LastError.ShouldNotBeNull().ShouldContain("try again later");
        (await Dispatcher.DispatchOnceAsync()).ShouldBe(0, "not before its retry time");

        _clock.Now = _clock.Now.AddSeconds(30);
        (await Dispatcher.DispatchOnceAsync()).ShouldBe(1);
        (await Messages()).Single().NextAttemptAt.ShouldBe(_clock.Now.AddSeconds(60), "the wait doubles");
        _clock.Now = _clock.Now.AddSeconds(59);
        (await Dispatcher.DispatchOnceAsync()).ShouldBe(0);

        _smtp.Failing = false;
        _clock.Now = _clock.Now.AddSeconds(1);
        (await Dispatcher.DispatchOnceAsync()).ShouldBe(1);

        _smtp.Received.ShouldHaveSingleItem().Subject.ShouldStartWith("Application ");
        var sent = (await Messages()).Single();
        (sent.Status, sent.Attempts, sent.SentAt).ShouldBe(("sent", 3, _clock.Now));
        (await Dispatcher.DispatchOnceAsync()).ShouldBe(0, "a delivered message is not sent again");
    }

    [Fact]
    public async Task a_message_that_keeps_failing_is_given_up_and_listed_as_dead()
    {
        var receipt = await Submitted(Applicant("lo"));
        _sms.Failing = true;

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            (await Drain(Dispatcher)).ShouldBe(attempt == 1 ? 2 : 1, "the e-mail goes out at once; the SMS is retried");
            _clock.Now = _clock.Now.AddHours(1);
        }
        (await Drain(Dispatcher)).ShouldBe(0);

        var dead = (await Messages("dead")).ShouldHaveSingleItem();
        (dead.Channel, dead.Kind, dead.Attempts, dead.ApplicationId).ShouldBe(("sms", "received", 4, receipt.Id));
        dead.LastError.ShouldNotBeNull().ShouldContain("500");
        _sms.Received.ShouldBeEmpty();
        (await Api.Clerk.GetAsync("/api/notifications?status=dead")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await ApiFixture.Client(_host, "auditor", null).GetAsync("/api/notifications?status=lost"))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task two_dispatchers_at_once_deliver_every_message_exactly_once()
    {
        for (var i = 0; i < 12; i++) await Submitted(Applicant(i % 2 == 0 ? "lo" : "en"));
        var first = DispatcherWith(batchSize: 2);
        var second = DispatcherWith(batchSize: 2);

        var claimed = await Task.WhenAll(Task.Run(() => Drain(first)), Task.Run(() => Drain(second)));

        claimed.Sum().ShouldBe(24);
        claimed.ShouldAllBe(c => c > 0, "both dispatchers took part; one after the other, the first would have sent everything");
        _smtp.Received.Select(Key).Distinct().Count().ShouldBe(12);
        _smtp.Received.Count.ShouldBe(12);
        _sms.Received.Select(s => s.IdempotencyKey).Distinct().Count().ShouldBe(12);
        _sms.Received.Count.ShouldBe(12);
        (await Messages("sent")).Count.ShouldBe(24);
    }

    [Fact]
    public async Task a_dispatcher_that_dies_holding_messages_loses_none_of_them()
    {
        await Submitted(Applicant("en"));
        // A dispatcher claims both messages and dies before sending: its lease keeps them from others, then runs out.
        var rows = _host.Services.GetRequiredService<OutboxRows>();
        (await rows.ClaimAsync(["email", "sms"], 10, TimeSpan.FromMinutes(2), _clock.Now)).Count.ShouldBe(2);
        (await Dispatcher.DispatchOnceAsync()).ShouldBe(0);

        _clock.Now = _clock.Now.AddMinutes(2).AddSeconds(1);
        (await Dispatcher.DispatchOnceAsync()).ShouldBe(2);

        _smtp.Received.Count.ShouldBe(1);
        _sms.Received.Count.ShouldBe(1);
    }

    [Fact]
    public async Task a_refused_command_writes_no_message_and_an_application_without_contact_gets_none()
    {
        var receipt = await Submitted(Applicant("lo"));
        var before = (await Messages()).Count;
        (await Post(Clerk, $"/api/applications/{receipt.Id}/steps/handover/decision", new { outcome = "approve", reason = "too early" }))
            .StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Post(Clerk, "/api/applications", Samples.Submission("enterprise-registration"))).StatusCode.ShouldBe(HttpStatusCode.Created);

        (await Messages()).Count.ShouldBe(before);
        before.ShouldBe(2);
    }
}

/// <summary>
/// A real SMTP server and SMS gateway, a clock the tests move, and one host that sends through them, shared by the tests
/// of a class; <see cref="Reset"/> forgets what was received before each test.
/// </summary>
public sealed class Messengers : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _host;

    public ManualClock Clock { get; } = new(TimeProvider.System.GetUtcNow());
    public TestSmtpServer Smtp { get; private set; } = null!;
    public TestSmsGateway Sms { get; } = new();

    public async Task InitializeAsync() => Smtp = await TestSmtpServer.StartAsync();

    public void Reset(DateTimeOffset now)
    {
        Clock.Now = now;
        Smtp.Failing = false;
        Sms.Failing = false;
        Smtp.Received.Clear();
        Sms.Received.Clear();
    }

    public WebApplicationFactory<Program> Host(string connectionString)
    {
        if (_host is not null) return _host;
        var settings = new Dictionary<string, string?>
        {
            ["Workflow:Notifications:Enabled"] = "false",
            ["Workflow:Notifications:RetryDelay"] = "00:00:30",
            ["Workflow:Notifications:MaxAttempts"] = "4",
        };
        foreach (var (key, value) in Smtp.Settings().Concat(Sms.Settings())) settings[key] = value;
        return _host = ApiFixture.Host(connectionString, settings: settings, clock: Clock);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        await Smtp.DisposeAsync();
        await Sms.DisposeAsync();
    }
}
