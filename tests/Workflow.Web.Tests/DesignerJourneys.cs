using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Workflow.Core.Access;
using Workflow.Core.Applications;
using Workflow.Store.Applications;

namespace Workflow.Web.Tests;

/// <summary>
/// A designer's work in the browser: open a procedure, change it in a draft until it checks, simulate it, replay last
/// June's cases through it, have a second designer approve its publication, and see what a migration would do.
/// </summary>
public sealed class when_designers_work_on_a_procedure_in_the_browser(WorkspaceFixture workspace) : Journey(workspace)
{
    private const string Phout = "designer-1";
    private const string Noy = "designer-2";

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>
    /// Last June's history (application time in June 2024): two registrations refused by the registration office, one after
    /// 3 working days, one after 15; both within the legal 17. And one application received today, still running.
    /// </summary>
    private async Task SeedHistoryAsync()
    {
        var services = Workspace.Factory.Services;
        var june = new FixedClock(new DateTimeOffset(2024, 6, 3, 9, 0, 0, TimeSpan.FromHours(7)));
        var commands = ActivatorUtilities.CreateInstance<ApplicationCommands>(services, (TimeProvider)june);
        var clerk = new Actor("clerk-vte", "Khamla Vongsa", "odsc", Roles.Clerk, "VTE");
        var registrar = new Actor("moic-enterprise-registration-officer-1", "Registrar", "moic-enterprise-registration", Roles.Officer,
            "VTE");
        foreach (var (name, days) in new[] { ("Quick", 3), ("Slow", 15) })
        {
            june.Now = new DateTimeOffset(2024, 6, 3, 9, 0, 0, TimeSpan.FromHours(7));
            var id = (await commands.SubmitAsync(Submission(name), clerk, new CommandContext("history"))).Id;
            june.Now = june.Now.AddHours(1);
            await commands.HandleAsync(id, null, new DecideStep("intake", StepOutcome.Approve, "complete", null, clerk),
                new CommandContext("history"));
            var calendar = Workspace.Factory.Services.GetRequiredService<Core.Definitions.WorkflowCatalog>().Calendars
                .ForCentre("VTE", june.Now);
            june.Now = calendar.AddWorkingDays(june.Now, days).AddHours(-2);
            await commands.HandleAsync(id, null, new DecideStep("register", StepOutcome.Reject, "the name is taken", null, registrar),
                new CommandContext("history"));
        }
        var today = services.GetRequiredService<ApplicationCommands>();
        await today.SubmitAsync(Submission("Running"), clerk, new CommandContext("today"));
    }

    private static NewApplication Submission(string name) => new(Guid.NewGuid(), "enterprise-registration", "VTE", "counter",
        new Applicant($"{name} Phommavong", "0123456"), new Dictionary<string, JsonElement>
        {
            ["enterprise_name"] = JsonSerializer.SerializeToElement($"{name} Trading"),
            ["enterprise_type"] = JsonSerializer.SerializeToElement("sole-trader"),
            ["registered_capital"] = JsonSerializer.SerializeToElement(50_000_000),
            ["business_sector"] = JsonSerializer.SerializeToElement("wholesale"),
            ["has_employees"] = JsonSerializer.SerializeToElement(false),
            ["province"] = JsonSerializer.SerializeToElement("Vientiane Capital"),
        }, ["application-form", "owner-id"]);

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static int LineOf(string text, string fragment) =>
        text[..text.IndexOf(fragment, StringComparison.Ordinal)].Count(c => c == '\n') + 1;

    private static async Task SaveDraftAsync(IPage page, Func<string, string> edit, string save = "Save the draft and check it")
    {
        var editor = page.Locator("textarea#source");
        await editor.FillAsync(edit(await editor.InputValueAsync()));
        await page.GetByRole(AriaRole.Button, new() { Name = save }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    [Fact]
    public async Task a_designer_changes_a_deadline_checks_simulates_replays_and_publishes_with_a_second_designers_approval()
    {
        await SeedHistoryAsync();
        var phout = await Workspace.WindowAsync();
        await SignInAsync(phout, Phout);
        await ChooseLanguageAsync(phout, "en");

        // The list: the procedure, its version in force and the application still running on it.
        await phout.GetByRole(AriaRole.Link, new() { Name = "Procedures", Exact = true }).ClickAsync();
        var versions = phout.GetByRole(AriaRole.Table, new() { Name = "Versions of Enterprise registration" });
        await Expect(versions).ToContainTextAsync("in force");
        await Expect(versions.Locator("tbody tr").First.Locator("td").Nth(3)).ToHaveTextAsync("1");
        await ScreenshotAsync(phout, "design-procedures");
        await AccessibleAsync(phout);

        // Its page: the diagram, the clock, the data, the text with line numbers, and the downloads.
        await phout.GetByRole(AriaRole.Link, new() { Name = "Open Enterprise registration, version 1" }).ClickAsync();
        await Expect(phout.Locator("figure.diagram svg[role=img]")).ToHaveCountAsync(1);
        await Expect(phout.Locator("dl.clock")).ToContainTextAsync("17 working days");
        var yaml = await (await phout.APIRequest.GetAsync("/design/enterprise-registration/versions/1/download/yaml")).TextAsync();
        yaml.ShouldContain("id: enterprise-registration");
        await Expect(phout.Locator("ol.source li")).ToHaveCountAsync(yaml.Split('\n').Length);
        (await (await phout.APIRequest.GetAsync("/design/enterprise-registration/versions/1/download/bpmn")).TextAsync())
            .ShouldContain("bpmn:definitions");
        await ScreenshotAsync(phout, "design-version");
        await AccessibleAsync(phout);

        // A draft: the legal deadline shortened to 12 days is refused at its line, because the steps add up to 16.
        await phout.GetByRole(AriaRole.Button, new() { Name = "Edit in a new draft" }).ClickAsync();
        await phout.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var text = await phout.Locator("textarea#source").InputValueAsync();
        text.ShouldContain("version: 2");
        var line = LineOf(text, "deadline: 17 working days");
        await SaveDraftAsync(phout, t => t.Replace("deadline: 17 working days", "deadline: 12 working days"));
        await Expect(phout.Locator("section.problems")).ToContainTextAsync($"Line {line}, column");
        await Expect(phout.Locator("section.problems")).ToContainTextAsync("more than the legal deadline of 12");
        await Expect(phout.Locator($"ol.source li#line-{line}.problem")).ToContainTextAsync("deadline: 12 working days");
        await ScreenshotAsync(phout, "design-draft-problem");
        await AccessibleAsync(phout);

        // Fixed: registration in 6 working days. The draft checks, draws, and says what it changes.
        await SaveDraftAsync(phout, t => t.Replace("deadline: 10 working days", "deadline: 6 working days"));
        await Expect(phout.GetByRole(AriaRole.Status)).ToContainTextAsync("No problem found");
        await Expect(phout.Locator("section.problems")).ToHaveCountAsync(0);
        await Expect(phout.Locator("ul.changes")).ToContainTextAsync("register");
        await Expect(phout.Locator("figure.diagram svg[role=img]")).ToHaveCountAsync(1);
        await ScreenshotAsync(phout, "design-draft");
        await AccessibleAsync(phout);
        var draft = phout.Url;

        // Every path on the real calendar against the legal deadline, one of them on the diagram.
        await phout.GetByRole(AriaRole.Link, new() { Name = "Simulate" }).ClickAsync();
        await phout.GetByLabel("Received on").First.FillAsync("2024-06-03");
        await phout.GetByRole(AriaRole.Button, new() { Name = "Show all paths" }).ClickAsync();
        var paths = phout.Locator("table.paths");
        await Expect(paths).ToContainTextAsync("12 of 12 working days (0 to spare)");
        await Expect(paths).ToContainTextAsync("registration: 6 working day(s), due 12 June 2024");
        await phout.GetByRole(AriaRole.Link, new() { Name = "Show path 1 on the diagram" }).ClickAsync();
        await Expect(phout.Locator("figure.diagram svg")).ToHaveCountAsync(1);
        await ScreenshotAsync(phout, "design-simulation");
        await AccessibleAsync(phout);

        // What if last June's cases had run under the draft: the slow one would have been late.
        await phout.GotoAsync(draft + "/what-if");
        await phout.GetByLabel("Decided from").FillAsync("2024-06-01");
        await phout.GetByLabel("to", new() { Exact = true }).FillAsync("2024-06-30");
        await phout.GetByRole(AriaRole.Button, new() { Name = "Replay the period" }).ClickAsync();
        await Expect(phout.GetByTestId("actual-rate")).ToHaveTextAsync("100%");
        await Expect(phout.GetByTestId("draft-rate")).ToHaveTextAsync("50%");
        await Expect(phout.GetByRole(AriaRole.Status)).ToContainTextAsync("from 100% to 50% (-50 points)");
        await ScreenshotAsync(phout, "design-what-if");
        await AccessibleAsync(phout);

        // Publication from 1 January 2027: asked by Phout, who cannot approve it himself.
        await phout.GotoAsync(draft);
        await phout.GetByLabel("Takes effect on").FillAsync("2027-01-01");
        await phout.GetByRole(AriaRole.Button, new() { Name = "Ask for publication" }).ClickAsync();
        await Expect(phout.GetByRole(AriaRole.Alert)).ToContainTextAsync("waits for a second designer");
        await phout.GotoAsync("/design");
        await Expect(phout.GetByRole(AriaRole.Table, new() { Name = "Publication requests: another designer must approve each one" }))
            .ToContainTextAsync("Waiting for another designer.");
        await Expect(phout.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Approve and publish") })).ToHaveCountAsync(0);

        var noy = await Workspace.WindowAsync();
        await SignInAsync(noy, Noy);
        await ChooseLanguageAsync(noy, "en");
        await noy.GotoAsync("/design");
        await noy.GetByRole(AriaRole.Button, new() { Name = "Approve and publish Enterprise registration version 2" }).ClickAsync();
        await Expect(noy.GetByRole(AriaRole.Alert)).ToContainTextAsync("Published: Enterprise registration, version 2.");
        var published = noy.GetByRole(AriaRole.Table, new() { Name = "Versions of Enterprise registration" });
        await Expect(published).ToContainTextAsync("scheduled");
        await Expect(published).ToContainTextAsync("asked by designer-1, approved by designer-2");
        await ScreenshotAsync(noy, "design-approved");
        await AccessibleAsync(noy);

        // The running application of version 1: a dry run says it can move, and nothing moves.
        await phout.GotoAsync("/design");
        await phout.GetByRole(AriaRole.Link, new() { Name = "Move running applications of Enterprise registration to another version" })
            .ClickAsync();
        await phout.GetByLabel("From").SelectOptionAsync("1");
        await phout.GetByLabel("To", new() { Exact = true }).SelectOptionAsync("2");
        await phout.GetByRole(AriaRole.Button, new() { Name = "Choose these versions" }).ClickAsync();
        await phout.GetByLabel("Why (recorded in each application)").FillAsync("Decision 12/2026 shortens registration");
        await phout.GetByRole(AriaRole.Button, new() { Name = "Dry run: show what would happen" }).ClickAsync();
        await Expect(phout.GetByRole(AriaRole.Status)).ToContainTextAsync("1 running application(s); 1 can move; 0 moved.");
        await Expect(phout.Locator("table.design")).ToContainTextAsync("can move");
        await ScreenshotAsync(phout, "design-migration");
        await AccessibleAsync(phout);
        await using var session = Workspace.Factory.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession();
        (await Marten.QueryableExtensions.CountAsync(session.Query<ApplicationDetails>()
            .Where(d => d.WorkflowId == "enterprise-registration" && d.WorkflowVersion == 2))).ShouldBe(0);
    }

    [Fact]
    public async Task a_designer_reads_the_procedures_in_Lao_uploads_an_Elsa_flowchart_and_checks_a_draft()
    {
        var page = await Workspace.WindowAsync("lo");
        await SignInAsync(page, Phout);   // Lao is the workspace's language until someone chooses another

        await page.GetByRole(AriaRole.Link, new() { Name = "ຂັ້ນຕອນການບໍລິການ", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "ສະບັບຕ່າງໆຂອງ ການຈົດທະບຽນວິສາຫະກິດ" })).ToContainTextAsync("ກຳລັງໃຊ້");
        await ScreenshotAsync(page, "design-procedures-lo");
        await AccessibleAsync(page);

        // An Elsa 3 flowchart becomes a draft; the agencies it names that the catalogue does not know are listed at their lines.
        var flowchart = Path.Combine(RepositoryRoot(), "tests", "Workflow.Design.Tests", "Elsa", "licence-flowchart.json");
        await page.GetByLabel("ໄຟລ໌ຂັ້ນຕອນ (YAML) ຫຼື ແຜນຜັງ Elsa 3 (JSON)").SetInputFilesAsync(flowchart);
        await page.GetByRole(AriaRole.Button, new() { Name = "ອັບໂຫຼດເປັນຮ່າງໃໝ່" }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Expect(page.Locator("section.problems")).ToContainTextAsync("unknown agency");
        await Expect(page.Locator("section.problems li").First).ToContainTextAsync("ແຖວ ");
        await Expect(page.Locator("ol.source li.problem").First).ToContainTextAsync("agency:");
        await ScreenshotAsync(page, "design-elsa-draft-lo");
        await AccessibleAsync(page);

        // A draft of the registration: a step deadline written in words is refused at its line, then corrected.
        await page.GotoAsync("/design/enterprise-registration/versions/1");
        await Expect(page.Locator("figure.diagram svg[role=img]")).ToContainTextAsync("ຫ້ອງການບໍລິການປະຕູດຽວ");
        await ScreenshotAsync(page, "design-version-lo");
        await AccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "ແກ້ໄຂໃນຮ່າງໃໝ່" }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var line = LineOf(await page.Locator("textarea#source").InputValueAsync(), "deadline: 10 working days");
        await SaveDraftAsync(page, t => t.Replace("deadline: 10 working days", "deadline: ten working days"), "ບັນທຶກຮ່າງ ແລະ ກວດສອບ");
        await Expect(page.Locator("section.problems")).ToContainTextAsync($"ແຖວ {line}, ຖັນ");
        await Expect(page.Locator($"ol.source li#line-{line}.problem")).ToHaveCountAsync(1);
        await ScreenshotAsync(page, "design-draft-problem-lo");
        await AccessibleAsync(page);
        await SaveDraftAsync(page, t => t.Replace("deadline: ten working days", "deadline: 9 working days"), "ບັນທຶກຮ່າງ ແລະ ກວດສອບ");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("ບໍ່ພົບບັນຫາ");
        var draft = page.Url;

        await page.GetByRole(AriaRole.Link, new() { Name = "ຈຳລອງ", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "ສະແດງທຸກເສັ້ນທາງ" }).ClickAsync();
        await Expect(page.Locator("table.paths")).ToContainTextAsync("ໃນ 17 ວັນລັດຖະການ");
        await ScreenshotAsync(page, "design-simulation-lo");
        await AccessibleAsync(page);

        await page.GotoAsync(draft + "/what-if");
        await page.GetByRole(AriaRole.Button, new() { Name = "ຫຼິ້ນຄືນໄລຍະນີ້" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "ສິ່ງທີ່ເກີດຂຶ້ນແທ້ ແລະ ສິ່ງທີ່ຈະເກີດຂຶ້ນຕາມຮ່າງ" })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "design-what-if-lo");
        await AccessibleAsync(page);

        await page.GotoAsync("/design/enterprise-registration/migrations");
        await Expect(page.GetByText("ຂັ້ນຕອນນີ້ມີສະບັບດຽວ")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "design-migration-lo");
        await AccessibleAsync(page);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "Workflow.sln"))) dir = dir.Parent;
        return dir.FullName;
    }
}
