using System.Net;
using System.Net.Http.Json;
using System.Text;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Store.Definitions;

namespace Workflow.Api.Tests;

/// <summary>
/// A table of hostile requests thrown at every endpoint: huge, deeply nested, NUL-bearing, numbers for names, values at
/// the edges of their types. Each must be refused with a 4xx problem detail and change nothing.
/// </summary>
public class when_hostile_input_arrives(ApiFixture api) : ApiTest(api)
{
    /// <param name="Answerable">An edge value that has a true answer (a 2xx); it must still change nothing.</param>
    /// <param name="Header">One extra request header, "Name: value".</param>
    public sealed record Hostile(string Name, string Role, string Method, string Url, string? Body = null, bool Answerable = false,
        string? Header = null, string ContentType = "application/json");

    private const string Nul = "\\u0000";
    private const string Zero = "00000000-0000-0000-0000-000000000000";

    private static string Nested(char open, char close, int depth) => new string(open, depth) + new string(close, depth);

    /// <summary>Block lists, each nested in the one before.</summary>
    private static string Indented(int depth) => string.Concat(Enumerable.Range(0, depth).Select(i => new string(' ', i) + "-\n"));

    private static string Json(object value) => System.Text.Json.JsonSerializer.Serialize(value);

    /// <summary>A valid submission body with one value replaced by raw JSON text.</summary>
    private static string Submission(string field, string rawValue)
    {
        var body = Json(Samples.Submission("enterprise-registration"));
        return field switch
        {
            "applicant.name" => body.Replace("\"Somchai Phommavong\"", rawValue),
            "data.enterprise_name" => body.Replace("\"Mekong Rice Trading\"", rawValue),
            "documents" => body.Replace("\"owner-id\"", rawValue),
            "workflowId" => body.Replace("\"enterprise-registration\"", rawValue),
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
    }

    /// <summary>Every endpoint that takes input, with the inputs that broke the server or slipped through.</summary>
    public static IEnumerable<Hostile> Table(Guid id)
    {
        var app = $"/api/applications/{id}";
        var decision = $"{app}/steps/register/decision";
        const string designer = "designer", clerk = "clerk", officer = "officer", supervisor = "supervisor", auditor = "auditor";

        yield return new("publish: 40 KB of nested brackets", designer, "POST", "/api/workflows",
            Json(new { fileName = "deep.yaml", source = Nested('[', ']', 20_000) }));
        yield return new("publish: nested mappings", designer, "POST", "/api/workflows",
            Json(new { fileName = "deep.yaml", source = Nested('{', '}', 20_000) }));
        yield return new("publish: nested block lists", designer, "POST", "/api/workflows",
            Json(new { fileName = "deep.yaml", source = Indented(3000) }));
        yield return new("publish: NUL in the text", designer, "POST", "/api/workflows", $"{{\"source\":\"id: x{Nul}\"}}");
        yield return new("publish: NUL in the file name", designer, "POST", "/api/workflows",
            $"{{\"fileName\":\"a{Nul}.yaml\",\"source\":\"id: x\"}}");
        yield return new("publish: deeply nested JSON body", designer, "POST", "/api/workflows", Nested('[', ']', 5000));

        yield return new("submit: NUL in the applicant's name", clerk, "POST", "/api/applications",
            Submission("applicant.name", $"\"So{Nul}m\""));
        yield return new("submit: NUL in a data field", clerk, "POST", "/api/applications",
            Submission("data.enterprise_name", $"\"Me{Nul}\""));
        yield return new("submit: NUL in a document", clerk, "POST", "/api/applications", Submission("documents", $"\"owner-id{Nul}\""));
        yield return new("submit: NUL in the procedure id", clerk, "POST", "/api/applications",
            Submission("workflowId", $"\"enterprise{Nul}\""));
        yield return new("submit: 2 MB of text in a data field", clerk, "POST", "/api/applications",
            Submission("data.enterprise_name", $"\"{new string('x', 2_000_000)}\""));
        yield return new("submit: 300 KB applicant name", clerk, "POST", "/api/applications",
            Submission("applicant.name", $"\"{new string('x', 300_000)}\""));
        yield return new("submit: 100,000 documents", clerk, "POST", "/api/applications",
            Submission("documents", string.Join(",", Enumerable.Repeat("\"owner-id\"", 100_000))));
        yield return new("submit: deeply nested data value", clerk, "POST", "/api/applications",
            Submission("data.enterprise_name", Nested('[', ']', 5000)));
        yield return new("submit: a data value nested 40 deep", clerk, "POST", "/api/applications",
            Submission("data.enterprise_name", Nested('[', ']', 40)));
        yield return new("submit: a number for the procedure id", clerk, "POST", "/api/applications", Submission("workflowId", "1"));
        yield return new("submit: truncated JSON", clerk, "POST", "/api/applications",
            Json(Samples.Submission("enterprise-registration"))[..40]);

        yield return new("resubmission: NUL in the comment", clerk, "POST", $"{app}/resubmission", $"{{\"comment\":\"a{Nul}b\"}}");
        yield return new("resubmission: NUL in data", clerk, "POST", $"{app}/resubmission",
            $"{{\"data\":{{\"enterprise_name\":\"a{Nul}\"}}}}");
        yield return new("resubmission: NUL in a data key", clerk, "POST", $"{app}/resubmission", $"{{\"data\":{{\"a{Nul}\":\"x\"}}}}");
        yield return new("withdrawal: NUL in the reason", clerk, "POST", $"{app}/withdrawal", $"{{\"reason\":\"a{Nul}b\"}}");
        yield return new("decision: NUL in the reason", officer, "POST", decision, $"{{\"outcome\":\"approve\",\"reason\":\"a{Nul}\"}}");
        yield return new("decision: NUL in the comment", officer, "POST", decision,
            $"{{\"outcome\":\"approve\",\"reason\":\"ok\",\"comment\":\"{Nul}\"}}");
        yield return new("decision: NUL in the reason code", officer, "POST", decision,
            $"{{\"outcome\":\"return\",\"reason\":\"ok\",\"reasonCode\":\"document:{Nul}\"}}");
        yield return new("decision: outcome 0", officer, "POST", decision, "{\"outcome\":0,\"reason\":\"ok\"}");
        yield return new("decision: outcome 1", officer, "POST", decision, "{\"outcome\":1,\"reason\":\"ok\"}");
        yield return new("decision: outcome 2", officer, "POST", decision, "{\"outcome\":2,\"reason\":\"ok\"}");
        yield return new("decision: outcome 99", officer, "POST", decision, "{\"outcome\":99,\"reason\":\"ok\"}");
        yield return new("decision: outcome APPROVE", officer, "POST", decision, "{\"outcome\":\"APPROVE\",\"reason\":\"ok\"}");
        yield return new("decision: outcome \"1\"", officer, "POST", decision, "{\"outcome\":\"1\",\"reason\":\"ok\"}");
        yield return new("decision: 3 MB reason", officer, "POST", decision,
            $"{{\"outcome\":\"approve\",\"reason\":\"{new string('x', 3_000_000)}\"}}");
        yield return new("acknowledgement: NUL in the comment", supervisor, "POST", $"{app}/steps/register/escalations/0/acknowledgement",
            $"{{\"comment\":\"a{Nul}\"}}");
        yield return new("acknowledgement: 100 KB comment", supervisor, "POST", $"{app}/steps/register/escalations/0/acknowledgement",
            $"{{\"comment\":\"{new string('x', 100_000)}\"}}");
        yield return new("decision: a step id of 5,000 characters", officer, "POST",
            $"{app}/steps/{new string('s', 5000)}/decision", "{\"outcome\":\"approve\",\"reason\":\"ok\"}");

        yield return new("decision: If-Match of the largest version", officer, "POST", decision,
            "{\"outcome\":\"approve\",\"reason\":\"ok\"}",
            Header: "If-Match: \"9223372036854775807\"");
        yield return new("decision: If-Match beyond a long", officer, "POST", decision, "{\"outcome\":\"approve\",\"reason\":\"ok\"}",
            Header: "If-Match: \"92233720368547758070\"");
        yield return new("decision: If-Match negative", officer, "POST", decision, "{\"outcome\":\"approve\",\"reason\":\"ok\"}",
            Header: "If-Match: \"-1\"");
        yield return new("decision: an unknown channel", officer, "POST", decision, "{\"outcome\":\"approve\",\"reason\":\"ok\"}",
            Header: "X-Channel: carrier-pigeon");
        yield return new("decision: plain text body", officer, "POST", decision, "outcome=approve", ContentType: "text/plain");
        yield return new("decision: empty body", officer, "POST", decision, "");
        yield return new("decision: JSON null body", officer, "POST", decision, "null");
        yield return new("decision: a list for a body", officer, "POST", decision, "[]");
        yield return new("acknowledgement: level -1", supervisor, "POST", $"{app}/steps/register/escalations/-1/acknowledgement", "{}");
        yield return new("acknowledgement: level 2147483648", supervisor, "POST",
            $"{app}/steps/register/escalations/2147483648/acknowledgement", "{}");
        yield return new("submit: an object for the applicant's name", clerk, "POST", "/api/applications",
            Submission("applicant.name", "{\"first\":\"A\"}"));
        yield return new("submit: a number beyond any decimal", clerk, "POST", "/api/applications",
            Json(Samples.Submission("enterprise-registration")).Replace("500000000", "1e400"));
        yield return new("withdrawal of the all-zero id", clerk, "POST", $"/api/applications/{Zero}/withdrawal", "{\"reason\":\"x\"}");
        yield return new("acknowledgement on the all-zero id", supervisor, "POST",
            $"/api/applications/{Zero}/steps/register/escalations/0/acknowledgement", "{}");
        yield return new("decision on the all-zero id", officer, "POST", $"/api/applications/{Zero}/steps/register/decision",
            "{\"outcome\":\"approve\",\"reason\":\"ok\"}");
        yield return new("resubmission on the all-zero id", clerk, "POST", $"/api/applications/{Zero}/resubmission",
            "{\"comment\":\"x\"}");
        yield return new("reading the all-zero id", auditor, "GET", $"/api/applications/{Zero}");
        yield return new("history of the all-zero id", auditor, "GET", $"/api/applications/{Zero}/history");
        yield return new("case file of the all-zero id", auditor, "GET", $"/api/applications/{Zero}/case-file");

        yield return new("atVersion one past the last event", auditor, "GET", $"{app}?atVersion=6");
        yield return new("atVersion 2147483648", auditor, "GET", $"{app}?atVersion=2147483648");
        yield return new("atVersion 9223372036854775807", auditor, "GET", $"{app}?atVersion=9223372036854775807");
        yield return new("atVersion with asOf", auditor, "GET", $"{app}?atVersion=1&asOf=2026-01-01T00:00:00Z");
        yield return new("asOf the end of time", auditor, "GET", $"{app}?asOf=9999-12-31T23:59:59Z", Answerable: true);
        yield return new("asOf the start of time", auditor, "GET", $"{app}?asOf=0001-01-01T00:00:00Z");
        yield return new("asOf not an instant", auditor, "GET", $"{app}?asOf=yesterday");
        yield return new("case file format with NUL", auditor, "GET", $"{app}/case-file?format=%00");

        foreach (var (role, url) in new[]
                 {
                     (officer, "/api/agencies/moic-enterprise-registration/inbox"), (officer,
                         "/api/agencies/moic-enterprise-registration/overdue"),
                     (auditor, "/api/oversight/decisions"), (auditor, "/api/oversight/late-decisions"), (auditor,
                         "/api/oversight/breaches"),
                     (auditor, "/api/oversight/returned"),
                 })
        {
            yield return new($"{url} page=2147483647", role, "GET", $"{url}?page=2147483647");
            yield return new($"{url} page=2147483648", role, "GET", $"{url}?page=2147483648");
            yield return new($"{url} pageSize=2147483647", role, "GET", $"{url}?pageSize=2147483647");
            yield return new($"{url} page=-1", role, "GET", $"{url}?page=-1");
        }
        yield return new("oversight: NUL in user", auditor, "GET", "/api/oversight/decisions?user=%00");
        yield return new("oversight: NUL in agency", auditor, "GET", "/api/oversight/breaches?agency=a%00b");
        yield return new("oversight: NUL in workflowId", auditor, "GET", "/api/oversight/late-decisions?workflowId=%00");
        yield return new("calendar due: NUL in from", auditor, "GET", "/api/calendars/lao-national/due?from=2024-01-01%00&workingDays=1");
        yield return new("case file: NUL in the format", auditor, "GET", $"{app}/case-file?format=html%00");
        yield return new("oversight: from the start of time", auditor, "GET", "/api/oversight/decisions?from=0001-01-01T00:00:00Z",
            Answerable: true);
        yield return new("oversight: to the end of time", auditor, "GET", "/api/oversight/decisions?to=9999-12-31T23:59:59Z",
            Answerable: true);
        yield return new("oversight: minimum 2147483647", auditor, "GET", "/api/oversight/returned?minimum=2147483647");
        yield return new("oversight: minimum -5", auditor, "GET", "/api/oversight/returned?minimum=-5");

        yield return new("due from 0001-01-01", auditor, "GET", "/api/calendars/lao-national/due?from=0001-01-01&workingDays=5");
        yield return new("due from 9999-12-31 plus 1000 days", auditor, "GET",
            "/api/calendars/lao-national/due?from=9999-12-31&workingDays=1000");
        yield return new("due from the last instant", auditor, "GET",
            "/api/calendars/lao-national/due?from=9999-12-31T23:59:59Z&workingDays=1");
        yield return new("due with workingDays 2147483648", auditor, "GET",
            "/api/calendars/lao-national/due?from=2024-01-01&workingDays=2147483648");

        yield return new("migrate with NUL in the mapping", designer, "POST", "/api/workflows/enterprise-registration/migrations",
            $"{{\"fromVersion\":1,\"toVersion\":2,\"reason\":\"x{Nul}\",\"mapping\":{{\"a{Nul}\":\"b\"}}}}");
        yield return new("migrate version 2147483648", designer, "POST", "/api/workflows/enterprise-registration/migrations",
            "{\"fromVersion\":2147483648,\"toVersion\":2,\"reason\":\"x\"}");
        yield return new("verification of the all-zero id", auditor, "GET", $"/api/applications/{Zero}/verification");
        yield return new("access log of the all-zero id", auditor, "GET", $"/api/applications/{Zero}/access-log");
        yield return new("a procedure id of 5,000 characters", auditor, "GET", $"/api/workflows/{new string('w', 5000)}");
        yield return new("versions of an unknown procedure", auditor, "GET", "/api/workflows/fishing-licence/versions");
        yield return new("retire version 2147483647", designer, "POST",
            "/api/workflows/enterprise-registration/versions/2147483647/retirement");
        yield return new("retire version -1", designer, "POST", "/api/workflows/enterprise-registration/versions/-1/retirement");
        yield return new("due on an unknown calendar", auditor, "GET", "/api/calendars/atlantis/due?from=2024-01-01&workingDays=1");
        yield return new("due without from", auditor, "GET", "/api/calendars/lao-national/due?workingDays=1");
        yield return new("migrate to a version that does not exist", designer, "POST", "/api/workflows/enterprise-registration/migrations",
            "{\"fromVersion\":1,\"toVersion\":99,\"reason\":\"x\",\"apply\":true}");
        yield return new("migrate with 1,000 mapped steps", designer, "POST", "/api/workflows/enterprise-registration/migrations",
            Json(new
            {
                fromVersion = 1, toVersion = 2, reason = "x", mapping = Enumerable.Range(0, 1000).ToDictionary(i => $"s{i}", _ => "t"),
            }));

        yield return new("draft: NUL in the text", designer, "POST", "/api/drafts", $"{{\"source\":\"id: x{Nul}\"}}");
        yield return new("draft: an Elsa flowchart nested 20,000 deep", designer, "POST", "/api/drafts",
            Json(new { elsaFlowchart = Nested('{', '}', 20_000) }));
        yield return new("draft: a number for the text", designer, "POST", "/api/drafts", "{\"source\":3}");
        yield return new("draft of the all-zero id", designer, "GET", $"/api/drafts/{Zero}");
        yield return new("what-if: nested brackets", designer, "POST", "/api/what-if",
            Json(new { fileName = "deep.yaml", source = Nested('[', ']', 20_000), from = "2024-01-01", to = "2024-01-31" }));
        yield return new("what-if: NUL in the text", designer, "POST", "/api/what-if",
            $"{{\"source\":\"id: x{Nul}\",\"from\":\"2024-01-01\",\"to\":\"2024-01-31\"}}");
        yield return new("what-if: the year 9999 to year 1", designer, "POST", "/api/what-if",
            "{\"source\":\"id: x\",\"from\":\"9999-12-31\",\"to\":\"0001-01-01\"}");
        yield return new("statistics: a number for the period kind", auditor, "GET", "/api/statistics?from=2024-01-01&to=2024-01-31&period=3");
        yield return new("statistics: from the year 1 to 9999", auditor, "GET", "/api/statistics?from=0001-01-01&to=9999-12-31&period=day");
        yield return new("statistics: NUL in the centre", auditor, "GET", "/api/statistics?from=2024-01-01&to=2024-01-31&centre=V%00TE");
        yield return new("case search: NUL in the tracking number", auditor, "GET", "/api/oversight/cases?trackingNumber=VTE%00");
        yield return new("case search: page 2147483648", auditor, "GET", "/api/oversight/cases?page=2147483648");
        yield return new("case search: a lateness that is a number", auditor, "GET", "/api/oversight/cases?lateness=7");
        yield return new("case search: from the first day of the calendar", auditor, "GET", "/api/oversight/cases?from=0001-01-01");
        yield return new("case search: to the first day of the calendar", auditor, "GET", "/api/oversight/cases?to=0001-01-01");
        yield return new("case search: from the year 1 as an instant", auditor, "GET",
            "/api/oversight/cases?from=0001-01-01T03:00:00%2B07:00");
        yield return new("case search: to the last day of the calendar", auditor, "GET", "/api/oversight/cases?to=9999-12-31");

        yield return new("submit: half of a character in a data value", clerk, "POST", "/api/applications",
            Submission("data.enterprise_name", "\"\\ud800\""));
        yield return new("submit: the other half in a data value", clerk, "POST", "/api/applications",
            Submission("data.enterprise_name", "\"x\\udfff\""));
        yield return new("submit: half of a character in a nested name", clerk, "POST", "/api/applications",
            Submission("data.enterprise_name", "{\"\\ud800\":1}"));
        yield return new("resubmission: half of a character in data", clerk, "POST", $"{app}/resubmission",
            "{\"data\":{\"enterprise_name\":\"\\ud800\"},\"comment\":\"c\"}");
        yield return new("migrate with null for a mapped step", designer, "POST", "/api/workflows/enterprise-registration/migrations",
            "{\"fromVersion\":1,\"toVersion\":2,\"mapping\":{\"register\":null},\"reason\":\"r\"}");
        // A step's deadline that overflows the sum of its path, so no other rule refuses it; a legal deadline just too long.
        foreach (var (from, to) in new[]
                 {
                     ("deadline: 10 working days", "deadline: 2147483647 working days"),
                     ("deadline: 17 working days", "deadline: 1001 working days"),
                 })
            yield return new($"publish: {to}", designer, "POST", "/api/workflows", Json(new
            {
                fileName = "enterprise-registration.yaml",
                source = File.ReadAllText(Path.Combine(ApiFixture.RepositoryRoot(), "workflows", "enterprise-registration.yaml"))
                    .Replace("version: 1", "version: 7").Replace(from, to),
            }));
        yield return new("publish: a correction window of 2147483647 days", designer, "POST", "/api/workflows", Json(new
        {
            fileName = "enterprise-registration.yaml",
            source = File.ReadAllText(Path.Combine(ApiFixture.RepositoryRoot(), "workflows", "enterprise-registration.yaml"))
                .Replace("version: 1", "version: 7") + "correction_deadline: 2147483647 calendar days\n",
        }));
    }

    [Fact]
    public async Task the_same_command_twenty_times_at_once_never_answers_500_and_takes_effect_once()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        var app = $"/api/applications/{created.Id}";
        var version1 = File.ReadAllText(Path.Combine(ApiFixture.RepositoryRoot(), "workflows", "enterprise-registration.yaml"));
        var version2 = new { fileName = "enterprise-registration.yaml", source = version1.Replace("version: 1", "version: 2") };
        var asked = await Read<System.Text.Json.JsonElement>(await Post(As("designer"), "/api/workflows", version2));
        var batches = new (string Name, string Role, string Url, object Body)[]
        {
            ("completeness check", "clerk", $"{app}/steps/intake/decision", new { outcome = "approve", reason = "complete" }),
            ("return", "officer", $"{app}/steps/register/decision", new { outcome = "return", reason = "name not in Lao" }),
            ("resubmission", "clerk", $"{app}/resubmission", new { comment = "Lao name added" }),
            ("withdrawal", "clerk", $"{app}/withdrawal", new { reason = "moved away" }),
            ("publication request of one text", "designer", "/api/workflows", version2),
            ("approval of the publication", "second designer", $"/api/publication-requests/{asked.GetProperty("id")}/approval", new { }),
            ("retirement", "designer", "/api/workflows/enterprise-registration/versions/2/retirement", new { }),
            ("migration", "designer", "/api/workflows/enterprise-registration/migrations",
                new { fromVersion = 1, toVersion = 2, reason = "test", apply = true }),
        };

        var failures = new List<string>();
        foreach (var (name, role, url, body) in batches)
        {
            var client = As(role);
            var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Post(client, url, body)));
            var statuses = responses.Select(r => (int)r.StatusCode).ToList();
            if (statuses.Any(s => s >= 500) || !statuses.Any(s => s is >= 200 and < 300))
                failures.Add($"{name}: {string.Join(",", statuses.GroupBy(s => s).Select(g => $"{g.Count()}x{g.Key}"))}");
        }

        failures.ShouldBeEmpty();
        var events = (await Read<History>(await Api.Auditor.GetAsync($"{app}/history"))).Events;
        events.Count(e => e.Type == "application_withdrawn").ShouldBe(1);
        events.Count(e => e.Type == "step_returned").ShouldBe(1);
        events.Count(e => e.Type == "correction_submitted").ShouldBe(1);
    }

    [Fact]
    public async Task oversized_headers_that_would_be_stored_with_every_event_are_refused()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        var before = await Snapshot();
        var answers = new List<HttpStatusCode>();
        foreach (var header in new[] { "X-Causation-Id", "X-On-Behalf-Of" })
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/applications/{created.Id}/steps/intake/decision")
            {
                Content = JsonContent.Create(new { outcome = "approve", reason = "complete" }),
            };
            request.Headers.Add(header, new string('x', 5000));
            answers.Add((await Api.Clerk.SendAsync(request)).StatusCode);
        }

        answers.ShouldAllBe(s => s == HttpStatusCode.BadRequest);
        (await Snapshot()).ShouldBe(before);
    }

    private HttpClient As(string role) => role switch
    {
        "clerk" => Api.Clerk,
        "officer" => Api.For("moic-enterprise-registration"),
        "supervisor" => Api.Client("supervisor", "moic-enterprise-registration"),
        "auditor" => Api.Auditor,
        "designer" => Api.Client("designer", null, "designer-1"),
        "second designer" => Api.Client("designer", null, "designer-2"),
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    private async Task<(long Events, long Documents, long Definitions)> Snapshot()
    {
        var (events, documents) = await Api.CountsAsync();
        await using var session = Api.Factory.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return (events, documents, await session.Query<StoredDefinition>().CountAsync());
    }

    [Fact]
    public async Task every_one_is_refused_with_a_4xx_problem_and_nothing_changes()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", Samples.Submission("enterprise-registration")));
        (await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var before = await Snapshot();

        var failures = new List<string>();
        foreach (var hostile in Table(created.Id))
        {
            var request = new HttpRequestMessage(new HttpMethod(hostile.Method), hostile.Url);
            if (hostile.Body is not null) request.Content = new StringContent(hostile.Body, Encoding.UTF8, hostile.ContentType);
            if (hostile.Header?.Split(':', 2) is [var name, var value]) request.Headers.TryAddWithoutValidation(name, value.Trim());
            HttpResponseMessage response;
            try
            {
                response = await As(hostile.Role).SendAsync(request);
            }
            catch (Exception e)
            {
                failures.Add($"{hostile.Name}: {e.GetType().Name} {e.Message}");
                continue;
            }
            var status = (int)response.StatusCode;
            var type = response.Content.Headers.ContentType?.MediaType;
            if (hostile.Answerable ? status is < 200 or >= 300 : status is < 400 or >= 500 || type != "application/problem+json")
                failures.Add($"{hostile.Name}: {status} {type}");
            else if (await Snapshot() != before)
            {
                failures.Add($"{hostile.Name}: {status} but the store changed");
                before = await Snapshot();
            }
        }

        failures.ShouldBeEmpty();
        (await Api.Auditor.GetFromJsonAsync<Details>($"/api/applications/{created.Id}", ApiFixture.Json))!.Status.ShouldBe("in-progress");
    }
}
