using System.Text.Json;
using Workflow.Core.Applications;
using Workflow.Store.Applications;

namespace Workflow.Benchmarks;

/// <summary>The case every benchmark works on: a valid enterprise registration received at the Vientiane centre.</summary>
public static class Samples
{
    public const string Procedure = "enterprise-registration";
    public const string Centre = "VTE";

    public static readonly Actor Clerk = new("bench-clerk", "Bench clerk", "odsc", "clerk", Centre);

    /// <summary>A return past the cap needs a supervisor of the registering agency and a listed requirement.</summary>
    public static readonly Actor Supervisor = new("bench-supervisor", "Bench supervisor", "moic-enterprise-registration", "supervisor");

    public static readonly string[] Documents = ["application-form", "owner-id"];

    public static Dictionary<string, JsonElement> Enterprise() => new()
    {
        ["enterprise_name"] = JsonSerializer.SerializeToElement("Bench Trading"),
        ["enterprise_type"] = JsonSerializer.SerializeToElement("sole-trader"),
        ["registered_capital"] = JsonSerializer.SerializeToElement(100_000_000),
        ["business_sector"] = JsonSerializer.SerializeToElement("trade"),
        ["has_employees"] = JsonSerializer.SerializeToElement(true),
        ["province"] = JsonSerializer.SerializeToElement("Vientiane"),
    };

    public static NewApplication Application(Guid id) =>
        new(id, Procedure, Centre, "api", new Applicant("Bench"), Enterprise(), Documents);

    public static DecideStep CompletenessCheckPassed => new("intake", StepOutcome.Approve, "complete", null, Clerk);

    public static CommandContext Context => new("bench");
}
