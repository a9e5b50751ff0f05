using Microsoft.AspNetCore.Http.Features;

namespace Workflow.Api.Hosting;

/// <summary>
/// How many answers that hold a whole case (its case file, its history) are built at once. Building one holds every event
/// of the case, as objects and as JSON: for the largest case the input limits and the bounds on a case allow, about a
/// megabyte of JSON and several of objects. Many built at once would hold the API's managed heap at many times that;
/// built <see cref="AtOnce"/> at a time (by default two, as many as the cores that build them), the other readers wait
/// their turn. An answer is written into memory during its turn and sent to its reader after it, so a reader who takes
/// his time over the bytes holds only those bytes, never a turn.
/// </summary>
public sealed class WholeCaseReads
{
    public const string Section = "Workflow:Reads";

    private readonly SemaphoreSlim _gate;

    public WholeCaseReads(int atOnce)
    {
        if (atOnce < 1) throw new InvalidOperationException($"{Section}: WholeCasesAtOnce is at least 1");
        AtOnce = atOnce;
        _gate = new SemaphoreSlim(atOnce, atOnce);
    }

    public int AtOnce { get; }

    /// <summary>Builds the answer in turn, then sends it; what building it throws goes on as it would have.</summary>
    public async Task<IResult> AnswerAsync(HttpContext http, Func<Task<IResult>> answer, CancellationToken cancellation)
    {
        using var body = new MemoryStream();
        await _gate.WaitAsync(cancellation);
        try
        {
            var response = http.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
            var buffered = new StreamResponseBodyFeature(body);
            http.Features.Set<IHttpResponseBodyFeature>(buffered);
            try
            {
                await (await answer()).ExecuteAsync(http);
                await buffered.CompleteAsync();
            }
            finally
            {
                http.Features.Set(response);
            }
        }
        finally
        {
            _gate.Release();
        }
        http.Response.ContentLength = body.Length;
        body.Position = 0;
        await body.CopyToAsync(http.Response.Body, cancellation);
        return Results.Empty;
    }

    public static WebApplicationBuilder AddWholeCaseReads(WebApplicationBuilder builder)
    {
        var atOnce = builder.Configuration.GetSection(Section).GetValue("WholeCasesAtOnce", 2);
        builder.Services.AddSingleton(new WholeCaseReads(atOnce));
        return builder;
    }
}
