using System.Text.Json;
using Workflow.Core.Applications;

namespace Workflow.Cli;

/// <summary>What the benchmarks share: order statistics and a valid enterprise registration to submit.</summary>
public static class Statistics
{
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static readonly Actor Clerk = new("bench-clerk", "Bench clerk", "odsc", "clerk");

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
}
