using MailKit.Security;

namespace Workflow.Api.Notifications;

/// <summary>Settings under <c>Workflow:Notifications</c>, checked at start-up.</summary>
public sealed record NotificationOptions
{
    /// <summary>Run the dispatcher on this node. Messages are written to the outbox whether or not it runs.</summary>
    public bool Enabled { get; init; } = true;

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);
    public int BatchSize { get; init; } = 50;

    /// <summary>How long a claimed message is reserved for its dispatcher; after that another may send it.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Attempts before a message is given up as dead (listed by the API, never sent again on its own).</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>The wait after the first failure; each further failure doubles it, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromHours(1);

    public SmtpOptions Smtp { get; init; } = new();
    public SmsOptions Sms { get; init; } = new();

    public TimeSpan RetryAfter(int failedAttempts)
    {
        var delay = RetryDelay * Math.Pow(2, Math.Min(failedAttempts - 1, 30));
        return delay > MaxRetryDelay ? MaxRetryDelay : delay;
    }

    public void Check()
    {
        if (PollInterval <= TimeSpan.Zero || BatchSize < 1 || MaxAttempts < 1 || Lease <= TimeSpan.Zero || RetryDelay <= TimeSpan.Zero)
            throw new InvalidOperationException(
                "Workflow:Notifications needs a positive PollInterval, BatchSize, MaxAttempts, Lease and RetryDelay.");
        if (Smtp.Host is not null && string.IsNullOrWhiteSpace(Smtp.Sender))
            throw new InvalidOperationException("Workflow:Notifications:Smtp:Sender (the From address) is required when Smtp:Host is set.");
        if (Smtp.Host is not null && !Enum.TryParse<SecureSocketOptions>(Smtp.Security, ignoreCase: true, out _))
            throw new InvalidOperationException("Workflow:Notifications:Smtp:Security is None, StartTls, SslOnConnect or Auto.");
        if (Sms.Url is not null && !(Uri.TryCreate(Sms.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
            throw new InvalidOperationException("Workflow:Notifications:Sms:Url must be an absolute http or https address.");
    }

    public IReadOnlyList<string> Channels =>
        [.. new[] { Smtp.Host is null ? null : "email", Sms.Url is null ? null : "sms" }.OfType<string>()];
}

/// <param name="Security">None, StartTls, SslOnConnect or Auto (MailKit's SecureSocketOptions).</param>
public sealed record SmtpOptions
{
    public string? Host { get; init; }
    public int Port { get; init; } = 25;
    public string? Sender { get; init; }
    public string Security { get; init; } = "Auto";
    public string? UserName { get; init; }
    public string? Password { get; init; }
}

/// <summary>An HTTP gateway that takes <c>{ "to", "text", "reference" }</c> as JSON, with the token as a bearer token.</summary>
public sealed record SmsOptions
{
    public string? Url { get; init; }
    public string? Token { get; init; }
}
