namespace Workflow.Benchmarks;

/// <summary>Where the repository's files are, so the runners work from any folder.</summary>
public static class Paths
{
    /// <summary>The folder holding Workflow.sln above the running assembly, else the current folder.</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Workflow.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }

    public static string Workflows => Path.Combine(Root(), "workflows");

    /// <summary>The API as built beside this project in the same configuration (it is a build dependency of this project).</summary>
    public static string Api()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent?.Name ?? "Release";
        return Path.Combine(Root(), "src", "Workflow.Api", "bin", configuration, framework.Name, "Workflow.Api.dll");
    }
}
