namespace Workflow.Benchmarks;

/// <summary>Order statistics: every console runner reports medians of rounds and percentiles of latencies.</summary>
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

    /// <summary>A ratio for the JSON line: two decimals, and 0 rather than infinity when the baseline took no time.</summary>
    public static double Ratio(double value, double baseline) => baseline > 0 ? Math.Round(value / baseline, 2) : 0;
}
