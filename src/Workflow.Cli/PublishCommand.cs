using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Workflow.Cli;

public static class PublishCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "the definition file of the new version" };
        var (server, token) = Connection("a designer's bearer token");
        var effective = new Option<DateOnly?>("--effective") { Description = "the day new applications start to follow it" };
        var command = new Command("publish",
            "Ask a running server to publish a new version of a procedure (designers); a second designer approves it with `approve`")
        {
            file, server, token, effective,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var path = parse.GetValue(file)!;
            using var http = Client(parse.GetValue(server)!, parse.GetValue(token));
            var response = await http.PostAsJsonAsync("/api/workflows",
                new
                {
                    fileName = path.Name, source = await File.ReadAllTextAsync(path.FullName, cancellation),
                    effective = parse.GetValue(effective),
                }, cancellation);
            return await Answer(response, cancellation);
        });
        return command;
    }

    /// <summary>`workflow approve ID`: a second designer approves a publication request, which publishes the version.</summary>
    public static Command CreateApproval()
    {
        var id = new Argument<Guid>("request") { Description = "the publication request's id, as `publish` printed it" };
        var (server, token) = Connection("a designer's bearer token, not the one who asked");
        var command = new Command("approve", "Approve another designer's publication request: the version is published (designers)")
        {
            id, server, token,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            using var http = Client(parse.GetValue(server)!, parse.GetValue(token));
            return await Answer(await http.PostAsync($"/api/publication-requests/{parse.GetValue(id)}/approval", null, cancellation),
                cancellation);
        });
        return command;
    }

    private static (Option<string> Server, Option<string?> Token) Connection(string token) => (
        new Option<string>("--server") { Description = "the API's address", DefaultValueFactory = _ => "http://localhost:5080" },
        new Option<string?>("--token") { Description = $"{token}; default: the WORKFLOW_TOKEN environment variable" });

    private static HttpClient Client(string server, string? token)
    {
        if (!Uri.TryCreate(server, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            throw new CommandError($"--server: '{server}' is not an http or https address, such as http://localhost:5080");
        var bearer = token ?? Environment.GetEnvironmentVariable("WORKFLOW_TOKEN");
        if (bearer is not null && bearer.Any(char.IsControl))
            throw new CommandError("--token: a bearer token is one line of printable characters");
        var http = new HttpClient { BaseAddress = address };
        if (bearer is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return http;
    }

    private static async Task<int> Answer(HttpResponseMessage response, CancellationToken cancellation)
    {
        var body = await response.Content.ReadAsStringAsync(cancellation);
        (response.IsSuccessStatusCode ? Console.Out : Console.Error).WriteLine($"{(int)response.StatusCode} {body}");
        return response.IsSuccessStatusCode ? 0 : 1;
    }
}
