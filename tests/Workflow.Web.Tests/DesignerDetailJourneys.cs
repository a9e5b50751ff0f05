using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Microsoft.Playwright;

namespace Workflow.Web.Tests;

/// <summary>
/// The designers' workspace in detail: how a centre's local variant differs from the national standard, the editor that marks
/// problem lines beside the text and leads the cursor to them, problems explained in Lao, and simulation on the calendar of the
/// centre the designer chooses.
/// </summary>
public sealed class when_designers_look_closer(WorkspaceFixture workspace) : Journey(workspace)
{
    private const string Phout = "designer-1";
    private const string Noy = "designer-2";

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static readonly string Standard =
        File.ReadAllText(Path.Combine(RepositoryRoot(), "workflows", "enterprise-registration.yaml"));

    /// <summary>Luang Prabang's variant of the registration: 15 working days instead of 17, registration in 8 instead of 10.</summary>
    private static readonly string Variant = Standard
        .Replace("id: enterprise-registration", "id: enterprise-registration-lpb\nextends: enterprise-registration\ncentres: [LPB]")
        .Replace("title: Enterprise registration", "title: Enterprise registration in Luang Prabang")
        .Replace("deadline: 17 working days", "deadline: 15 working days")
        .Replace("deadline: 10 working days", "deadline: 8 working days");

    private static int LineOf(string text, string fragment) =>
        text[..text.IndexOf(fragment, StringComparison.Ordinal)].Count(c => c == '\n') + 1;

    private static async Task<string> NewDraftOfTheRegistrationAsync(IPage page, string edit = "Edit in a new draft")
    {
        await page.GotoAsync("/design/enterprise-registration/versions/1");
        await page.GetByRole(AriaRole.Button, new() { Name = edit }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        return await page.Locator("textarea#source").InputValueAsync();
    }

    private static async Task SaveAsync(IPage page, string text, string save)
    {
        await page.Locator("textarea#source").FillAsync(text);
        await page.GetByRole(AriaRole.Button, new() { Name = save }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    [Fact]
    public async Task a_published_local_variant_is_listed_with_its_centres_and_how_it_differs_from_the_standard()
    {
        var phout = await Workspace.WindowAsync();
        await SignInAsync(phout, Phout);
        await ChooseLanguageAsync(phout, "en");
        await phout.GotoAsync("/design");
        await phout.GetByLabel("A procedure file (YAML) or an Elsa 3 flowchart (JSON)").SetInputFilesAsync(new FilePayload
        {
            Name = "enterprise-registration-lpb.yaml", MimeType = "application/yaml", Buffer = Encoding.UTF8.GetBytes(Variant),
        });
        await phout.GetByRole(AriaRole.Button, new() { Name = "Upload as a new draft" }).ClickAsync();
        await phout.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Expect(phout.GetByRole(AriaRole.Status)).ToContainTextAsync("No problem found");
        await phout.GetByRole(AriaRole.Button, new() { Name = "Ask for publication" }).ClickAsync();
        await Expect(phout.GetByRole(AriaRole.Alert)).ToContainTextAsync("waits for a second designer");

        var noy = await Workspace.WindowAsync();
        await SignInAsync(noy, Noy);
        await ChooseLanguageAsync(noy, "en");
        await noy.GotoAsync("/design");
        await noy.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Approve and publish") }).ClickAsync();
        await Expect(noy.GetByRole(AriaRole.Alert)).ToContainTextAsync("Published:");

        // The standard's section names the variant, its centre, and what it changes: the legal deadline and the registration step.
        var standard = noy.Locator("section.procedure", new() { Has = noy.GetByRole(AriaRole.Heading,
            new() { Name = "Enterprise registration", Exact = true }) });
        var variant = standard.Locator("div.variant");
        await Expect(variant.GetByRole(AriaRole.Heading)).ToContainTextAsync("run by the centres LPB");
        var changes = variant.Locator("ul.changes");
        await Expect(changes).ToContainTextAsync("legal deadline, from 17 working days to 15 working days");
        await Expect(changes).ToContainTextAsync("register deadline, from 10 working days to 8 working days");
        await Expect(changes.Locator("li", new() { HasText = "intake" })).ToHaveCountAsync(0);
        await ScreenshotAsync(noy, "design-variant");
        await AccessibleAsync(noy);

        await ChooseLanguageAsync(noy, "lo");
        await noy.GotoAsync("/design");
        await Expect(noy.Locator("div.variant h3")).ToContainTextAsync("ໃຊ້ຢູ່ສູນ LPB");
        await Expect(noy.Locator("div.variant ul.changes")).ToContainTextAsync("ຈາກ 17 working days");
        await ScreenshotAsync(noy, "design-variant-lo");
        await AccessibleAsync(noy);
    }

    [Fact]
    public async Task the_editor_marks_a_problem_line_beside_the_text_and_its_link_takes_the_cursor_there_by_keyboard()
    {
        var page = await Workspace.WindowAsync();
        await SignInAsync(page, Phout);
        await ChooseLanguageAsync(page, "en");
        var text = await NewDraftOfTheRegistrationAsync(page);
        var broken = text.Replace("deadline: 10 working days", "deadline: ten working days");
        var line = LineOf(broken, "deadline: ten working days");
        await SaveAsync(page, broken, "Save the draft and check it");

        // Beside the text: the line's number is marked, and it is the only one marked.
        await Expect(page.Locator(".editor-lines .gutter span.problem")).ToHaveCountAsync(1);
        await Expect(page.Locator($".editor-lines .gutter span.problem[data-line='{line}']")).ToHaveTextAsync($"{line}");
        await Expect(page.Locator("textarea#source")).ToHaveAttributeAsync("style", new Regex("linear-gradient"));

        // The problem's link, reached and followed with the keyboard, puts the cursor at the line and column it names.
        var link = page.Locator("section.problems a").First;
        await Expect(link).ToHaveTextAsync(new Regex($"^Line {line}, column \\d+:$"));
        var column = int.Parse((await link.GetAttributeAsync("data-column"))!);
        await link.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        (await page.EvaluateAsync<string>("() => document.activeElement.id")).ShouldBe("source");
        var cursor = await page.EvaluateAsync<int>("() => document.getElementById('source').selectionStart");
        var saved = await page.Locator("textarea#source").InputValueAsync();
        var lineStart = saved.Split('\n').Take(line - 1).Sum(l => l.Length + 1);
        cursor.ShouldBe(lineStart + column - 1);
        saved[cursor..].ShouldStartWith("ten working days");
        await ScreenshotAsync(page, "design-editor-marked");
        await AccessibleAsync(page);
    }

    [Fact]
    public async Task a_Lao_designer_reads_each_problem_explained_in_Lao_beside_the_English_detail()
    {
        var page = await Workspace.WindowAsync("lo");
        await SignInAsync(page, Phout);
        var text = await NewDraftOfTheRegistrationAsync(page, "ແກ້ໄຂໃນຮ່າງໃໝ່");
        await SaveAsync(page, text.Replace("deadline: 10 working days", "deadline: ten working days")
            .Replace("version: 2\n", "version: 2\neffective: next-month\n"), "ບັນທຶກຮ່າງ ແລະ ກວດສອບ");

        var problems = page.Locator("section.problems");
        await Expect(problems).ToContainTextAsync("'ten working days' ບໍ່ແມ່ນກຳນົດເວລາເປັນວັນລັດຖະການ");
        await Expect(problems).ToContainTextAsync("'next-month' ບໍ່ແມ່ນວັນທີ");
        await Expect(problems.Locator("[lang=en]", new() { HasText = "is not a deadline in working days" })).ToHaveCountAsync(1);
        await Expect(page.Locator("ol.source li.problem", new() { HasText = "ten working days" }))
            .ToContainTextAsync("ບໍ່ແມ່ນກຳນົດເວລາເປັນວັນລັດຖະການ");
        await ScreenshotAsync(page, "design-problems-lo");
        await AccessibleAsync(page);
    }

    [Fact]
    public async Task a_Lao_designer_reads_why_a_deadline_too_long_and_a_procedure_of_too_many_steps_are_refused()
    {
        var page = await Workspace.WindowAsync("lo");
        await SignInAsync(page, Phout);
        var text = await NewDraftOfTheRegistrationAsync(page, "ແກ້ໄຂໃນຮ່າງໃໝ່");
        var extra = new StringBuilder();
        for (var i = 1; i <= 200; i++) extra.Append($"  extra-{i}: {{ agency: odsc, deadline: 1, approve: approved }}\n");
        await SaveAsync(page, text.Replace("deadline: 17 working days", "deadline: 5000 working days")
            .Replace("steps:\n", "steps:\n" + extra), "ບັນທຶກຮ່າງ ແລະ ກວດສອບ");

        var problems = page.Locator("section.problems");
        await Expect(problems).ToContainTextAsync("'5000 working days' ຍາວເກີນໄປ: ກຳນົດເວລາໃດໜຶ່ງ ບໍ່ໃຫ້ເກີນ 1000 ວັນ");
        await Expect(problems).ToContainTextAsync("ຂັ້ນຕອນໜຶ່ງມີໄດ້ບໍ່ເກີນ 200 ຂັ້ນ");
        await Expect(problems.Locator("[lang=en]", new() { HasText = "'5000 working days' is too long: a deadline is at most 1000 days" }))
            .ToHaveCountAsync(1);
        await Expect(problems.Locator("[lang=en]", new() { HasText = "a procedure has at most 200 steps; this one has 205" }))
            .ToHaveCountAsync(1);
        await Expect(problems).Not.ToContainTextAsync("Problem.");
        await ScreenshotAsync(page, "design-problems-limits-lo");
        await AccessibleAsync(page);
    }

    [Fact]
    public async Task a_procedure_of_many_branches_lists_its_first_hundred_paths_and_says_it_has_more()
    {
        var page = await Workspace.WindowAsync();
        await SignInAsync(page, Phout);
        await ChooseLanguageAsync(page, "en");
        var text = await NewDraftOfTheRegistrationAsync(page);
        // Eight splits in a row, each into two branches that join again: 256 paths of 16 working days each.
        var steps = new StringBuilder("steps:\n  intake: { agency: odsc, deadline: 1, approve: [left-0, right-0], reject: rejected }\n");
        for (var i = 0; i < 8; i++)
        {
            var next = i == 7 ? "approved" : $"[left-{i + 1}, right-{i + 1}]";
            steps.Append($"  left-{i}: {{ agency: moic-enterprise-registration, deadline: 1, approve: join-{i} }}\n");
            steps.Append($"  right-{i}: {{ agency: mops-seal-office, deadline: 1, approve: join-{i} }}\n");
            steps.Append($"  join-{i}: {{ agency: odsc, deadline: 1, after: all, approve: {next} }}\n");
        }
        await SaveAsync(page, text[..text.IndexOf("steps:", StringComparison.Ordinal)] + steps, "Save the draft and check it");
        await Expect(page.Locator("section.problems")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = "Simulate" }).ClickAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Show all paths" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The first 100 paths (the procedure has more" }))
            .ToBeVisibleAsync();
        await Expect(page.Locator("table.paths tbody tr")).ToHaveCountAsync(100);
        await Expect(page.Locator("table.paths tbody tr").First).ToContainTextAsync("16 of 17");
        await page.GetByRole(AriaRole.Heading, new() { Name = "The first 100 paths" }).ScrollIntoViewIfNeededAsync();
        await ScreenshotAsync(page, "design-simulation-many-paths", fullPage: false);
        await AccessibleAsync(page);
    }

    [Fact]
    public async Task a_simulation_counts_on_the_chosen_centres_calendar_so_a_local_holiday_moves_the_due_date()
    {
        var page = await Workspace.WindowAsync();
        await SignInAsync(page, Phout);
        await ChooseLanguageAsync(page, "en");
        await NewDraftOfTheRegistrationAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Simulate" }).ClickAsync();

        // Received Monday 11 November 2024, complete the next day; registration takes 10 working days. Vientiane Capital
        // closes for the That Luang festival on Friday 15 November, the national calendar does not.
        await page.GetByLabel("Received on").First.FillAsync("2024-11-11");
        await Expect(page.GetByLabel("At the centre").First).ToHaveValueAsync("VTE");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show all paths" }).ClickAsync();
        var paths = page.Locator("table.paths");
        await Expect(paths).ToContainTextAsync("registration: 10 working day(s), due 27 November 2024");
        await Expect(paths.Locator("caption")).ToContainTextAsync("One-Door Service Centre, Vientiane Capital");

        await page.GetByLabel("At the centre").First.SelectOptionAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show all paths" }).ClickAsync();
        await Expect(paths).ToContainTextAsync("registration: 10 working day(s), due 26 November 2024");
        await Expect(paths.Locator("caption")).ToContainTextAsync("Lao PDR government offices (national)");
        await page.GetByRole(AriaRole.Link, new() { Name = "Show path 1 on the diagram" }).ClickAsync();
        await Expect(page.GetByLabel("At the centre").First).ToHaveValueAsync("");
        await ScreenshotAsync(page, "design-simulation-centre");
        await AccessibleAsync(page);
    }

    [Theory]
    [InlineData("deadline: 10 working days", "deadline: ten working days", "deadline-words", "'ten working days' ບໍ່ແມ່ນກຳນົດເວລາ")]
    [InlineData("agency: moic-enterprise-registration", "agency: moic-registry", "unknown-agency", "ໜ່ວຍງານ 'moic-registry'")]
    [InlineData("deadline: 17 working days", "deadline: 12 working days", "over-legal", "ເກີນກຳນົດເວລາຕາມກົດໝາຍ 12 ວັນ")]
    [InlineData("version: 1\n", "version: 1\ncolour: blue\n", "unknown-key", "'colour' ບໍ່ແມ່ນຫົວຂໍ້ທີ່ໃຊ້ໄດ້ໃນ ຂັ້ນຕອນການບໍລິການ")]
    [InlineData("    deadline: 5 working days\n", "", "missing-key", "ຂັ້ນ 'seal' ຂາດ 'deadline'")]
    [InlineData("    approve: handover\n", "    approve: hand-over\n", "unknown-step", "ນຳໄປສູ່ 'hand-over'")]
    [InlineData("version: 1\n", "version: 1\nversion: 1\n", "twice", "'version' ຖືກຂຽນສອງເທື່ອ")]
    public void a_common_mistake_is_told_in_Lao_with_the_values_of_its_message(string from, string to, string kind, string lao)
    {
        var problems = Workspace.Factory.Services.GetRequiredService<Store.Definitions.Drafts>()
            .Checked("enterprise-registration.yaml", Standard.Replace(from, to)).Problems;
        problems.ShouldNotBeEmpty();
        var first = problems.First(p => Api.Workspace.Design.ProblemKinds.Of(p.Message).Kind == kind);
        var texts = Workspace.Factory.Services.GetRequiredService<IStringLocalizer<Api.Workspace.Design.DesignTexts>>();
        var culture = System.Globalization.CultureInfo.CurrentUICulture;
        try
        {
            System.Globalization.CultureInfo.CurrentUICulture = new("lo");
            var explained = Api.Workspace.Design.ProblemKinds.Explain(texts, first.Message);
            explained.ShouldContain(lao);
            explained.ShouldNotContain("{");
        }
        finally { System.Globalization.CultureInfo.CurrentUICulture = culture; }
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "Workflow.sln"))) dir = dir.Parent;
        return dir.FullName;
    }
}
