using System.Text;
using Workflow.Cli;

namespace Workflow.Api.Tests;

/// <summary>What the tool writes with --output appears whole or not at all: a run that fails half-way leaves the file before.</summary>
public class when_the_tool_writes_a_file
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("output-file-");

    [Fact]
    public async Task a_write_that_fails_half_way_leaves_the_file_that_was_there_and_nothing_else()
    {
        var path = new FileInfo(Path.Combine(_folder.FullName, "permit.yaml"));
        await File.WriteAllTextAsync(path.FullName, "id: permit\n");

        var failing = () => OutputFile.WriteAsync(path, async stream =>
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(new string('x', 200_000)));
            throw new IOException("No space left on device");
        });

        (await failing.ShouldThrowAsync<IOException>()).Message.ShouldContain("No space left");
        (await File.ReadAllTextAsync(path.FullName)).ShouldBe("id: permit\n");
        _folder.GetFiles().Select(f => f.Name).ShouldBe(["permit.yaml"]);
    }

    [Fact]
    public async Task a_whole_write_replaces_the_file_and_leaves_nothing_beside_it()
    {
        var path = new FileInfo(Path.Combine(_folder.FullName, "case.html"));
        await File.WriteAllTextAsync(path.FullName, "old");

        await OutputFile.WriteTextAsync(path, "<p>ວັນທີ</p>");

        (await File.ReadAllTextAsync(path.FullName)).ShouldBe("<p>ວັນທີ</p>");
        _folder.GetFiles().Select(f => f.Name).ShouldBe(["case.html"]);
    }
}
