using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace Workflow.Api.Hosting;

/// <summary>
/// How many answers that hold a whole case (its case file, its history) are built at once. Building one holds every event
/// of the case, as objects and as JSON: for the largest case the input limits and the bounds on a case allow, about a
/// megabyte of JSON and several of objects. Many built at once would hold the API's managed heap at many times that;
/// built <see cref="AtOnce"/> at a time, the other readers wait their turn. By default one: building the largest case's
/// file keeps a core busy for tens of milliseconds, and one turn leaves the other core of a small server to the counters
/// and the desks while auditors read. An answer is written into memory during its turn and sent to its reader after it,
/// so a reader who takes his time over the bytes holds only those bytes, never a turn. The bytes are kept in blocks of
/// <see cref="AnswerInBlocks.BlockSize"/>, not in one growing array: an array of a megabyte is a large object, which only
/// a full collection frees, and the copies of a growing one several more.
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
        using var body = new AnswerInBlocks();
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
        await body.SendAsync(http.Response.Body, cancellation);
        return Results.Empty;
    }

    public static WebApplicationBuilder AddWholeCaseReads(WebApplicationBuilder builder)
    {
        var atOnce = builder.Configuration.GetSection(Section).GetValue("WholeCasesAtOnce", 1);
        builder.Services.AddSingleton(new WholeCaseReads(atOnce));
        return builder;
    }
}

/// <summary>
/// An answer written into memory, in pooled blocks each below the size of a large object, then sent; the blocks go back
/// to the pool when it is disposed.
/// </summary>
internal sealed class AnswerInBlocks : Stream
{
    public const int BlockSize = 16 * 1024;

    private readonly List<byte[]> _blocks = [];
    private int _inLast = BlockSize;
    private long _length;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            if (_inLast == BlockSize)
            {
                _blocks.Add(ArrayPool<byte>.Shared.Rent(BlockSize));
                _inLast = 0;
            }
            var count = Math.Min(buffer.Length, BlockSize - _inLast);
            buffer[..count].CopyTo(_blocks[^1].AsSpan(_inLast));
            _inLast += count;
            _length += count;
            buffer = buffer[count..];
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public async Task SendAsync(Stream to, CancellationToken cancellation)
    {
        for (var i = 0; i < _blocks.Count; i++)
            await to.WriteAsync(_blocks[i].AsMemory(0, i == _blocks.Count - 1 ? _inLast : BlockSize), cancellation);
    }

    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        foreach (var block in _blocks) ArrayPool<byte>.Shared.Return(block);
        _blocks.Clear();
        base.Dispose(disposing);
    }
}
