using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Api.Hosting;

namespace Workflow.Api.Tests;

public class when_the_api_is_mapped_one_group_per_resource(ApiFixture api) : ApiTest(api)
{
    private IEnumerable<RouteEndpoint> RoutesUnder(string prefix) =>
        Api.Factory.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } route && (route == prefix || route.StartsWith(prefix + "/")));

    [Theory]
    [InlineData("/api/applications", Policies.ReadsApplications, 17)]
    [InlineData("/api/agencies/{agency}", Policies.ReadsAgencyWork, 3)]
    [InlineData("/api/oversight", Policies.AuditorOrAdmin, 9)]
    [InlineData("/api/notifications", Policies.AuditorOrAdmin, 1)]
    public void every_route_of_the_resource_requires_the_policy_of_its_group(string prefix, string policy, int routes)
    {
        var endpoints = RoutesUnder(prefix).ToList();

        endpoints.Count.ShouldBe(routes);
        var without = endpoints.Where(e => !e.Metadata.OfType<IAuthorizeData>().Any(a => a.Policy == policy))
            .Select(e => e.RoutePattern.RawText).ToList();
        without.ShouldBeEmpty();
    }

    [Fact]
    public async Task a_route_documented_in_another_section_is_listed_under_that_tag_only()
    {
        var document = JsonDocument.Parse(await Api.Anonymous.GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("paths");
        string[] Tags(string path, string method) =>
            [.. document.GetProperty(path).GetProperty(method).GetProperty("tags").EnumerateArray().Select(t => t.GetString()!)];

        Tags("/api/agencies/{agency}/inbox", "get").ShouldBe(["Agencies"]);
        Tags("/api/agencies/{agency}/overdue", "get").ShouldBe(["Deadlines"]);
        Tags("/api/applications/{id}/steps/{stepId}/claim", "post").ShouldBe(["Desk"]);
        Tags("/api/applications/{id}/case-file", "get").ShouldBe(["Oversight"]);
        Tags("/api/applications/{id}/steps/{stepId}/decision", "post").ShouldBe(["Applications"]);
    }

    /// <summary>The HTTP API, its host and the workspace's pages; only the development sign-in's seeded people name roles.</summary>
    [Fact]
    public void no_endpoint_or_host_code_compares_a_role_by_hand()
    {
        var folder = Path.Combine(ApiFixture.RepositoryRoot(), "src", "Workflow.Api");
        var byHand = new Regex(@"\.Role\s*(==|!=|is\b)|Roles\.(Clerk|Officer|Supervisor|Auditor|Designer|Admin)\b|IsInRole\(");
        var found = Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs") || f.EndsWith(".razor"))
            .Where(f => Path.GetRelativePath(folder, f).Split(Path.DirectorySeparatorChar)[0] is not ("obj" or "bin"))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => byHand.IsMatch(l.Text) && !l.Text.Contains("people.Add(") && !l.Text.Contains("new List<Person>"))
            .Select(l => $"{Path.GetRelativePath(folder, l.File)}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        found.ShouldBeEmpty("ask AccessPolicy or put a named policy (Policies) on the route or group");
    }
}
