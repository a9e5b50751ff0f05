using System.Net.Sockets;
using System.Reflection;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Npgsql;
using Workflow.Core.Definitions;
using Workflow.Store.Postgres;

namespace Workflow.Api.Hosting;

/// <summary>The server's exit codes (README, Configuration): a refusal to start is one line on standard error and one of these.</summary>
public static class ExitCodes
{
    public const int Stopped = 0;

    /// <summary>An unexpected error; the log has the details.</summary>
    public const int Failed = 1;

    /// <summary>A setting is missing or wrong (signing key, connection string, workflows folder, another checked setting).</summary>
    public const int Configuration = 2;

    /// <summary>The address to listen on is taken by another process.</summary>
    public const int AddressInUse = 3;

    /// <summary>The database could not be reached, or the private PostgreSQL could not be started.</summary>
    public const int Database = 4;
}

public static class Startup
{
    /// <summary>The address when none is configured (ASPNETCORE_URLS, --urls, ASPNETCORE_HTTP_PORTS or Kestrel endpoints).</summary>
    public const string DefaultAddress = "http://localhost:5080";

    /// <summary>
    /// True when this server runs as its own process; false when a test host runs it, which then receives every
    /// start-up exception itself.
    /// </summary>
    public static bool StandAlone => Assembly.GetEntryAssembly() == typeof(Program).Assembly;

    /// <summary>
    /// Listens on <see cref="DefaultAddress"/> unless an address is configured. The default lives here rather than in
    /// launchSettings.json, whose applicationUrl would override ASPNETCORE_URLS under <c>dotnet run</c>.
    /// </summary>
    public static WebApplicationBuilder ListenOnDefaultAddress(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (string.IsNullOrWhiteSpace(configuration["urls"]) && string.IsNullOrWhiteSpace(configuration["http_ports"]) &&
            string.IsNullOrWhiteSpace(configuration["https_ports"]) && !configuration.GetSection("Kestrel:Endpoints").Exists())
            builder.WebHost.UseUrls(DefaultAddress);
        return builder;
    }

    /// <summary>The exit code and the one line to print for an expected refusal to start; null for anything else.</summary>
    /// <param name="configuring">Whether the error came while reading settings, before the host was built.</param>
    public static (int Code, string Line)? Refusal(Exception error, bool configuring, IConfiguration configuration)
    {
        var chain = Chain(error).ToList();
        if (IsAddressInUse(error))
        {
            var urls = configuration["urls"] is { Length: > 0 } configured ? configured : DefaultAddress;
            return (ExitCodes.AddressInUse, $"cannot listen on {urls}: the address is in use by another process. Stop that process, " +
                                            "or choose another address with ASPNETCORE_URLS or --urls (README, Configuration).");
        }
        if (chain.OfType<PrivateDatabaseException>().FirstOrDefault() is { } privateDatabase)
            return (ExitCodes.Database, $"cannot start the private database: {privateDatabase.Message}");
        if (chain.FirstOrDefault(e => e is NpgsqlException or SocketException) is { } database)
            return (ExitCodes.Database, $"the database does not answer: {database.Message}. Check ConnectionStrings__Workflow.");
        if (chain.OfType<DefinitionException>().FirstOrDefault() is { } definitions)
            return (ExitCodes.Configuration, $"the workflows folder is not valid ({definitions.Problems.Count} problem(s)); " +
                                             "run 'workflow validate' on it for the list with file and line.");
        if (chain.OfType<OptionsValidationException>().FirstOrDefault() is { } options)
            return (ExitCodes.Configuration, $"a setting is not valid: {options.Message}");
        // While reading settings, every check that fails throws InvalidOperationException with the setting's name.
        if (configuring && error is InvalidOperationException)
            return (ExitCodes.Configuration, $"cannot start: {error.Message}");
        return null;
    }

    /// <summary>
    /// Stops the hosted services of a host whose start failed; what fails while stopping is dropped, the start's own
    /// error being the one to report.
    /// </summary>
    public static async Task StopQuietlyAsync(this IHost host)
    {
        try
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await host.StopAsync(patience.Token);
        }
        catch (Exception)
        {
            // Nothing to add to the refusal already on its way.
        }
    }

    /// <summary>Whether the address to listen on was taken, however deep the host wrapped the error.</summary>
    public static bool IsAddressInUse(Exception error) => Chain(error).OfType<AddressInUseException>().Any();

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain)) yield return inner;
        }
    }
}
