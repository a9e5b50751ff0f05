using System.Text.Json;

namespace Workflow.Benchmarks;

/// <summary>
/// The last line every benchmark prints: one JSON object with its figures and ratios, so a script can keep the result
/// of each run without reading the tables.
/// </summary>
public static class Report
{
    // Relaxed escaping keeps "INSERT+COMMIT" readable; the line is read by scripts, never embedded in HTML.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static object Machine => new
    {
        cores = Environment.ProcessorCount, dotnet = Environment.Version.ToString(), os = Environment.OSVersion.VersionString,
    };

    public static string Line(object figures) => JsonSerializer.Serialize(figures, Json);

    public static void Print(TextWriter output, object figures) => output.WriteLine(Line(figures));

    public static double Round(double value, int digits = 2) => Math.Round(value, digits);
}
