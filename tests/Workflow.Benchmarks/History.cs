using System.Text.Json;
using System.Text.Json.Serialization;
using NpgsqlTypes;
using Workflow.Core.Access;
using Workflow.Core.Applications;
using Workflow.Core.Calendars;
using Workflow.Core.Citizens;
using Workflow.Core.Definitions;
using Workflow.Core.Statistics;
using Workflow.Store;
using Workflow.Store.Tracking;

namespace Workflow.Benchmarks;

/// <summary>One generated case: its stream id and its events in order, each made by the real decider.</summary>
public sealed record GeneratedCase(Guid Id, IReadOnlyList<object> Events);

/// <summary>
/// Years of cases for the runners that read a long history (what-if, the statistics check): every event made by the real
/// decider at the instant it is recorded, then copied into the event table with one statement, far faster than the
/// command shell. The audit chain's links are not written (nothing these runners read checks them), so verification of
/// such a store reports the copied streams as unlinked.
/// </summary>
public static class History
{
    private static readonly JsonSerializerOptions Json =
        new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Copies the cases into the store's event table as they are generated; returns the events written.</summary>
    public static async Task<long> CopyAsync(BenchStore bench, IEnumerable<GeneratedCase> cases, CancellationToken cancellation)
    {
        var schema = WorkflowStore.Schema;
        await using var connection = await bench.Database.OpenConnectionAsync(cancellation);
        await using (var create = new Npgsql.NpgsqlCommand("create temporary table bench_history " +
                         "(stream_id uuid, version bigint, type text, data jsonb, dotnet text)", connection))
            await create.ExecuteNonQueryAsync(cancellation);
        long written = 0;
        await using (var copy = await connection.BeginBinaryImportAsync(
                         "copy bench_history (stream_id, version, type, data, dotnet) from stdin (format binary)", cancellation))
        {
            foreach (var (id, events) in cases)
            {
                var version = 0;
                foreach (var e in events)
                {
                    await copy.StartRowAsync(cancellation);
                    await copy.WriteAsync(id, NpgsqlDbType.Uuid, cancellation);
                    await copy.WriteAsync((long)++version, NpgsqlDbType.Bigint, cancellation);
                    await copy.WriteAsync(ApplicationEvents.Aliases[e.GetType()], NpgsqlDbType.Text, cancellation);
                    await copy.WriteAsync(JsonSerializer.Serialize(e, e.GetType(), Json), NpgsqlDbType.Jsonb, cancellation);
                    await copy.WriteAsync(e.GetType().FullName + ", Workflow.Core", NpgsqlDbType.Text, cancellation);
                    written++;
                }
            }
            await copy.CompleteAsync(cancellation);
        }
        await using (var insert = new Npgsql.NpgsqlCommand($"""
                         insert into {schema}.mt_streams (id, type, version, tenant_id)
                         select stream_id, null, max(version), '*DEFAULT*' from bench_history group by stream_id;
                         insert into {schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type)
                         select nextval('{schema}.mt_events_sequence'), gen_random_uuid(), stream_id, version, data, type, now(),
                                '*DEFAULT*', dotnet
                         from bench_history order by stream_id, version;
                         drop table bench_history;
                         """, connection) { CommandTimeout = 0 })
            await insert.ExecuteNonQueryAsync(cancellation);
        await bench.ExecuteAsync($"vacuum analyze {schema}.mt_events");
        return written;
    }

    /// <summary>
    /// Enterprise registrations received through 2024 at the Vientiane centre, each decided by the real decider at varied
    /// instants (agencies sometimes late), with a return in about one in ten and a rejection in about one in twenty.
    /// </summary>
    public static IEnumerable<GeneratedCase> EnterpriseRegistrations(WorkflowDefinition definition, CalendarCatalog calendars, int cases)
    {
        var random = new Random(13);
        var first = new DateTimeOffset(2024, 1, 2, 8, 30, 0, TimeSpan.FromHours(7));
        for (var i = 0; i < cases; i++)
        {
            var received = calendars.ForCentre(Samples.Centre, first).AddWorkingDays(first, i * 230 / cases).AddHours(-7)
                .AddMinutes(random.Next(0, 360));
            var id = Guid.CreateVersion7();
            yield return new GeneratedCase(id, EnterpriseRegistration(id, definition, calendars, random, received));
        }
    }

    /// <summary>One case as the command shell would record it: every open step decided in turn by its agency.</summary>
    private static List<object> EnterpriseRegistration(Guid id, WorkflowDefinition definition, CalendarCatalog calendars, Random random,
        DateTimeOffset received)
    {
        var events = new List<object>();
        Application? state = null;
        void Do(ApplicationCommand command, DateTimeOffset at)
        {
            // The sweeper records a missed legal deadline (the apology) before a later decision.
            if (state?.Clock is { Running: true, Missed: false } clock && at > clock.DueAt)
                Apply(new ReachDeadline(DeadlineScopes.Case, DeadlineScopes.System, clock.DueAt), at);
            Apply(command, at);
        }
        void Apply(ApplicationCommand command, DateTimeOffset at)
        {
            foreach (var e in Decider.Decide(command, state, definition, calendars.ForCentre(Samples.Centre, at), at))
            {
                state = Application.Evolve(state, e);
                events.Add(e);
            }
        }
        var data = Samples.Enterprise();
        data["has_employees"] = JsonSerializer.SerializeToElement(random.Next(2) == 0);
        Do(new SubmitApplication(id, $"ER-{id:N}"[..16], Samples.Centre, "counter", new Applicant("Bench"), data, Samples.Documents,
            Samples.Clerk), received);
        var planned = new Dictionary<(string, DateTimeOffset), DateTimeOffset>();
        for (var guard = 0; guard < 100 && !state!.IsFinished; guard++)
        {
            var calendar = calendars.ForCentre(Samples.Centre, received);
            if (state.Status == ApplicationStatus.AwaitingCorrection && !state.LiveSteps.Any(s => s.Status == StepStatus.Open))
            {
                var returned = state.Steps.Values.Where(s => s.Status == StepStatus.Returned).Max(s => s.ReturnedAt!.Value);
                Do(new SubmitCorrection(new Dictionary<string, JsonElement>(), [], "corrected", Samples.Clerk),
                    calendar.AddWorkingDays(returned, random.Next(1, 6)).AddHours(-5));
                continue;
            }
            // In the order of the step ids, so that every run draws the same numbers for the same steps (the state's dictionary
            // enumerates in the order of string hashes, which change from one process to the next).
            foreach (var open in state.LiveSteps.Where(s => s.Status == StepStatus.Open && !planned.ContainsKey((s.StepId, s.OpenedAt)))
                         .OrderBy(s => s.StepId, StringComparer.Ordinal))
            {
                var allowed = definition.FindStep(open.StepId)!.DeadlineDays;
                var at = calendar.AddWorkingDays(open.OpenedAt, random.Next(0, allowed + 3)).AddHours(-random.Next(1, 7));
                planned[(open.StepId, open.OpenedAt)] = at < open.OpenedAt ? open.OpenedAt : at;
            }
            var (step, opened) = planned.Keys.Where(k => state.Steps[k.Item1] is { Status: StepStatus.Open } s && s.OpenedAt == k.Item2)
                .MinBy(k => planned[k]);
            var when = planned[(step, opened)];
            planned.Remove((step, opened));
            var roll = random.Next(100);
            var outcome = step == "register" && roll < 5 ? StepOutcome.Reject
                : step == "register" && roll < 15 && state.Returns == 0 ? StepOutcome.Return
                : StepOutcome.Approve;
            var agency = definition.FindStep(step)!.Agency;
            Do(new DecideStep(step, outcome, "recorded", null, new Actor("bench", "Bench", agency, "supervisor", Samples.Centre)), when);
        }
        return events;
    }

    /// <summary>
    /// A varied year: every shipped procedure, several centres, each case driven by <see cref="VariedCase"/> until it ends or
    /// the year does. Received evenly over the working days of 2024, so that the cases of December are still running at the
    /// end (some overdue). <paramref name="figures"/> counts what was generated, for the runner's table.
    /// </summary>
    public static IEnumerable<GeneratedCase> VariedYear(WorkflowCatalog catalog, IReadOnlyList<string> centres, int cases,
        HistoryFigures figures)
    {
        var random = new Random(17);
        var calendars = new CentreCalendars(catalog.Calendars);
        var first = new DateTimeOffset(2024, 1, 2, 8, 0, 0, VariedCase.Vientiane);
        var lastDay = new DateTimeOffset(2024, 12, 31, 12, 0, 0, VariedCase.Vientiane);
        // The shell hashes a fresh access code for every submission (slow on purpose: PBKDF2); one hash serves them all here,
        // since only whether a case has one is counted.
        var accessCode = AccessCodes.Hash(AccessCodes.New());
        var numbers = new Dictionary<string, int>();
        for (var i = 0; i < cases; i++)
        {
            var centre = centres[random.Next(centres.Count)];
            var definition = catalog.Latest[random.Next(catalog.Latest.Length)];
            var calendar = calendars.ForCentre(centre, first);
            var span = calendar.WorkingDaysBetween(first, lastDay);
            var received = calendar.AddWorkingDays(first, (int)((long)i * span / cases)).AddHours(-7).AddMinutes(random.Next(0, 390));
            var number = numbers[centre] = numbers.GetValueOrDefault(centre) + 1;
            var id = Guid.CreateVersion7();
            var events = new VariedCase(definition, calendars, centre, random).Run(id, $"{centre}-2024-{number:D6}", accessCode,
                received, figures);
            figures.Count(definition.Id, centre, events);
            yield return new GeneratedCase(id, events);
        }
    }
}

/// <summary>What a generated history holds, counted as it is made.</summary>
public sealed class HistoryFigures
{
    public int Applications { get; private set; }
    public long Events { get; private set; }
    public SortedSet<string> Procedures { get; } = [];
    public SortedSet<string> Centres { get; } = [];
    public int Returns { get; private set; }
    public int ReturnedTwiceOrMore { get; private set; }
    public int Rejected { get; private set; }
    public int Withdrawn { get; private set; }
    public int Lapsed { get; private set; }
    public int DeemedApproved { get; private set; }
    public int Apologies { get; private set; }
    public int Escalations { get; private set; }
    public int Acknowledged { get; private set; }
    public int Ratings { get; private set; }
    public int RunningAtEnd { get; internal set; }
    public int OverdueAtEnd { get; internal set; }

    internal void Count(string procedure, string centre, IReadOnlyList<object> events)
    {
        Applications++;
        Events += events.Count;
        Procedures.Add(procedure);
        Centres.Add(centre);
        var returns = events.Count(e => e is StepReturned);
        Returns += returns;
        if (returns >= 2) ReturnedTwiceOrMore++;
        foreach (var e in events)
        {
            switch (e)
            {
                case ApplicationRejected: Rejected++; break;
                case ApplicationWithdrawn: Withdrawn++; break;
                case ApplicationLapsed: Lapsed++; break;
                case ApplicationDeemedApproved: DeemedApproved++; break;
                case CaseDeadlineMissed: Apologies++; break;
                case StepEscalated: Escalations++; break;
                case EscalationAcknowledged: Acknowledged++; break;
                case ServiceRated: Ratings++; break;
            }
        }
    }
}

/// <summary>
/// One case of a varied year, driven as the counter, the agencies, the citizen and the deadline sweeper would drive it
/// through the command shell: every event comes from <see cref="Decider.Decide"/> at the instant it is recorded. Agencies
/// take a varied number of working days (sometimes far more than allowed, so steps breach and escalate, and supervisors
/// acknowledge about half of the escalations); steps are returned (some cases twice or more, a return past the cap by a
/// supervisor naming a listed document) and rejected; citizens correct, or let the file lapse, or withdraw; the sweeper
/// fires every timer that comes due before the next act, a minute after its instant; citizens rate about two in five
/// ended cases. Nothing after the end of 2024 is recorded.
/// </summary>
public sealed class VariedCase(WorkflowDefinition definition, CentreCalendars calendars, string centre, Random random)
{
    public static readonly TimeSpan Vientiane = TimeSpan.FromHours(7);

    /// <summary>The instant the generated history ends: what would come later has not happened yet.</summary>
    public static readonly DateTimeOffset End = new(2025, 1, 1, 0, 0, 0, Vientiane);

    private static readonly int[] RatingWeights = [5, 10, 20, 35, 30];

    private readonly List<object> _events = [];
    private readonly Dictionary<(string Step, DateTimeOffset Opened), DateTimeOffset> _decisions = [];
    private readonly List<(string Step, int Level, DateTimeOffset At)> _acknowledgements = [];
    private readonly HashSet<(string Scope, DateTimeOffset At)> _spent = [];
    private Application? _state;
    private DateTimeOffset? _correction, _withdrawal;
    private DateTimeOffset _last;

    private Application State => _state!;
    // Who the shell lets act (AccessPolicy): a clerk of the application's centre on the centre's own steps, corrections and
    // withdrawals; an officer of the step's agency elsewhere; a supervisor of the step's agency (of the centre, for the
    // centre's steps) for a return past the cap and for acknowledging an escalation.
    private Actor Clerk => new($"clerk-{centre.ToLowerInvariant()}", "Clerk", AccessPolicy.CentreAgency, Roles.Clerk, centre);
    private Actor Officer(string agency) => agency == AccessPolicy.CentreAgency ? Clerk : new($"officer-{agency}", "Officer", agency, Roles.Officer);
    private Actor Supervisor(string agency) => new($"supervisor-{agency}", "Supervisor", agency, Roles.Supervisor,
        agency == AccessPolicy.CentreAgency ? centre : null);

    public IReadOnlyList<object> Run(Guid id, string trackingNumber, string accessCode, DateTimeOffset received, HistoryFigures figures)
    {
        var (data, documents) = Form(definition.Id);
        string[] channels = ["counter", "counter", "web", "api"];
        Apply(new SubmitApplication(id, trackingNumber, centre, channels[random.Next(channels.Length)], new Applicant("Bench"), data,
            documents, Clerk, accessCode), received);
        if (random.Next(100) < 3)
            _withdrawal = Working(received, random.Next(1, 30));
        for (var guard = 0; guard < 1000 && !State.IsFinished; guard++)
        {
            var (at, act) = Next();
            if (at >= End) break;
            Sweep(at);
            if (State.IsFinished) break;
            act(at);
        }
        Sweep(End);
        if (State.IsFinished && random.Next(100) < 40)
        {
            var at = _last.AddHours(random.Next(2, 24 * 20));
            if (at < End) Apply(new RateService(Rating(), null, Feedback.Citizen(trackingNumber)), at);
        }
        if (!State.IsFinished)
        {
            figures.RunningAtEnd++;
            if (State.Clock is { } clock && (clock.Missed || clock.Running && Lateness.IsLate(End, clock.DueAt))) figures.OverdueAtEnd++;
        }
        return _events;
    }

    /// <summary>The earliest thing a person would do next: a decision on an open step, a correction, a withdrawal or an acknowledgement.</summary>
    private (DateTimeOffset At, Action<DateTimeOffset> Act) Next()
    {
        // In the order of the step ids: the state's dictionary enumerates in the order of string hashes, which changes from
        // one process to the next, and the history is to be the same in every run.
        foreach (var open in State.Steps.Values.Where(s => s.Status == StepStatus.Open && !_decisions.ContainsKey((s.StepId, s.OpenedAt)))
                     .OrderBy(s => s.StepId, StringComparer.Ordinal))
            _decisions[(open.StepId, open.OpenedAt)] = DecisionTime(open);
        if (State.Status == ApplicationStatus.AwaitingCorrection && _correction is null)
        {
            var returned = State.Steps.Values.Where(s => s.Status == StepStatus.Returned).Max(s => s.ReturnedAt!.Value);
            // One citizen in twenty never corrects: the file lapses when the correction window closes.
            _correction = random.Next(20) == 0 ? DateTimeOffset.MaxValue : Working(returned, random.Next(1, 9));
        }
        var acts = new List<(DateTimeOffset At, Action<DateTimeOffset> Act)>();
        foreach (var ((step, opened), at) in _decisions)
            if (State.Steps[step] is { Status: StepStatus.Open } s && s.OpenedAt == opened) acts.Add((at, when => Decide(step, when)));
        if (_correction is { } correction && State.Status == ApplicationStatus.AwaitingCorrection) acts.Add((correction, Correct));
        if (_withdrawal is { } withdrawal)
            acts.Add((withdrawal, at => Apply(new WithdrawApplication("the applicant withdrew the application", Clerk), at)));
        foreach (var (step, level, at) in _acknowledgements)
            acts.Add((at, when => Acknowledge(step, level, when)));
        return acts.Count == 0 ? (DateTimeOffset.MaxValue, _ => { }) : acts.MinBy(a => a.At);
    }

    /// <summary>Mostly within the step's working days; one decision in eight a little late, one in thirty far too late.</summary>
    private DateTimeOffset DecisionTime(StepState open)
    {
        var allowed = open.WorkingDays;
        var roll = random.Next(100);
        var days = roll < 3 ? allowed + random.Next(3, 13) : roll < 15 ? allowed + random.Next(1, 3) : random.Next(0, allowed + 1);
        var at = Working(open.OpenedAt, days);
        return at > open.OpenedAt ? at : open.OpenedAt.AddMinutes(random.Next(5, 60));
    }

    private void Decide(string stepId, DateTimeOffset at)
    {
        _decisions.Remove((stepId, State.Steps[stepId].OpenedAt));
        var step = definition.FindStep(stepId)!;
        var returns = _events.Count(e => e is StepReturned);
        var roll = random.Next(1000);
        var by = Officer(step.Agency);
        // Past the procedure's cap only a supervisor returns a file, naming the listed requirement it is about; the centre's
        // steps are decided by clerks only, so no such return is made there.
        var beyondCap = State.Complete && State.Returns >= definition.MaxReturns;
        var mayReturn = step.CanReturn && returns < 4 && !(beyondCap && step.Agency == AccessPolicy.CentreAgency);
        if (step.Reject is not null && roll < 15)
            Apply(new DecideStep(stepId, StepOutcome.Reject, "does not meet the requirements", null, by), at);
        else if (mayReturn && roll < (returns == 0 ? 60 : 250))
            Apply(new DecideStep(stepId, StepOutcome.Return, "a document is missing or unreadable", null,
                beyondCap ? Supervisor(step.Agency) : by, beyondCap ? $"document:{definition.Documents[0].Name}" : null), at);
        else
        {
            Apply(new DecideStep(stepId, StepOutcome.Approve, "complete and in order", null, by), at);
            // Four eyes: a second officer of the agency confirms.
            if (State.Steps.GetValueOrDefault(stepId) is { Status: StepStatus.Open, Pending: not null })
                Apply(new DecideStep(stepId, StepOutcome.Approve, "confirmed", null,
                    Officer(step.Agency) with { UserId = $"second-{step.Agency}-{centre}" }), at.AddMinutes(10));
        }
    }

    private void Correct(DateTimeOffset at)
    {
        _correction = null;
        Apply(new SubmitCorrection(new Dictionary<string, JsonElement>(), [], "corrected", Clerk), at);
    }

    private void Acknowledge(string stepId, int level, DateTimeOffset at)
    {
        _acknowledgements.RemoveAll(a => a.Step == stepId && a.Level == level);
        Apply(new AcknowledgeEscalation(stepId, level, "seen; the office is on it", Supervisor(State.Steps[stepId].Agency)), at);
    }

    /// <summary>
    /// What the deadline sweeper fires before <paramref name="before"/>: each step's warning, breach and escalations, the legal
    /// deadline and the correction window, in the order they came due, each a minute after its instant (the sweeper's pass).
    /// </summary>
    private void Sweep(DateTimeOffset before)
    {
        for (var guard = 0; guard < 1000 && !State.IsFinished; guard++)
        {
            var due = new List<(string Scope, DateTimeOffset At)>();
            foreach (var step in State.Steps.Values)
                if (step is { Status: StepStatus.Open, NextTimer: { } timer }) due.Add((step.StepId, timer.At));
            if (State.Clock is { Running: true, Missed: false } clock) due.Add((DeadlineScopes.Case, clock.DueAt));
            if (State.Status == ApplicationStatus.AwaitingCorrection && State.CorrectionDueAt is { } window)
                due.Add((DeadlineScopes.Correction, window));
            var next = due.Where(d => !_spent.Contains(d)).OrderBy(d => d.At).ThenBy(d => d.Scope, StringComparer.Ordinal)
                .DefaultIfEmpty((Scope: "", At: DateTimeOffset.MaxValue)).First();
            if (next.At == DateTimeOffset.MaxValue || next.At.AddMinutes(1) >= before) return;
            // A timer whose state gives nothing (a level the chain lacks) is retired, as the sweeper retires its row.
            if (Apply(new ReachDeadline(next.Scope, DeadlineScopes.System, next.At), next.At.AddMinutes(1)) == 0) _spent.Add(next);
        }
    }

    private int Apply(ApplicationCommand command, DateTimeOffset at)
    {
        var events = Decider.Decide(command, _state, definition, calendars.ForCentre(centre, at), at);
        foreach (var e in events)
        {
            _state = Application.Evolve(_state, e);
            _events.Add(e);
            if (e is StepEscalated escalated && random.Next(2) == 0)
                _acknowledgements.Add((escalated.StepId, escalated.Level, at.AddHours(random.Next(1, 48))));
        }
        if (events.Count > 0) _last = at;
        return events.Count;
    }

    /// <summary>An instant in office hours <paramref name="days"/> working days after <paramref name="from"/>.</summary>
    private DateTimeOffset Working(DateTimeOffset from, int days) =>
        calendars.ForCentre(centre, from).AddWorkingDays(from, days).AddHours(-random.Next(1, 8)).AddMinutes(-random.Next(0, 60));

    private int Rating()
    {
        var roll = random.Next(100);
        for (var rating = 1; rating <= 5; rating++)
            if ((roll -= RatingWeights[rating - 1]) < 0) return rating;
        return 5;
    }

    /// <summary>A valid form of each shipped procedure, varied where its route depends on the data.</summary>
    private (Dictionary<string, JsonElement> Data, List<string> Documents) Form(string procedure)
    {
        Dictionary<string, JsonElement> Fields(params (string Name, object Value)[] fields) =>
            fields.ToDictionary(f => f.Name, f => JsonSerializer.SerializeToElement(f.Value));
        T Pick<T>(params T[] values) => values[random.Next(values.Length)];
        switch (procedure)
        {
            case "enterprise-registration":
                var type = Pick("sole-trader", "partnership", "company");
                return (Fields(("enterprise_name", "Bench Trading"), ("enterprise_type", type), ("registered_capital", 100_000_000),
                        ("business_sector", "trade"), ("has_employees", random.Next(2) == 0), ("province", "Vientiane")),
                    type == "company" ? ["application-form", "owner-id", "articles-of-association"] : ["application-form", "owner-id"]);
            case "construction-permit":
                var site = Pick(800, 3000, 6000);
                var (floor, height) = Pick((250, 7), (1200, 14), (12000, 25));
                return (Fields(("owner_name", "Bounmy"), ("parcel_number", "VTE-01-2231"), ("building_use", Pick("residential", "commercial")),
                        ("floor_area", floor), ("height", height), ("site_area", site), ("in_protected_area", random.Next(4) == 0)),
                    site > 5000 ? ["application-form", "land-title", "building-plans", "environmental-impact-statement"]
                        : ["application-form", "land-title", "building-plans"]);
            case "import-licence":
                var goods = Pick("medicine", "food", "feed", "cosmetics", "other");
                return (Fields(("importer_name", "Lao Pharma Co"), ("enterprise_registration_number", "ER-2024-0091"), ("goods", goods),
                        ("description", "goods for sale"), ("quantity", 20000), ("country_of_origin", "Thailand")),
                    goods is "medicine" or "food" ? ["application-form", "enterprise-certificate", "pro-forma-invoice", "product-registration"]
                        : ["application-form", "enterprise-certificate", "pro-forma-invoice"]);
            case "accommodation-licence":
                return (Fields(("establishment_name", "Riverside Guesthouse"), ("enterprise_registration_number", "ER-2024-1100"),
                        ("construction_permit_number", "CP-2024-0420"), ("registered_capital_usd", Pick(50_000, 250_000, 900_000)),
                        ("rooms", 24), ("category", Pick("guesthouse", "hotel", "resort"))),
                    ["application-form", "enterprise-certificate", "construction-permit", "floor-plans", "fire-safety-plan"]);
            case "land-title-transfer":
                var kind = Pick("sale", "gift", "inheritance");
                List<string> papers = ["application-form", "land-title", "seller-id", "buyer-id"];
                if (kind == "sale") papers.Add("sale-contract");
                if (kind == "inheritance") papers.Add("inheritance-certificate");
                return (Fields(("parcel_number", "XAY-88-12"), ("title_number", "T-55120"), ("transfer_kind", kind),
                    ("declared_value", 350_000_000), ("village", "Ban Phonxay"), ("seller_name", "Khamla"), ("buyer_name", "Noy")), papers);
            default:
                throw new ArgumentOutOfRangeException(nameof(procedure), procedure, "no form for this procedure");
        }
    }
}
