using BenchmarkDotNet.Attributes;
using Workflow.Core.Applications;
using Workflow.Core.Calendars;
using Workflow.Core.Definitions;

namespace Workflow.Benchmarks.Micro;

/// <summary>
/// The pure decider on the enterprise registration: each decision beside replaying the events of the completeness check
/// (what loading a stream pays per command), so the ratio says what deciding adds to applying.
/// </summary>
[MemoryDiagnoser]
public class DecideBenchmarks
{
    private static readonly Guid Id = Guid.Parse("b0000000-0000-4000-8000-000000000001");
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(7));
    private static readonly Actor Registrar = new("bench-officer", "Bench officer", "moic-enterprise-registration", "officer");

    private WorkflowDefinition _definition = null!;
    private WorkingCalendar _calendar = null!;
    private SubmitApplication _submit = null!;
    private Application _submitted = null!;
    private IReadOnlyList<object> _completed = [];
    private Application _registering = null!;
    private ReachDeadline _warning = null!;
    private DateTimeOffset _afterWarning;

    [GlobalSetup]
    public void Setup()
    {
        var catalog = WorkflowCatalog.Load(Paths.Workflows);
        _definition = catalog.Find(Samples.Procedure)!;
        _calendar = catalog.Calendars.ForCentre(Samples.Centre, Monday);
        _submit = new SubmitApplication(Id, "VTE-2026-000001", Samples.Centre, "api", new Applicant("Bench"), Samples.Enterprise(),
            Samples.Documents, Samples.Clerk);
        _submitted = Fold(null, Decider.Decide(_submit, null, _definition, _calendar, Monday));
        _completed = Decider.Decide(Samples.CompletenessCheckPassed, _submitted, _definition, _calendar, Monday);
        _registering = Fold(_submitted, _completed);
        var warningAt = _completed.OfType<StepOpened>().Single(s => s.StepId == "register").NextTimer!.At;
        _warning = new ReachDeadline("register", DeadlineScopes.System, warningAt);
        // The sweeper claims a timer once its instant has passed, and the decider fires nothing before then.
        _afterWarning = warningAt.AddSeconds(1);
        // Each decision measured must decide something: a refusal or an empty answer would time the wrong path.
        foreach (var (name, decided) in new[] { ("submit", Submit()), ("completeness check", ApproveCompletenessCheck()),
                     ("registration", ApproveRegistration()), ("warning", ReachWarning()) })
            if (decided.Count == 0) throw new InvalidOperationException($"the measured decision '{name}' gave no events");
    }

    private static Application Fold(Application? state, IReadOnlyList<object> events) => events.Aggregate(state, Application.Evolve)!;

    [Benchmark(Baseline = true, Description = "Evolve: completeness check events")]
    public Application Evolve() => Fold(_submitted, _completed);

    [Benchmark(Description = "Decide: submit")]
    public IReadOnlyList<object> Submit() => Decider.Decide(_submit, null, _definition, _calendar, Monday);

    [Benchmark(Description = "Decide: approve completeness check")]
    public IReadOnlyList<object> ApproveCompletenessCheck() =>
        Decider.Decide(Samples.CompletenessCheckPassed, _submitted, _definition, _calendar, Monday);

    [Benchmark(Description = "Decide: approve registration (split)")]
    public IReadOnlyList<object> ApproveRegistration() =>
        Decider.Decide(new DecideStep("register", StepOutcome.Approve, "registered", null, Registrar), _registering, _definition, _calendar,
            Monday.AddDays(1));

    [Benchmark(Description = "Decide: deadline warning")]
    public IReadOnlyList<object> ReachWarning() => Decider.Decide(_warning, _registering, _definition, _calendar, _afterWarning);
}
