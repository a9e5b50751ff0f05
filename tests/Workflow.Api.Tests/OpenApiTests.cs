using System.Diagnostics;
using System.Text.Json;

namespace Workflow.Api.Tests;

public class when_a_third_party_tool_reads_the_openapi_document(ApiFixture api) : ApiTest(api)
{
    private static string Run(string program, string folder, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true,
            RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return output.Result + error.Result;
    }

    /// <summary>Redocly CLI, installed from npm on first use.</summary>
    private static string Linter()
    {
        var folder = Path.Combine(ApiFixture.RepositoryRoot(), "tests", "Workflow.Api.Tests", "OpenApi");
        if (!File.Exists(Path.Combine(folder, "node_modules", "@redocly", "cli", "bin", "cli.js")))
            Run("npm", folder, "ci", "--no-audit", "--no-fund");
        return folder;
    }

    private async Task<string> Document()
    {
        var response = await Api.Anonymous.GetAsync("/openapi/v1.json");
        response.EnsureSuccessStatusCode();
        var file = Path.Combine(Directory.CreateTempSubdirectory("openapi-").FullName, "v1.json");
        await File.WriteAllTextAsync(file, await response.Content.ReadAsStringAsync());
        return file;
    }

    [Fact, Trait("Category", "Npm")]
    public async Task redocly_recommended_rules_find_no_error_and_no_warning()
    {
        var file = await Document();

        var folder = Linter();
        var output = Run("node", folder, "node_modules/@redocly/cli/bin/cli.js", "lint", "--extends=recommended", "--format=json", file);

        var json = output[output.IndexOf('{')..(output.LastIndexOf('}') + 1)];
        var report = JsonDocument.Parse(json).RootElement;
        var problems = report.GetProperty("problems").EnumerateArray()
            .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()}: " +
                         $"{p.GetProperty("message").GetString()} " +
                         string.Join(",", p.GetProperty("location").EnumerateArray().Select(l => l.GetProperty("pointer").GetString())))
            .ToList();
        problems.ShouldBeEmpty();
        report.GetProperty("totals").GetProperty("errors").GetInt32().ShouldBe(0);
        report.GetProperty("totals").GetProperty("warnings").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task every_api_operation_names_its_bearer_security_an_operation_id_and_the_problems_it_can_answer()
    {
        var document = JsonDocument.Parse(await File.ReadAllTextAsync(await Document())).RootElement;

        document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString()
            .ShouldBe("bearer");
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Where(o => o.Name is "get" or "post").Select(o => (Path: path.Name,
                Operation: o.Value)))
            .ToList();
        operations.Count.ShouldBeGreaterThan(20);
        operations.Select(o => o.Operation.GetProperty("operationId").GetString()).Distinct().Count().ShouldBe(operations.Count);
        foreach (var (path, operation) in operations.Where(o => o.Path.StartsWith("/api/")))
        {
            var responses = operation.GetProperty("responses");
            foreach (var status in new[] { "400", "503" })
                responses.TryGetProperty(status, out _).ShouldBeTrue($"{path}: {status}");
            // The citizen's tracking is the one public part of the API: no token, so no 401 or 403 to document.
            if (path.StartsWith("/api/tracking"))
            {
                operation.GetProperty("security")[0].EnumerateObject().ShouldBeEmpty(path);
                continue;
            }
            foreach (var status in new[] { "401", "403" })
                responses.TryGetProperty(status, out _).ShouldBeTrue($"{path}: {status}");
            responses.GetProperty("401").GetProperty("content").GetProperty("application/problem+json").ValueKind
                .ShouldBe(JsonValueKind.Object);
            operation.GetProperty("security")[0].TryGetProperty("bearer", out _).ShouldBeTrue(path);
            if (path.Contains("{id}")) responses.TryGetProperty("404", out _).ShouldBeTrue($"{path}: 404");
            if (operation.TryGetProperty("requestBody", out _)) responses.TryGetProperty("413", out _).ShouldBeTrue($"{path}: 413");
        }
        var withoutSchema = operations.SelectMany(o => o.Operation.GetProperty("responses").EnumerateObject()
                .Where(r => r.Name is "200" or "201" && !(r.Value.TryGetProperty("content", out var content) &&
                                                          content.EnumerateObject().All(c => c.Value.TryGetProperty("schema", out _))))
                .Select(r => $"{o.Path} {r.Name}"))
            .ToList();
        withoutSchema.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("/api/applications/{id}/case-file", "text/html", "timeline")]
    [InlineData("/api/statistics", "text/csv", "rows")]
    public async Task an_answer_in_two_formats_documents_both_its_json_and_its_text(string path, string text, string member)
    {
        var document = JsonDocument.Parse(await File.ReadAllTextAsync(await Document())).RootElement;

        var content = document.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("responses").GetProperty("200")
            .GetProperty("content");
        content.GetProperty(text).GetProperty("schema").GetProperty("type").GetString().ShouldBe("string");
        var reference = content.GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!;
        var schema = document.GetProperty("components").GetProperty("schemas").GetProperty(reference.Split('/').Last());
        schema.GetProperty("properties").TryGetProperty(member, out _).ShouldBeTrue(reference);
        schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ShouldNotContain("office", "a member the JSON never has");
    }
}
