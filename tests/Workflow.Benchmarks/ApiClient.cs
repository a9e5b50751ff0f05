using System.Net.Http.Headers;
using System.Text.Json;
using Workflow.Store.Identity;

namespace Workflow.Benchmarks;

/// <summary>A request that did not get the answer it should have: counted as an error by the load runners.</summary>
public sealed class UnexpectedAnswer(string request, int status) : Exception($"{request} answered {status}")
{
    public int Status { get; } = status;
}

/// <summary>
/// What the load runners send, as a client of the API would send it: JSON over HTTP with a bearer token per role. One
/// connection pool for every concurrent caller, as a reverse proxy or a busy front end keeps it.
/// </summary>
public sealed class ApiClient : IDisposable
{
    public const string Agency = "moic-enterprise-registration";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private static readonly byte[] Submission = JsonSerializer.SerializeToUtf8Bytes(new
    {
        workflowId = Samples.Procedure,
        applicant = new { name = "Bench Trading owner", language = "lo" },
        data = Samples.Enterprise(),
        documents = Samples.Documents,
        centre = Samples.Centre,
        channel = "counter",
    });

    private static readonly byte[] Approval = """{"outcome":"approve","reason":"complete"}"""u8.ToArray();

    private readonly HttpClient _http;
    private readonly AuthenticationHeaderValue _clerk;
    private readonly AuthenticationHeaderValue _officer;

    public ApiClient(Uri address)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) };
        _http = new HttpClient(handler)
        {
            BaseAddress = address, Timeout = TimeSpan.FromSeconds(30),
        };
        _clerk = Bearer(Tokens.Mint("bench-clerk", "clerk", "odsc", "Bench clerk", Samples.Centre, ApiProcess.SigningKey));
        _officer = Bearer(Tokens.Mint("bench-officer", "officer", Agency, "Bench officer", Samples.Centre, ApiProcess.SigningKey));
    }

    private static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    /// <summary>A clerk receives the sample enterprise registration; with a key, a retry returns the first application.</summary>
    public Task<(Guid Id, string TrackingNumber, string AccessCode)> SubmitAsync(string? idempotencyKey = null,
        CancellationToken cancellation = default) => SubmitAsync(Submission, idempotencyKey, cancellation);

    /// <summary>A clerk receives an application of the given JSON body; returns its id.</summary>
    public async Task<Guid> SubmitAsync(byte[] body, CancellationToken cancellation = default) =>
        (await SubmitAsync(body, null, cancellation)).Id;

    private async Task<(Guid Id, string TrackingNumber, string AccessCode)> SubmitAsync(byte[] json, string? idempotencyKey,
        CancellationToken cancellation)
    {
        using var request = Request(HttpMethod.Post, "/api/applications", _clerk, json);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var answer = await SendAsync(request, 201, cancellation);
        using var body = JsonDocument.Parse(await answer.Content.ReadAsStreamAsync(cancellation));
        var root = body.RootElement;
        return (root.GetProperty("id").GetGuid(), root.GetProperty("trackingNumber").GetString()!,
            root.TryGetProperty("accessCode", out var code) ? code.GetString()! : "");
    }

    /// <summary>The clerk approves the completeness check; the registration step opens at the ministry.</summary>
    public async Task<Guid> ApproveAsync(Guid id, CancellationToken cancellation = default)
    {
        using var request = Request(HttpMethod.Post, $"/api/applications/{id}/steps/intake/decision", _clerk, Approval);
        using var _ = await SendAsync(request, 200, cancellation);
        return id;
    }

    public async Task<Guid> ReadAsync(Guid id, CancellationToken cancellation = default)
    {
        using var request = Request(HttpMethod.Get, $"/api/applications/{id}", _clerk);
        using var answer = await SendAsync(request, 200, cancellation);
        await answer.Content.CopyToAsync(Stream.Null, cancellation);
        return id;
    }

    /// <summary>A page of the ministry's inbox, read by one of its officers; returns the total it reports.</summary>
    public async Task<int> InboxAsync(int page = 1, int pageSize = 50, CancellationToken cancellation = default)
    {
        using var request = Request(HttpMethod.Get, $"/api/agencies/{Agency}/inbox?page={page}&pageSize={pageSize}", _officer);
        using var answer = await SendAsync(request, 200, cancellation);
        using var body = JsonDocument.Parse(await answer.Content.ReadAsStreamAsync(cancellation));
        return body.RootElement.GetProperty("total").GetInt32();
    }

    /// <summary>The citizen's tracking page, with the number and the code of the receipt.</summary>
    public async Task<Guid> TrackAsync(string trackingNumber, string accessCode, CancellationToken cancellation = default)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new { trackingNumber, accessCode, lang = "lo" });
        using var request = Request(HttpMethod.Post, "/api/tracking", null, body);
        using var answer = await SendAsync(request, 200, cancellation);
        await answer.Content.CopyToAsync(Stream.Null, cancellation);
        return Guid.Empty;
    }

    /// <summary>Any page or resource, with the caller's own headers (a cookie); checks the status only.</summary>
    public async Task GetAsync(string path, IReadOnlyDictionary<string, string> headers, CancellationToken cancellation = default)
    {
        using var request = Request(HttpMethod.Get, path, null);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        using var answer = await SendAsync(request, 200, cancellation);
        await answer.Content.CopyToAsync(Stream.Null, cancellation);
    }

    /// <summary>A command as the given caller: a JSON body posted to the path; checks the status only.</summary>
    public async Task PostAsync(string path, AuthenticationHeaderValue who, object body, CancellationToken cancellation = default)
    {
        using var request = Request(HttpMethod.Post, path, who, JsonSerializer.SerializeToUtf8Bytes(body));
        using var _ = await SendAsync(request, 200, cancellation);
    }

    public HttpClient Http => _http;

    private static HttpRequestMessage Request(HttpMethod method, string path, AuthenticationHeaderValue? who, byte[]? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = who;
        if (json is not null) request.Content = new ByteArrayContent(json) { Headers = { ContentType = Json } };
        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, int expected, CancellationToken cancellation)
    {
        var answer = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
        if ((int)answer.StatusCode == expected) return answer;
        answer.Dispose();
        throw new UnexpectedAnswer($"{request.Method} {request.RequestUri}", (int)answer.StatusCode);
    }

    public void Dispose() => _http.Dispose();
}
