using System.Text.Json;
using Workflow.Core.Applications;
using Workflow.Core.Calendars;
using Workflow.Core.Definitions;

namespace Workflow.Core.Tests;

/// <summary>Given(events…).When(command).Then(…) over the pure decider.</summary>
public sealed class Scenario(WorkflowDefinition definition)
{
    public static readonly Guid Id = Guid.Parse("7d4a1f8e-0000-4000-8000-000000000001");
    public static readonly DateTimeOffset Monday = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(7));
    public static readonly Actor Clerk = new("clerk-1", "Clerk One", "odsc", "clerk");

    private readonly List<object> _history = [];
    private DateTimeOffset _now = Monday;
    private WorkingCalendar? _calendar;

    public WorkflowDefinition Definition => definition;
    public IReadOnlyList<object> History => _history;
    public Application? State => _history.Aggregate((Application?)null, Application.Evolve);

    public static Actor Officer(string agency) => new($"officer-{agency}", $"Officer of {agency}", agency, "officer");

    public static Actor Supervisor(string agency) => new($"supervisor-{agency}", $"Supervisor of {agency}", agency, "supervisor");

    public DateTimeOffset Now => _now;

    /// <summary>The calendar of the Vientiane centre as in force at the scenario's time, unless one is given.</summary>
    public WorkingCalendar Calendar => _calendar ?? Procedures.Catalog.Calendars.ForCentre("VTE", _now);

    public Scenario At(DateTimeOffset now)
    {
        _now = now;
        return this;
    }

    public Scenario With(WorkingCalendar calendar)
    {
        _calendar = calendar;
        return this;
    }

    /// <summary>The sweeper's command for one scope, at the scenario's current time.</summary>
    public IReadOnlyList<object> Reach(string scope) => When(new ReachDeadline(scope, DeadlineScopes.System));

    /// <summary>The sweeper's command as it sends it: naming the instant the timer it claimed was scheduled for.</summary>
    public IReadOnlyList<object> Reach(string scope, DateTimeOffset scheduledFor) =>
        When(new ReachDeadline(scope, DeadlineScopes.System, scheduledFor));

    public Scenario Given(params object[] events)
    {
        _history.AddRange(events);
        return this;
    }

    /// <summary>Runs a command and keeps its events as history for the next step of the story.</summary>
    public IReadOnlyList<object> When(ApplicationCommand command)
    {
        var events = Decider.Decide(command, State, definition, Calendar, _now);
        _history.AddRange(events);
        return events;
    }

    public T ThenFails<T>(ApplicationCommand command) where T : Exception
    {
        var before = _history.Count;
        var error = Should.Throw<T>(() => When(command));
        _history.Count.ShouldBe(before);
        return error;
    }

    public Scenario Submit(Dictionary<string, object> data, params string[] documents)
    {
        When(new SubmitApplication(Id, "VTE-2026-000001", "VTE", "counter", new Applicant("Somchai"), Data(data), documents, Clerk));
        return this;
    }

    public IReadOnlyList<object> Approve(string step, string? agency = null) =>
        When(new DecideStep(
            step, StepOutcome.Approve, "meets the requirements", null, Officer(agency ?? definition.FindStep(step)!.Agency)));

    public IReadOnlyList<object> Return(string step) =>
        When(new DecideStep(step, StepOutcome.Return, "the plan is unsigned", "sign page 2", Officer(definition.FindStep(step)!.Agency)));

    public IReadOnlyList<object> Reject(string step) =>
        When(new DecideStep(step, StepOutcome.Reject, "not permitted in this zone", null, Officer(definition.FindStep(step)!.Agency)));

    public IReadOnlyList<object> Correct(params string[] documents) =>
        When(new SubmitCorrection(new Dictionary<string, JsonElement>(), documents, "signed", Clerk));

    public IEnumerable<string> OpenSteps => State!.Steps.Values.Where(s => s.Status == StepStatus.Open).Select(s => s.StepId).Order();

    public static Dictionary<string, JsonElement> Data(Dictionary<string, object> values) => Procedures.Data(values);

    public static IEnumerable<string> Types(IEnumerable<object> events) => events.Select(e => e.GetType().Name);
}

/// <summary>
/// Specs over the pure decider that read as one situation: <c>Given(definition, history…).When(command).Then(events…)</c>,
/// or <c>.ThenNothing()</c>, or <c>.ThenFails&lt;RuleViolation&gt;("code")</c>. Events are compared by type and by every
/// field as stored (their JSON), so a list or a nested record compares by content, and a missing or extra event fails.
/// </summary>
public static class Spec
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static Arranged Given(WorkflowDefinition definition, params object[] history) =>
        new(new Scenario(definition).Given(history));

    /// <summary>Continues a story told with <see cref="Scenario"/>: its history is what is given.</summary>
    public static Arranged Given(Scenario story) => new(story);

    public static IReadOnlyList<string> Comparable(IEnumerable<object> events) =>
        [.. events.Select(e => $"{e.GetType().Name} {JsonSerializer.Serialize(e, e.GetType(), Json)}")];

    public sealed class Arranged(Scenario scenario)
    {
        /// <summary>The decision is taken at this time (the scenario's Monday 09:00 in Vientiane unless said).</summary>
        public Arranged At(DateTimeOffset now)
        {
            scenario.At(now);
            return this;
        }

        public Acted When(ApplicationCommand command) => new(scenario, command);
    }

    public sealed class Acted(Scenario scenario, ApplicationCommand command)
    {
        /// <summary>Exactly these events, in this order; returns the scenario with them added, for what follows.</summary>
        public Scenario Then(params object[] expected)
        {
            Comparable(scenario.When(command)).ShouldBe(Comparable(expected));
            return scenario;
        }

        /// <summary>The command changes nothing: no event (a repeated command is idempotent).</summary>
        public Scenario ThenNothing() => Then();

        /// <summary>Refused with this exception (and, for a rule, this code), and nothing is recorded.</summary>
        public T ThenFails<T>(string? code = null) where T : Exception
        {
            var error = scenario.ThenFails<T>(command);
            if (code is not null) error.ShouldBeOfType<RuleViolation>().Code.ShouldBe(code);
            return error;
        }
    }
}
