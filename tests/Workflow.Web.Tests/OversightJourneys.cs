using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Workflow.Core.Access;
using Workflow.Core.Applications;
using Workflow.Store.Applications;
using Workflow.Store.Audit;

namespace Workflow.Web.Tests;

/// <summary>
/// The oversight workspace in the browser: an auditor finds a late case, reads it as it was before the breach, checks its
/// integrity and downloads its case file; the oversight questions with their charts; the alert list of the national
/// dashboard. The histories are recorded beforehand through the command shell, with a clock the test sets, so that steps
/// are weeks overdue today.
/// </summary>
public sealed class when_oversight_works_in_the_browser(WorkspaceFixture workspace) : Journey(workspace)
{
    private const string Auditor = "auditor-1";
    private const string NationalDashboard = "national-dashboard-1";
    private const string Moic = "moic-enterprise-registration";

    private static readonly Actor Clerk = new("clerk-vte", "Khamla Vongsa", "odsc", "clerk", "VTE");
    private static readonly Actor Registrar = new($"{Moic}-officer-1", "Registrar", Moic, "officer");
    private static readonly Actor System = new("system", "Deadline clock", null, Roles.System);

    private sealed record Seeded(Guid Id, string TrackingNumber);

    [Fact]
    public async Task an_auditor_finds_a_late_case_from_the_indicators_reads_it_before_the_breach_and_downloads_its_case_file()
    {
        var late = await CaseAsync(daysAgo: 90, breachedDaysAgo: 1, decideLate: true);
        var onTime = await CaseAsync(daysAgo: 2);
        await StatisticsCaughtUpAsync();

        var page = await Workspace.WindowAsync();
        await SignInAsync(page, Auditor);
        await ChooseLanguageAsync(page, "en");
        await page.GetByRole(AriaRole.Link, new() { Name = "Indicators" }).ClickAsync();
        await page.GetByLabel("First day").FillAsync(Day(-120));
        await page.GetByLabel("Last day").FillAsync(Day(0));
        await page.GetByRole(AriaRole.Button, new() { Name = "Show", Exact = true }).ClickAsync();
        await Expect(page.Locator("table.indicators")).ToContainTextAsync("centre VTE");
        // The chart says in words what it draws, over which days and how to read it, and is named by those words.
        var caption = $"Decisions at each centre, {Spelled(-120)} to {Spelled(0)}: the whole bar is every case decided and its " +
                      "red part the ones decided late; the numbers are written beside each bar.";
        await Expect(page.GetByText(caption, new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = caption, Exact = true })).ToContainTextAsync("centre VTE");
        await ScreenshotAsync(page, "oversight-indicators");
        await AccessibleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "centre VTE" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "the Ministry of Industry and Commerce" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 2 })).ToHaveTextAsync("By step");
        await ScreenshotAsync(page, "oversight-indicators-steps");
        await AccessibleAsync(page);
        // The one late registration: the figure opens the case behind it, and only that one.
        await page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^1 late: the cases behind it, registration") }).ClickAsync();
        var behind = page.Locator("ul.figure-cases li");
        await Expect(behind).ToHaveCountAsync(1);
        await Expect(behind).ToHaveTextAsync(late.TrackingNumber);
        await ScreenshotAsync(page, "oversight-indicators-cases");
        await AccessibleAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = late.TrackingNumber }).ClickAsync();
        await LiveAsync(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(late.TrackingNumber);
        await Expect(page.Locator(".badge")).ToContainTextAsync("Intact");
        await Expect(page.Locator(".then-late")).ToContainTextAsync("was late");

        // Back to the event just before the breach was recorded: nothing was late then.
        var breachAt = await VersionOfAsync(late.Id, "deadline_breached");
        await page.GetByLabel("Move along the case's history").FillAsync($"{breachAt - 1}");
        await Expect(page.Locator(".position")).ToContainTextAsync($"After event {breachAt - 1} of");
        await Expect(page.Locator(".then-late")).ToContainTextAsync("Nothing late");
        await Expect(page.Locator(".then-status")).ToContainTextAsync("Being decided");
        await ScreenshotAsync(page, "oversight-case-before-breach");
        await AccessibleAsync(page);
        // And forward to the breach itself, with the button beside it in the timeline.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Show the case after event {breachAt}: Step late" }).ClickAsync();
        await Expect(page.Locator(".then-late")).ToContainTextAsync("was late");

        var download = await page.RunAndWaitForDownloadAsync(
            () => page.GetByRole(AriaRole.Link, new() { Name = "Download the case file", Exact = true }).ClickAsync());
        download.SuggestedFilename.ShouldBe($"{late.TrackingNumber}-case-file.html");
        var file = await File.ReadAllTextAsync((await download.PathAsync())!);
        file.ShouldContain(late.TrackingNumber);
        file.ShouldContain("Deadline of register missed by moic-enterprise-registration");
        // The same file as JSON, as the auditor's tools take it: every instant in the office's time zone.
        var json = await page.APIRequest.GetAsync($"/oversight/cases/{late.Id}/case-file?format=json");
        json.Status.ShouldBe(200);
        json.Headers["content-disposition"].ShouldContain($"{late.TrackingNumber}-case-file.json");
        var instants = Regex.Matches(await json.TextAsync(), "\"(\\d{4}-\\d{2}-\\d{2}T[^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        instants.Count.ShouldBeGreaterThan(10);
        instants.ShouldAllBe(instant => instant.EndsWith("+07:00"));

        var log = Workspace.Factory.Services.GetRequiredService<AccessLog>();
        var reads = await log.ForAsync(late.Id);
        reads.Select(r => r.What).ShouldBe(["case-view", "case-file", "case-file"], "one entry per opening, one per download");
        reads.ShouldAllBe(r => r.By.UserId == Auditor);
        (await log.ForAsync(onTime.Id)).ShouldBeEmpty("a case found but not opened was not read");
    }

    [Fact]
    public async Task an_auditor_sees_where_a_tampered_history_breaks()
    {
        var tampered = await CaseAsync(daysAgo: 10);
        // Someone with database rights rewrites the reason of the completeness check (event 3) behind the application's back.
        await using (var command = Workspace.Factory.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
            $"update {Store.WorkflowStore.Schema}.mt_events set data = jsonb_set(data, '{{reason}}', '\"forged\"') " +
            "where stream_id = @id and version = 3"))
        {
            command.Parameters.AddWithValue("id", tampered.Id);
            (await command.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        var page = await Workspace.WindowAsync();
        await SignInAsync(page, Auditor);
        await ChooseLanguageAsync(page, "en");
        await page.GotoAsync($"/oversight/cases/{tampered.Id}");
        await Expect(page.Locator(".badge.broken")).ToContainTextAsync("Broken at event 3: an event was changed after it was recorded.");
        await Expect(page.Locator(".badge.intact")).ToHaveCountAsync(0);
        await ScreenshotAsync(page, "oversight-case-broken");
        await AccessibleAsync(page);
    }

    [Theory]
    [InlineData("en", "the count of the case’s events was changed, so its next decision would be refused or leave a gap")]
    [InlineData("lo", "ຈຳນວນເຫດການຂອງກໍລະນີຖືກແກ້ໄຂ, ການຕັດສິນຄັ້ງຕໍ່ໄປຈະຖືກປະຕິເສດ ຫຼື ເຮັດໃຫ້ມີຊ່ອງຫວ່າງ")]
    public async Task an_auditor_reads_in_plain_words_that_the_count_of_a_cases_events_was_set_back(string language, string words)
    {
        var miscounted = await CaseAsync(daysAgo: 10);
        // Someone with database rights sets the case's own count back: every later decision would be refused as a conflict.
        await using (var command = Workspace.Factory.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
            $"update {Store.WorkflowStore.Schema}.mt_streams set version = version - 1 where id = @id"))
        {
            command.Parameters.AddWithValue("id", miscounted.Id);
            (await command.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        var page = await Workspace.WindowAsync();
        await SignInAsync(page, Auditor);
        if (language == "en") await ChooseLanguageAsync(page, "en");
        await page.GotoAsync($"/oversight/cases/{miscounted.Id}");
        await Expect(page.Locator(".badge.broken")).ToContainTextAsync(words);
        await Expect(page.Locator(".badge.broken")).Not.ToContainTextAsync("mt_streams");
        await Expect(page.Locator(".badge.intact")).ToHaveCountAsync(0);
        await ScreenshotAsync(page, $"oversight-case-miscounted-{language}");
        await AccessibleAsync(page);
    }

    [Theory]
    [InlineData("en", "What people are shown differs from the recorded events: the case as staff see it, the citizen's tracking " +
                      "page. This page shows the case as its events give it.", "Being decided", "Refused")]
    [InlineData("lo", "ສິ່ງທີ່ສະແດງໃຫ້ຜູ້ຄົນເຫັນ ບໍ່ກົງກັບເຫດການທີ່ບັນທຶກໄວ້: ຄຳຮ້ອງຕາມທີ່ພະນັກງານເຫັນ, ໜ້າຕິດຕາມຂອງພົນລະເມືອງ. " +
                      "ໜ້ານີ້ສະແດງຄຳຮ້ອງຕາມເຫດການທີ່ບັນທຶກໄວ້.", "ກຳລັງພິຈາລະນາ", "ບໍ່ອະນຸມັດ")]
    public async Task an_auditor_sees_the_case_as_its_events_give_it_when_what_people_are_shown_was_changed(string language,
        string warning, string running, string refused)
    {
        var changed = await CaseAsync(daysAgo: 10);
        var untouched = await CaseAsync(daysAgo: 10);
        // Someone with database rights marks the case refused where staff and the citizen look, leaving its events alone.
        await using (var command = Workspace.Factory.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
            $"update {Store.WorkflowStore.Schema}.mt_doc_applicationdetails set data = jsonb_set(data, '{{status}}', '\"rejected\"') " +
            $"where id = @id; update {Store.WorkflowStore.Schema}.mt_doc_citizentracking " +
            "set data = jsonb_set(data, '{status}', '\"rejected\"') where id = @id"))
        {
            command.Parameters.AddWithValue("id", changed.Id);
            await command.ExecuteNonQueryAsync();
        }

        var page = await Workspace.WindowAsync(language);
        await SignInAsync(page, Auditor);
        if (language == "en") await ChooseLanguageAsync(page, "en");
        await page.GotoAsync($"/oversight/cases/{changed.Id}");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
        await Expect(page.Locator(".badge.intact")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(warning);
        await Expect(page.Locator("p.status strong")).ToHaveTextAsync(running);
        await Expect(page.Locator("p.status")).Not.ToContainTextAsync(refused);
        await ScreenshotAsync(page, $"oversight-case-shown-differs-{language}");
        await AccessibleAsync(page);

        await page.GotoAsync($"/oversight/cases/{untouched.Id}");
        await Expect(page.Locator("p.status strong")).ToHaveTextAsync(running);
        await Expect(page.Locator(".shown-differs")).ToHaveCountAsync(0);
    }

    [Theory]
    [InlineData("en", "The rules this case follows (version 1) were changed in the database after they were published: nothing " +
                      "more is decided under them until the published text is restored.")]
    [InlineData("lo", "ລະບຽບການທີ່ຄຳຮ້ອງນີ້ປະຕິບັດຕາມ (ສະບັບ 1) ຖືກແກ້ໄຂໃນຖານຂໍ້ມູນ ຫຼັງຈາກໄດ້ປະກາດໃຊ້ແລ້ວ: ຈະບໍ່ມີການຕັດສິນໃດໆ" +
                      "ຕາມລະບຽບການນີ້ອີກ ຈົນກວ່າຈະກູ້ຄືນຂໍ້ຄວາມທີ່ໄດ້ປະກາດໃຊ້.")]
    public async Task an_auditor_is_told_when_the_rules_a_case_follows_were_changed_after_publication(string language, string warning)
    {
        var followed = await CaseAsync(daysAgo: 10);
        // Someone with database rights lengthens the registry's time limit in the stored text of the version the case follows.
        await using (var command = Workspace.Factory.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
            $"update {Store.WorkflowStore.Schema}.mt_doc_storeddefinition set data = jsonb_set(data, '{{source}}', " +
            "to_jsonb(replace(data->>'source', 'deadline: 10 working days', 'deadline: 200 working days'))) " +
            "where data->>'workflowId' = 'enterprise-registration'"))
            (await command.ExecuteNonQueryAsync()).ShouldBe(1);

        var page = await Workspace.WindowAsync(language);
        await SignInAsync(page, Auditor);
        if (language == "en") await ChooseLanguageAsync(page, "en");
        await page.GotoAsync($"/oversight/cases/{followed.Id}");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
        await Expect(page.Locator(".badge.intact")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(warning);
        await ScreenshotAsync(page, $"oversight-case-rules-changed-{language}");
        await AccessibleAsync(page);
    }

    [Fact]
    public async Task an_auditor_searches_cases_by_their_time_limits()
    {
        var late = await CaseAsync(daysAgo: 90, breachedDaysAgo: 1, decideLate: true);
        var onTime = await CaseAsync(daysAgo: 2);

        var page = await Workspace.WindowAsync();
        await SignInAsync(page, Auditor);
        await ChooseLanguageAsync(page, "en");
        await page.GetByRole(AriaRole.Link, new() { Name = "Find cases" }).ClickAsync();
        await page.GetByLabel("Time limits").SelectOptionAsync("late");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find", Exact = true }).ClickAsync();
        var results = page.Locator("table.cases");
        await Expect(results).ToContainTextAsync(late.TrackingNumber);
        await Expect(results).Not.ToContainTextAsync(onTime.TrackingNumber);
        await Expect(results).ToContainTextAsync("Steps late: 1");
        await ScreenshotAsync(page, "oversight-search");
        await AccessibleAsync(page);

        await page.GetByLabel("Time limits").SelectOptionAsync("on-time");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find", Exact = true }).ClickAsync();
        await Expect(results).ToContainTextAsync(onTime.TrackingNumber);
        await Expect(results).Not.ToContainTextAsync(late.TrackingNumber);
        await page.GotoAsync("/oversight?status=nearly-done");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Choose a status from the list.");
    }

    [Fact]
    public async Task an_auditor_reads_the_oversight_questions_with_their_charts()
    {
        var late = await CaseAsync(daysAgo: 90, breachedDaysAgo: 1, decideLate: true);
        await CaseAsync(daysAgo: 2);

        var page = await Workspace.WindowAsync();
        await SignInAsync(page, Auditor);
        await ChooseLanguageAsync(page, "en");
        await page.GetByRole(AriaRole.Link, new() { Name = "Oversight questions" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Oversight questions");
        // Each chart's caption is visible, says what is drawn over which period and how to read it, and names the chart.
        var breaches = "Steps that passed their due time, by office, all the time recorded: the longer the bar, the more steps " +
                       "went past their time limit; the number is written beside each bar.";
        var lateDecisions = "Decisions made late, by office, all the time recorded: the longer the bar, the more late decisions; " +
                            "the number is written beside each bar.";
        var byOfficer = "Decisions by each officer, all the time recorded: the whole bar is every decision the officer made and " +
                        "its red part the late ones; the numbers are written beside each bar.";
        foreach (var caption in new[] { breaches, lateDecisions, byOfficer })
            await Expect(page.GetByText(caption, new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = breaches, Exact = true }))
            .ToContainTextAsync("Ministry of Industry and Commerce");
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = lateDecisions, Exact = true })).ToContainTextAsync("1");
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = byOfficer, Exact = true })).ToContainTextAsync("Registrar");
        await Expect(page.Locator("#late-title + p + .chart-frame + table")).ToContainTextAsync(late.TrackingNumber);
        await ScreenshotAsync(page, "oversight-queries");
        await AccessibleAsync(page);

        // A period before anything happened has nothing to show, and a period the wrong way round is refused in words.
        await page.GotoAsync("/oversight/queries?to=2001-01-01");
        await Expect(page.Locator("main")).Not.ToContainTextAsync(late.TrackingNumber);
        await Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = new Regex("^Decisions made late, by office, up to 31 December 2000: ") }))
            .ToContainTextAsync("Nothing in this period");
        await page.GotoAsync("/oversight/queries?from=2024-06-02&to=2024-06-01");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not after the first day");
    }

    [Fact]
    public async Task the_oversight_pages_read_in_Lao()
    {
        var late = await CaseAsync(daysAgo: 90, breachedDaysAgo: 1, decideLate: true);
        var open = await CaseAsync(daysAgo: 60, breachedDaysAgo: 1);
        await StatisticsCaughtUpAsync();

        var page = await Workspace.WindowAsync("lo");
        await SignInAsync(page, Auditor);
        await page.GotoAsync($"/oversight?trackingNumber={late.TrackingNumber[..6]}");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "lo");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("ຊອກຫາຄຳຮ້ອງ");
        await Expect(page.Locator("table.cases")).ToContainTextAsync("ຂັ້ນຕອນທີ່ຊ້າ: 1");
        await ScreenshotAsync(page, "oversight-search-lo");
        await AccessibleAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = late.TrackingNumber }).ClickAsync();
        await LiveAsync(page);
        await Expect(page.Locator(".badge")).ToContainTextAsync("ຄົບຖ້ວນ");
        var breachAt = await VersionOfAsync(late.Id, "deadline_breached");
        await page.GetByLabel("ເລື່ອນໄປຕາມປະຫວັດຂອງຄຳຮ້ອງ").FillAsync($"{breachAt - 1}");
        await Expect(page.Locator(".then-late")).ToContainTextAsync("ບໍ່ມີຫຍັງຊ້າ");
        var text = await page.Locator("main").InnerTextAsync();
        text.ShouldNotContain("Intact");
        text.ShouldNotContain("Nothing late");
        await ScreenshotAsync(page, "oversight-case-lo");
        await AccessibleAsync(page);

        await page.GotoAsync("/oversight/queries");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("ຄຳຖາມການກວດກາ");
        var breaches = "ຂັ້ນຕອນທີ່ກາຍກຳນົດເວລາ ແຍກຕາມຫ້ອງການ, ຕະຫຼອດເວລາທີ່ມີການບັນທຶກ: ແທ່ງຍິ່ງຍາວ ຂັ້ນຕອນທີ່ກາຍກຳນົດເວລາຍິ່ງຫຼາຍ; " +
                       "ຕົວເລກຂຽນໄວ້ຂ້າງແຕ່ລະແທ່ງ.";
        await Expect(page.GetByText(breaches, new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = breaches, Exact = true })).ToContainTextAsync("ກະຊວງອຸດສາຫະກຳ ແລະ ການຄ້າ");
        await ScreenshotAsync(page, "oversight-queries-lo");
        await AccessibleAsync(page);

        await page.GotoAsync($"/oversight/indicators?from={Day(-120)}&to={Day(0)}&centre=VTE");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 2 })).ToHaveTextAsync("ແຍກຕາມຫ້ອງການ");
        await Expect(page.Locator("table.indicators")).ToContainTextAsync("ກະຊວງອຸດສາຫະກຳ ແລະ ການຄ້າ");
        // The browser reads the pattern between slashes: a slash of a date is escaped.
        var days = $"{Spelled(-120, "lo")} ຫາ {Spelled(0, "lo")}".Replace("/", "\\/");
        var byOffice = new Regex($"^ການຕັດສິນຂອງແຕ່ລະຫ້ອງການ, ແຕ່ {days}: ");
        await Expect(page.GetByText(byOffice)).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = byOffice })).ToContainTextAsync("ກະຊວງອຸດສາຫະກຳ ແລະ ການຄ້າ");
        await ScreenshotAsync(page, "oversight-indicators-lo");
        await AccessibleAsync(page);

        var national = await Workspace.WindowAsync("lo");
        await SignInAsync(national, NationalDashboard);
        await LiveAsync(national);
        await Expect(national.Locator("table.alerts tbody tr")).ToContainTextAsync(open.TrackingNumber);
        var acknowledge = new Regex($"^ຮັບຊາບ ການແຈ້ງເຕືອນສຳລັບ {open.TrackingNumber}");
        await Expect(national.GetByRole(AriaRole.Button, new() { NameRegex = acknowledge })).ToBeVisibleAsync();
        await ScreenshotAsync(national, "alerts-lo");
        await AccessibleAsync(national);
    }

    [Fact]
    public async Task the_national_dashboard_sees_overdue_steps_most_late_first_and_acknowledges_one()
    {
        var later = await CaseAsync(daysAgo: 40, breachedDaysAgo: 1);
        var latest = await CaseAsync(daysAgo: 90, breachedDaysAgo: 1);
        var fresh = await CaseAsync(daysAgo: 20, breachedDaysAgo: 1);

        var page = await Workspace.WindowAsync();
        await SignInAsync(page, NationalDashboard);
        await ChooseLanguageAsync(page, "en");
        await page.GetByRole(AriaRole.Link, new() { Name = "Alerts" }).ClickAsync();
        await LiveAsync(page);
        var rows = page.Locator("table.alerts tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(0)).ToContainTextAsync(latest.TrackingNumber);
        await Expect(rows.Nth(1)).ToContainTextAsync(later.TrackingNumber);
        await Expect(page.Locator("table.alerts")).Not.ToContainTextAsync(fresh.TrackingNumber,
            new() { Timeout = 1000 });
        await ScreenshotAsync(page, "alerts-national");
        await AccessibleAsync(page);

        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex($"^Acknowledge the alert for {later.TrackingNumber}") })
            .ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync($"Acknowledged: {later.TrackingNumber}");
        await Expect(rows.Nth(1)).ToContainTextAsync("Acknowledged by National dashboard");
        await Expect(rows.Nth(0).GetByRole(AriaRole.Button)).ToHaveCountAsync(1);
        await ScreenshotAsync(page, "alerts-acknowledged");

        await using var session = Workspace.Factory.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var acknowledged = (await session.Events.FetchStreamAsync(later.Id)).Select(e => e.Data).OfType<EscalationAcknowledged>()
            .ShouldHaveSingleItem();
        acknowledged.By.UserId.ShouldBe(NationalDashboard);
        acknowledged.Level.ShouldBe(2, "the level that named the national dashboard");

        // An officer is no watcher: the page says so and lists nothing.
        var officer = await Workspace.WindowAsync();
        await SignInAsync(officer, Registrar.UserId);
        await ChooseLanguageAsync(officer, "en");
        await officer.GotoAsync("/oversight/alerts");
        await Expect(officer.GetByRole(AriaRole.Alert)).ToContainTextAsync("Alerts are for");
        (await officer.Locator("main").InnerTextAsync()).ShouldNotContain(later.TrackingNumber);
    }

    /// <summary>
    /// An enterprise registration received at centre VTE <paramref name="daysAgo"/> days ago and declared complete at once;
    /// with <paramref name="breachedDaysAgo"/>, the deadline clock ran then (breach and every escalation level reached), and
    /// with <paramref name="decideLate"/> the registrar approved the step after that.
    /// </summary>
    private async Task<Seeded> CaseAsync(int daysAgo, int? breachedDaysAgo = null, bool decideLate = false)
    {
        var services = Workspace.Factory.Services;
        var clock = new Clock(TimeProvider.System.GetUtcNow().AddDays(-daysAgo));
        var commands = ActivatorUtilities.CreateInstance<ApplicationCommands>(services, (TimeProvider)clock);
        var context = new CommandContext("oversight-journey");
        var data = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""
            { "enterprise_name": "Mekong Rice Trading", "enterprise_type": "sole-trader", "registered_capital": 50000000,
              "business_sector": "wholesale", "has_employees": false, "province": "Vientiane Capital" }
            """)!;
        var received = await commands.SubmitAsync(new NewApplication(Guid.NewGuid(), "enterprise-registration", "VTE", "counter",
            new Applicant("Somchai Phommavong", "0123456"), data, ["application-form", "owner-id"]), Clerk, context);
        await commands.HandleAsync(received.Id, null, new DecideStep("intake", StepOutcome.Approve, "complete", null, Clerk), context);
        if (breachedDaysAgo is { } days)
        {
            clock.Now = TimeProvider.System.GetUtcNow().AddDays(-days);
            (await commands.HandleAsync(received.Id, null, new ReachDeadline("register", System), context))
                .Events.OfType<DeadlineBreached>().ShouldHaveSingleItem();
        }
        if (decideLate)
        {
            clock.Now = clock.Now.AddHours(2);
            await commands.HandleAsync(received.Id, null, new DecideStep("register", StepOutcome.Approve, "registered at last", null,
                Registrar), context);
        }
        return new Seeded(received.Id, received.TrackingNumber);
    }

    private async Task<int> VersionOfAsync(Guid id, string type)
    {
        await using var session = Workspace.Factory.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return (int)(await session.Events.FetchStreamAsync(id)).First(e => e.EventTypeName == type).Version;
    }

    /// <summary>Runs the statistics' async daemon until it has read every event, then stops it.</summary>
    private async Task StatisticsCaughtUpAsync()
    {
        var store = Workspace.Factory.Services.GetRequiredService<IDocumentStore>();
        using var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.StartAllAsync();
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        await daemon.StopAllAsync();
    }

    private static string Day(int days) => DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).AddDays(days).ToString("yyyy-MM-dd");

    /// <summary>The day as a caption writes it: "3 June 2024" in English, "03/06/2024" in Lao.</summary>
    private static string Spelled(int days, string language = "en")
    {
        var day = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).AddDays(days);
        return language == "en"
            ? day.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"))
            : day.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
    }

    /// <summary>The page's live connection is up: before that a slide or a click would be lost.</summary>
    private static Task LiveAsync(IPage page) =>
        page.Locator(".live-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
