using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Workflow.Store;

namespace Workflow.Api.Tests;

public sealed record HolderView(string Text, string Agency, string StepId, DateTimeOffset DueAt, string DueText);

public sealed record CorrectionView(string Text, string Agency, string StepId, string Reason, string? Comment);

public sealed record CitizenView(string TrackingNumber, string Language, string Procedure, string Status, string StatusText,
    List<HolderView> Holders, DateTimeOffset? ExpectedAt, string? ExpectedText, string? Apology, List<CorrectionView> Corrections,
    DateTimeOffset? CorrectBy, string? CorrectByText, string? Result, DateTimeOffset? EndedAt, bool MayRate, int? Rating);

public sealed record Receipt(Guid Id, string TrackingNumber, string Status, long Version, List<string> Events, string? AccessCode);

/// <summary>
/// The public tracking API, on a host whose per-address rate limit (all test requests come from one address) is high
/// enough for every test of the class; the limit itself is tested on a host of its own.
/// </summary>
public class when_the_citizen_tracks_an_application(ApiFixture api) : ApiTest(api)
{
    private WebApplicationFactory<Program> Host => Api.Shared(new() { ["Workflow:Tracking:PermitsPerMinute"] = "1000" });

    private HttpClient Clerk => ApiFixture.Client(Host, "clerk", "odsc", "clerk-vte");
    private HttpClient Officer => ApiFixture.Client(Host, "officer", "moic-enterprise-registration");
    private HttpClient Citizen => Host.CreateClient();

    public static object Lao(string workflowId = "enterprise-registration")
    {
        var body = JsonSerializer.SerializeToNode(Samples.Submission(workflowId))!;
        body["applicant"] = JsonSerializer.SerializeToNode(new
        {
            name = "Somchai Phommavong", idNumber = "0123456", email = "somchai@example.la", phone = "+856 20 5555 1234", language = "lo",
        });
        return body;
    }

    private async Task<Receipt> Submitted(object? body = null)
    {
        var response = await Post(Clerk, "/api/applications", body ?? Lao());
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        return await Read<Receipt>(response);
    }

    private async Task Decide(HttpClient client, Guid id, string step, string outcome, string reason, string? comment = null) =>
        (await Post(client, $"/api/applications/{id}/steps/{step}/decision", new { outcome, reason, comment }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

    private Task<HttpResponseMessage> Track(string number, string code, string? lang = null, string? acceptLanguage = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tracking")
        {
            Content = JsonContent.Create(new { trackingNumber = number, accessCode = code, lang }),
        };
        if (acceptLanguage is not null) request.Headers.AcceptLanguage.ParseAdd(acceptLanguage);
        return Citizen.SendAsync(request);
    }

    [Fact]
    public async Task the_receipt_carries_an_access_code_that_is_stored_only_as_a_salted_hash()
    {
        var receipt = await Submitted();

        receipt.AccessCode.ShouldNotBeNull().ShouldMatch("^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$");
        await using var command = Host.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            $"select data::text from {WorkflowStore.Schema}.mt_events where stream_id = @id and type = 'application_submitted'");
        command.Parameters.AddWithValue("id", receipt.Id);
        var stored = (string)(await command.ExecuteScalarAsync())!;
        stored.ShouldContain("pbkdf2-sha256$");
        stored.ShouldNotContain(receipt.AccessCode.Replace("-", ""));
        stored.ShouldNotContain(receipt.AccessCode);
        (await Track(receipt.TrackingNumber, receipt.AccessCode.ToLowerInvariant().Replace("-", " ")))
            .StatusCode.ShouldBe(HttpStatusCode.OK, "typed in lower case with a space");
    }

    [Fact]
    public async Task a_retried_submission_does_not_show_the_code_again()
    {
        var request = () =>
        {
            var client = Clerk;
            client.DefaultRequestHeaders.Add("Idempotency-Key", "receipt-7");
            return Post(client, "/api/applications", Lao());
        };
        var first = await Read<Receipt>(await request());
        var again = await Read<Receipt>(await request());

        again.Id.ShouldBe(first.Id);
        first.AccessCode.ShouldNotBeNull();
        again.AccessCode.ShouldBeNull();
    }

    [Fact]
    public async Task in_lao_the_citizen_reads_who_holds_the_application_and_by_when()
    {
        var receipt = await Submitted();
        await Decide(Clerk, receipt.Id, "intake", "approve", "complete");

        var view = await Read<CitizenView>(await Track(receipt.TrackingNumber, receipt.AccessCode!, acceptLanguage: "lo-LA,en;q=0.5"));

        view.Language.ShouldBe("lo");
        view.StatusText.ShouldBe("ກຳລັງພິຈາລະນາ");
        view.Holders.ShouldHaveSingleItem().Text.ShouldBe("ຢູ່ນຳ ກະຊວງອຸດສາຫະກຳ ແລະ ການຄ້າ: ຈົດທະບຽນວິສາຫະກິດ");
        view.ExpectedAt.ShouldNotBeNull();
        view.ExpectedText.ShouldStartWith("ຄາດວ່າຈະແລ້ວພາຍໃນວັນທີ ");
        view.Procedure.ShouldBe("ການຈົດທະບຽນວິສາຫະກິດ");

        var english = await Read<CitizenView>(await Track(receipt.TrackingNumber, receipt.AccessCode!, lang: "en", acceptLanguage: "lo"));
        english.Holders.ShouldHaveSingleItem().Text.ShouldBe("With the Ministry of Industry and Commerce: registration");
        english.StatusText.ShouldBe("Being processed");
    }

    [Fact]
    public async Task after_a_return_the_citizen_reads_what_to_correct_and_by_when_but_never_who_they_are()
    {
        var receipt = await Submitted();
        await Decide(Clerk, receipt.Id, "intake", "approve", "complete");
        await Decide(Officer, receipt.Id, "register", "return", "ຊື່ວິສາຫະກິດບໍ່ແມ່ນອັກສອນລາວ", "ກະລຸນາຂຽນຊື່ເປັນພາສາລາວ");

        var response = await Track(receipt.TrackingNumber, receipt.AccessCode!);
        var raw = await response.Content.ReadAsStringAsync();
        var view = JsonSerializer.Deserialize<CitizenView>(raw, ApiFixture.Json)!;

        view.Language.ShouldBe("lo", "the applicant's language when the request names none");
        view.StatusText.ShouldBe("ສົ່ງຄືນໃຫ້ທ່ານແກ້ໄຂ");
        view.Corrections.ShouldHaveSingleItem().Text
            .ShouldBe("ສົ່ງຄືນໂດຍ ກະຊວງອຸດສາຫະກຳ ແລະ ການຄ້າ: ຊື່ວິສາຫະກິດບໍ່ແມ່ນອັກສອນລາວ. ກະລຸນາຂຽນຊື່ເປັນພາສາລາວ");
        view.CorrectBy.ShouldNotBeNull();
        view.CorrectByText.ShouldStartWith("ກະລຸນານຳເອກະສານທີ່ແກ້ໄຂແລ້ວມາຫ້ອງການບໍລິການປະຕູດຽວ ພາຍໃນວັນທີ ");
        view.Holders.ShouldBeEmpty();
        foreach (var secret in new[] { "0123456", "Somchai", "somchai@example.la", "5555", "pbkdf2" }) raw.ShouldNotContain(secret);
    }

    [Fact]
    public async Task a_wrong_number_and_a_wrong_code_get_the_same_answer()
    {
        var receipt = await Submitted();
        var other = await Submitted();

        var wrongCode = await Track(receipt.TrackingNumber, other.AccessCode!, lang: "en");
        var wrongNumber = await Track(receipt.TrackingNumber + "9", receipt.AccessCode!, lang: "en");

        wrongCode.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        wrongNumber.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var a = await Read<Problem>(wrongCode);
        var b = await Read<Problem>(wrongNumber);
        (a.Title, a.Detail).ShouldBe((b.Title, b.Detail));
        a.Detail.ShouldBe("No application matches this tracking number and access code.");
    }

    [Fact]
    public async Task bad_input_is_a_400_naming_the_field()
    {
        var response = await Citizen.PostAsJsonAsync("/api/tracking", new { trackingNumber = "", lang = "fr" });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Read<Problem>(response)).Errors!.Keys.Order().ShouldBe(["accessCode", "lang", "trackingNumber"]);
    }

    [Fact]
    public async Task the_citizen_rates_an_ended_case_once_as_an_event_of_the_case()
    {
        var receipt = await Submitted();
        await Decide(Clerk, receipt.Id, "intake", "approve", "complete");
        var rate = (int rating, string code) => Citizen.PostAsJsonAsync("/api/tracking/feedback",
            new { trackingNumber = receipt.TrackingNumber, accessCode = code, rating, comment = "ໄວ ແລະ ສຸພາບ" });

        var early = await rate(5, receipt.AccessCode!);
        early.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Read<Problem>(early)).Code.ShouldBe("not-ended");

        await Decide(Officer, receipt.Id, "register", "reject", "the name is already registered");
        (await rate(4, "WRONG-CODE")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await rate(9, receipt.AccessCode!)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await rate(4, receipt.AccessCode!)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var again = await rate(1, receipt.AccessCode!);
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Read<Problem>(again)).Code.ShouldBe("already-rated");

        var auditor = ApiFixture.Client(Host, "auditor", null);
        var history = await Read<History>(await auditor.GetAsync($"/api/applications/{receipt.Id}/history"));
        var rated = history.Events.Where(e => e.Type == "service_rated").ShouldHaveSingleItem();
        rated.Data.GetProperty("rating").GetInt32().ShouldBe(4);
        rated.Data.GetProperty("by").GetProperty("role").GetString().ShouldBe("citizen");
        rated.Actor.UserId.ShouldBe($"citizen:{receipt.TrackingNumber}");

        var view = await Read<CitizenView>(await Track(receipt.TrackingNumber, receipt.AccessCode!, lang: "en"));
        view.Result.ShouldBe("Your application was refused: the name is already registered");
        (view.Rating, view.MayRate).ShouldBe((4, false));
    }
}

public class when_the_legal_deadline_passes_undecided(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task the_citizen_reads_the_apology_and_the_new_expected_date()
    {
        var clock = Api.Clock;
        clock.Now = new DateTimeOffset(2024, 6, 3, 9, 0, 0, TimeSpan.FromHours(7));
        var host = Api.Clocked;
        var clerk = ApiFixture.Client(host, "clerk", "odsc", "clerk-vte");
        var receipt = await Read<Receipt>(await Post(clerk, "/api/applications", when_the_citizen_tracks_an_application.Lao()));
        (await Post(clerk, $"/api/applications/{receipt.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var citizen = host.CreateClient();
        var track = async () => await Read<CitizenView>(await citizen.PostAsJsonAsync("/api/tracking",
            new { trackingNumber = receipt.TrackingNumber, accessCode = receipt.AccessCode, lang = "en" }));
        var legal = (await track()).ExpectedAt;

        clock.Now = new DateTimeOffset(2024, 8, 5, 9, 0, 0, TimeSpan.FromHours(7));
        var sweeper = host.Services.GetRequiredService<Store.Applications.DeadlineSweeper>();
        while (await sweeper.SweepOnceAsync() > 0) { }
        var view = await track();

        view.ExpectedAt.ShouldNotBeNull().ShouldBeGreaterThan(legal!.Value);
        view.Apology.ShouldBe($"We are sorry: the deadline set by law was missed. The new expected date is {view.ExpectedAt:d MMMM yyyy}.");
        view.ExpectedText.ShouldBe($"Expected by {view.ExpectedAt:d MMMM yyyy}");
    }
}

public class when_the_counter_names_the_applicants_language_and_contact(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task an_unknown_language_or_a_malformed_contact_is_a_400_naming_each_and_nothing_is_received()
    {
        var body = JsonSerializer.SerializeToNode(Samples.Submission("enterprise-registration"))!;
        body["applicant"] = JsonSerializer.SerializeToNode(
            new { name = "Noy", language = "fr", email = "not-an-address", phone = "call me" });

        var response = await Post(Api.Clerk, "/api/applications", body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Read<Problem>(response)).Errors!.Keys.Order().ShouldBe(["applicant.email", "applicant.language", "applicant.phone"]);
        (await Api.CountsAsync()).ShouldBe((0, 0));
    }
}

public class when_one_address_guesses_access_codes(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task twenty_wrong_codes_in_a_minute_are_refused_with_429()
    {
        await using var host = ApiFixture.Host(Api.ConnectionString);
        var clerk = ApiFixture.Client(host, "clerk", "odsc", "clerk-vte");
        var receipt = await Read<Receipt>(await Post(clerk, "/api/applications", when_the_citizen_tracks_an_application.Lao()));
        var citizen = host.CreateClient();
        var track = (string code) =>
            citizen.PostAsJsonAsync("/api/tracking", new { trackingNumber = receipt.TrackingNumber, accessCode = code });

        for (var guess = 0; guess < 20; guess++)
            (await track($"AAAA-{guess:D4}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var refused = await track(receipt.AccessCode!);

        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, "even the right code, once the address has used its attempts");
        (await Read<Problem>(refused)).Status.ShouldBe(429);
    }
}
