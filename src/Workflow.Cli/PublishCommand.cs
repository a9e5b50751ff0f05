using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Workflow.Cli;

public static class PublishCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "the definition file of the new version" };
        var server = new Option<string>("--server")
        {
            Description = "the API's address", DefaultValueFactory = _ => "http://localhost:5080",
        };
        var token = new Option<string?>("--token")
        {
            Description = "a designer's bearer token; default: the WORKFLOW_TOKEN environment variable",
        };
        var command = new Command("publish", "Publish a new version of a procedure to a running server (designers)")
        {
            file, server, token,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var path = parse.GetValue(file)!;
            using var http = new HttpClient { BaseAddress = new Uri(parse.GetValue(server)!) };
            var bearer = parse.GetValue(token) ?? Environment.GetEnvironmentVariable("WORKFLOW_TOKEN");
            if (bearer is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            var response = await http.PostAsJsonAsync("/api/workflows",
                new { fileName = path.Name, source = await File.ReadAllTextAsync(path.FullName, cancellation) }, cancellation);
            var body = await response.Content.ReadAsStringAsync(cancellation);
            (response.IsSuccessStatusCode ? Console.Out : Console.Error).WriteLine($"{(int)response.StatusCode} {body}");
            return response.IsSuccessStatusCode ? 0 : 1;
        });
        return command;
    }
}
