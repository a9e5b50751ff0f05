using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Workflow.Api.Tests;

/// <summary>
/// A real SMTP server on a loopback port, keeping what it receives; while <see cref="Failing"/>, it refuses mail with 451.
/// </summary>
public sealed class TestSmtpServer : MessageStore, IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    public ConcurrentQueue<MimeMessage> Received { get; } = new();
    public bool Failing { get; set; }
    public int Port { get; }

    private TestSmtpServer()
    {
        Port = FreePort();
        var options = new SmtpServerOptionsBuilder().ServerName("localhost").Port(Port).Build();
        var listeners = new EndpointListenerFactory();
        listeners.EndpointStarted += (_, _) => Started.TrySetResult();
        var services = new ServiceProvider();
        services.Add(this);
        services.Add(listeners);
        _server = new SmtpServer.SmtpServer(options, services);
    }

    private TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Returns once the server listens.</summary>
    public static async Task<TestSmtpServer> StartAsync()
    {
        var smtp = new TestSmtpServer();
        smtp._running = smtp._server.StartAsync(smtp._stop.Token);
        await smtp.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return smtp;
    }

    public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer,
        CancellationToken cancellationToken)
    {
        if (Failing) return Task.FromResult(new SmtpResponse((SmtpReplyCode)451, "local error, try again later"));
        using var stream = new MemoryStream(buffer.ToArray());
        Received.Enqueue(MimeMessage.Load(stream));
        return Task.FromResult(SmtpResponse.Ok);
    }

    public Dictionary<string, string?> Settings(string prefix = "Workflow:Notifications") => new()
    {
        [$"{prefix}:Smtp:Host"] = "127.0.0.1",
        [$"{prefix}:Smtp:Port"] = Port.ToString(),
        [$"{prefix}:Smtp:Sender"] = "ODSC Vientiane <no-reply@odsc.example.la>",
        [$"{prefix}:Smtp:Security"] = "None",
    };

    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        _server.Shutdown();
        await _stop.CancelAsync();
        try { await _running.WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}

/// <summary>
/// An SMS gateway on a real loopback HTTP listener: keeps each request's headers and JSON body; answers 500 while failing.
/// </summary>
public sealed class TestSmsGateway : IAsyncDisposable
{
    public sealed record Sms(string To, string Text, string Reference, string? IdempotencyKey, string? Authorization);

    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    public ConcurrentQueue<Sms> Received { get; } = new();
    public bool Failing { get; set; }
    public string Url { get; }

    public TestSmsGateway()
    {
        Url = $"http://127.0.0.1:{TestSmtpServer.FreePort()}/sms/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _serving = ServeAsync();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement;
            if (Failing) context.Response.StatusCode = 500;
            else
                Received.Enqueue(new Sms(body.GetProperty("to").GetString()!, body.GetProperty("text").GetString()!,
                    body.GetProperty("reference").GetString()!, context.Request.Headers["Idempotency-Key"],
                    context.Request.Headers["Authorization"]));
            context.Response.Close();
        }
    }

    public Dictionary<string, string?> Settings(string prefix = "Workflow:Notifications") => new()
    {
        [$"{prefix}:Sms:Url"] = Url,
        [$"{prefix}:Sms:Token"] = "gateway-token",
    };

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
