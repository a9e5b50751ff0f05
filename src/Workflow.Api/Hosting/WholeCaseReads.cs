namespace Workflow.Api.Hosting;

/// <summary>
/// How many answers that hold a whole case (its case file, its history) are built and written at once. Each holds every
/// event of the case, as objects and as JSON, until its last byte is written: for the largest case the input limits and
/// the bounds on a case allow, about a megabyte of JSON and several of objects. Many read at once would hold the API's
/// managed heap at many times that; built <see cref="AtOnce"/> at a time (by default two, as many as the cores that build
/// them), the other readers wait their turn, and the memory stays what a few such reads take.
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

    /// <summary>Builds the answer and writes it to the response in turn; what it throws goes on as it would have.</summary>
    public async Task<IResult> AnswerAsync(HttpContext http, Func<Task<IResult>> answer, CancellationToken cancellation)
    {
        await _gate.WaitAsync(cancellation);
        try
        {
            await (await answer()).ExecuteAsync(http);
            return Results.Empty;
        }
        finally
        {
            _gate.Release();
        }
    }

    public static WebApplicationBuilder AddWholeCaseReads(WebApplicationBuilder builder)
    {
        var atOnce = builder.Configuration.GetSection(Section).GetValue("WholeCasesAtOnce", 2);
        builder.Services.AddSingleton(new WholeCaseReads(atOnce));
        return builder;
    }
}
