using System.Diagnostics;
using System.Text.Json;

namespace Workflow.Design.Tests;

/// <summary>
/// Runs the tools of the bpmn.io and Mermaid projects through Node, from folders under the test project that pin
/// their versions in a package-lock.json; each folder's packages are installed from the npm registry on first use.
/// </summary>
public static class Npm
{
    private static readonly Lock Installing = new();

    public static string Run(string program, string folder, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, $"{program} {string.Join(' ', args)}: {error.Result}");
        return output.Result;
    }

    /// <summary>The folder of a checker, with the packages it needs installed.</summary>
    public static string Folder(string name, params string[] packages)
    {
        var folder = Path.Combine(Procedures.RepositoryRoot(), "tests", "Workflow.Design.Tests", name);
        lock (Installing)
        {
            if (packages.Any(p => !Directory.Exists(Path.Combine(folder, "node_modules", p))))
                Run("npm", folder, "ci", "--no-audit", "--no-fund");
        }
        return folder;
    }

    /// <summary>Writes each text to a file of its own, runs a checker script over them and returns its JSON answer by key.</summary>
    public static Dictionary<string, JsonElement> Check(string folder, string script, string extension,
        IReadOnlyDictionary<string, string> texts)
    {
        var output = Directory.CreateTempSubdirectory("check-").FullName;
        var files = texts.ToDictionary(t => Path.Combine(output, $"{t.Key}.{extension}"), t => t.Key);
        foreach (var (file, key) in files) File.WriteAllText(file, texts[key]);
        var results = JsonDocument.Parse(Run("node", folder, [script, .. files.Keys]).Trim()).RootElement;
        results.GetArrayLength().ShouldBe(files.Count);
        return results.EnumerateArray().ToDictionary(r => files[r.GetProperty("file").GetString()!], r => r.Clone());
    }
}
