using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Workflow.Store.Audit;

namespace Workflow.Api.Tests;

/// <summary>What an inspector reads of one case: the case file and the command-line replay.</summary>
public class when_an_inspector_reads_a_case(ApiFixture api) : ApiTest(api)
{
    private const string LaoName = "ສົມໃຈ ພົມມະວົງ";

    private static readonly Regex Instant = new(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$");

    private async Task<Created> ACase()
    {
        var created = await Read<Created>(await Post(Api.Clerk, "/api/applications", new
        {
            workflowId = "enterprise-registration",
            applicant = new { name = LaoName, idNumber = "0123456" },
            data = new
            {
                enterprise_name = "ບໍລິສັດ ແມ່ຂອງ", enterprise_type = "sole-trader", registered_capital = 50_000_000,
                business_sector = "wholesale", has_employees = false, province = "Vientiane Capital",
            },
            documents = new[] { "application-form", "owner-id" },
        }));
        (await Post(Api.Clerk, $"/api/applications/{created.Id}/steps/intake/decision", new { outcome = "approve", reason = "complete" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        return created;
    }

    private static IEnumerable<string> Instants(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Instants(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Instants),
        JsonValueKind.String when Instant.IsMatch(element.GetString()!) => [element.GetString()!],
        _ => [],
    };

    [Fact]
    public async Task the_case_file_states_every_instant_in_the_offices_time_zone_in_json_and_html()
    {
        var created = await ACase();

        var json = await Api.Auditor.GetFromJsonAsync<JsonElement>($"/api/applications/{created.Id}/case-file");
        var html = await Api.Auditor.GetStringAsync($"/api/applications/{created.Id}/case-file?format=html");

        var instants = Instants(json).ToList();
        instants.Count.ShouldBeGreaterThan(10, "recorded times, the submission, decisions, deadlines and the events' own times");
        instants.ShouldAllBe(i => i.EndsWith("+07:00"));
        var shown = Regex.Matches(html, @"\d{4}-\d{2}-\d{2} \d{2}:\d{2} ([+-]\d{2}:\d{2})").Select(m => m.Groups[1].Value).ToList();
        shown.ShouldNotBeEmpty();
        shown.ShouldAllBe(offset => offset == "+07:00");

        // The workflow tool's export writes the same instants.
        var folder = Directory.CreateTempSubdirectory("workflow-export-").FullName;
        try
        {
            var export = ServerProcess.Cli(folder, ["export", "--application", created.Id.ToString(), "--format", "json", "--as", "auditor-1",
                "--connection", Api.ConnectionString], new() { [ChainKey.Variable] = ChainKey.DevelopmentKey });
            (await export.ExitAsync()).ShouldBe(0, export.AllOutput);
            var exported = Instants(JsonDocument.Parse(string.Join('\n', export.Output)).RootElement).ToList();
            exported.Count.ShouldBe(instants.Count);
            exported.ShouldAllBe(i => i.EndsWith("+07:00"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task replay_prints_lao_text_as_lao()
    {
        var created = await ACase();
        var folder = Directory.CreateTempSubdirectory("workflow-replay-").FullName;
        try
        {
            var replay = ServerProcess.Cli(folder, ["replay", "--application", created.Id.ToString(), "--connection", Api.ConnectionString],
                new() { [ChainKey.Variable] = ChainKey.DevelopmentKey });
            (await replay.ExitAsync()).ShouldBe(0, replay.AllOutput);
            replay.AllOutput.ShouldContain(LaoName);
            replay.AllOutput.ShouldContain("ບໍລິສັດ ແມ່ຂອງ");
            replay.AllOutput.ShouldNotContain("\\u0E");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
