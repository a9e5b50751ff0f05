using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Workflow.Api.Tests;

/// <summary>The test hosts themselves: the schema is applied once per database, and the shared hosts are shared.</summary>
public class when_tests_start_hosts(ApiFixture api) : ApiTest(api)
{
    private static bool ChecksSchema(IServiceProvider services) =>
        services.GetServices<IHostedService>().Any(s => s.GetType().Name == "MartenActivator");

    [Fact]
    public void only_the_collections_first_host_applies_the_schema()
    {
        ChecksSchema(Api.Factory.Services).ShouldBeTrue("the first host on the database applies the schema");
        ChecksSchema(Api.Clocked.Services).ShouldBeFalse("a later host on the same database does not check it again");
    }

    [Fact]
    public void hosts_with_the_same_settings_are_one_host_and_the_clocked_host_keeps_the_tests_time()
    {
        Api.Shared(new() { ["Workflow:Tracking:PermitsPerMinute"] = "1000" })
            .ShouldBeSameAs(Api.Shared(new() { ["Workflow:Tracking:PermitsPerMinute"] = "1000" }));
        Api.Clock.Now = new DateTimeOffset(2024, 6, 3, 9, 0, 0, TimeSpan.Zero);
        Api.Clocked.Services.GetRequiredService<TimeProvider>().GetUtcNow().ShouldBe(Api.Clock.Now);
    }
}
