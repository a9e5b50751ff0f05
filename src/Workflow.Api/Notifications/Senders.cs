using System.Net.Http.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Workflow.Store.Notifications;

namespace Workflow.Api.Notifications;

/// <summary>
/// E-mail over SMTP with MailKit. The outbox row id is the idempotency key: it becomes the Message-ID, which receiving
/// systems use to drop a repeat (at-least-once delivery sends a message again when its lease ran out mid-send).
/// One connection serves a whole batch and is opened on first use.
/// </summary>
public sealed class EmailSender(SmtpOptions options) : IAsyncDisposable
{
    private SmtpClient? _client;

    public static string MessageId(string key, string sender)
    {
        var domain = sender.Contains('@') ? sender[(sender.LastIndexOf('@') + 1)..].TrimEnd('>', ' ') : "workflow.invalid";
        return $"{key.Replace(':', '.')}@{domain}";
    }

    public async Task SendAsync(OutboxMessage message, MessageText text, CancellationToken cancellation)
    {
        var mail = new MimeMessage { Subject = text.Subject, MessageId = MessageId(message.Id, options.Sender!) };
        mail.From.Add(MailboxAddress.Parse(options.Sender!));
        mail.To.Add(MailboxAddress.Parse(message.Recipient));
        mail.Headers.Add("X-Idempotency-Key", message.Id);
        mail.Body = new TextPart("plain") { Text = text.Body };
        try
        {
            var client = await ConnectedAsync(cancellation);
            await client.SendAsync(mail, cancellation);
        }
        catch
        {
            // The connection may be in any state after a failure: the next message starts a fresh one.
            await DisposeAsync();
            throw;
        }
    }

    private async Task<SmtpClient> ConnectedAsync(CancellationToken cancellation)
    {
        if (_client is { IsConnected: true }) return _client;
        _client = new SmtpClient { Timeout = 15_000 };
        var security = Enum.Parse<SecureSocketOptions>(options.Security, ignoreCase: true);
        await _client.ConnectAsync(options.Host!, options.Port, security, cancellation);
        if (!string.IsNullOrEmpty(options.UserName))
            await _client.AuthenticateAsync(options.UserName, options.Password ?? "", cancellation);
        return _client;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is null) return;
        try
        {
            if (_client.IsConnected) await _client.DisconnectAsync(quit: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Closing a broken connection may fail too; nothing is left to do with it.
        }
        _client.Dispose();
        _client = null;
    }
}

/// <summary>SMS through a configurable HTTP gateway: a JSON body, the token as bearer, the idempotency key as a header.</summary>
public sealed class SmsSender(HttpClient http, SmsOptions options)
{
    public const string HttpClientName = "sms-gateway";

    public sealed record SmsRequest(string To, string Text, string Reference);

    public async Task SendAsync(OutboxMessage message, MessageText text, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Url)
        {
            Content = JsonContent.Create(new SmsRequest(message.Recipient, text.Body, message.Id)),
        };
        request.Headers.Add("Idempotency-Key", message.Id);
        if (!string.IsNullOrEmpty(options.Token)) request.Headers.Authorization = new("Bearer", options.Token);
        using var response = await http.SendAsync(request, cancellation);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"the SMS gateway answered {(int)response.StatusCode} {response.ReasonPhrase}", null,
                response.StatusCode);
    }
}
