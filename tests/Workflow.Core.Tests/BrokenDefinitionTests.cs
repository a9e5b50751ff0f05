using System.Text.RegularExpressions;
using Workflow.Core.Definitions;

namespace Workflow.Core.Tests;

/// <summary>Each file under Broken/ says on its first line which problem it must raise and at which line.</summary>
public partial class when_the_kept_broken_definitions_are_checked
{
    public static TheoryData<string> Files() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Broken"), "*.yaml").Select(f => Path.GetFileName(f)).Order()];

    [Theory]
    [MemberData(nameof(Files))]
    public void each_gets_the_right_message_at_the_right_line(string file)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Broken", file));
        var expectation = Expectation().Match(text.Split('\n')[0]);
        expectation.Success.ShouldBeTrue($"{file} must start with '# expect: LINE: text'");
        var (line, message) = (int.Parse(expectation.Groups[1].Value), expectation.Groups[2].Value.Trim());

        var error = Should.Throw<DefinitionException>(
            () => WorkflowCatalog.Parse([("agencies.yaml", Procedures.TestAgencies), (file, text)]));

        error.Problems.Any(p => p.At.File == file && p.At.Line == line && p.Message.Contains(message))
            .ShouldBeTrue($"expected {file}:{line} '{message}'; got:\n{string.Join("\n", error.Problems)}");
    }

    [GeneratedRegex(@"^# expect: (\d+): (.+)$")]
    private static partial Regex Expectation();
}
