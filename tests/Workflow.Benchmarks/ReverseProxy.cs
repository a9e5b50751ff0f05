using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace Workflow.Benchmarks;

/// <summary>
/// A small YARP host in front of several API nodes: round robin, with an active health check on <c>/health</c> every
/// second, so that a node that dies is taken out of the rotation as a load balancer in production would.
/// </summary>
public sealed class ReverseProxy : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ReverseProxy(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<ReverseProxy> StartAsync(IReadOnlyList<Uri> nodes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var route = new RouteConfig { RouteId = "api", ClusterId = "nodes", Match = new RouteMatch { Path = "{**all}" } };
        var cluster = new ClusterConfig
        {
            ClusterId = "nodes",
            LoadBalancingPolicy = "RoundRobin",
            Destinations = nodes.Select((node, i) => (node, i))
                .ToDictionary(n => $"node-{n.i + 1}", n => new DestinationConfig { Address = n.node.ToString() }),
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true, Interval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(1), Path = "/health",
                },
            },
        };
        builder.Services.AddReverseProxy().LoadFromMemory([route], [cluster]);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ReverseProxy(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
