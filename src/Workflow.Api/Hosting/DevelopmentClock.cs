using System.Xml;
using Workflow.Store.Applications;

namespace Workflow.Api.Hosting;

/// <summary>
/// Application time in Development: the machine's clock plus an offset that only grows, so that a demo or a person
/// trying the deadline chain by hand can make days pass (warnings, breaches, escalations, the apology) in seconds.
/// Moving it only forward keeps every recorded time in order.
/// </summary>
public sealed class DevelopmentClock(TimeProvider machine) : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => machine.GetUtcNow() + Offset;

    public override TimeZoneInfo LocalTimeZone => machine.LocalTimeZone;

    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), "the clock only moves forward");
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}

/// <summary>What <c>POST /api/dev/clock</c> takes: a forward move as an ISO 8601 duration (<c>P3D</c>) or an instant.</summary>
public sealed record MoveClockRequest(string? Advance, DateTimeOffset? To);

public sealed record ClockView(DateTimeOffset Now, string Offset, int DeadlinesFired);

public static class DevelopmentClockEndpoints
{
    /// <summary>In Development only, application time is a <see cref="DevelopmentClock"/>; elsewhere it is the machine's.</summary>
    public static WebApplicationBuilder AddDevelopmentClock(this WebApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment()) return builder;
        builder.Services.AddSingleton(new DevelopmentClock(TimeProvider.System));
        builder.Services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<DevelopmentClock>());
        return builder;
    }

    /// <summary>
    /// <c>GET</c> and <c>POST /api/dev/clock</c>, mapped only in Development (404 elsewhere). After a move the due deadlines
    /// are fired at once, batch after batch, until none is due, so the answer already reflects them.
    /// </summary>
    public static void MapDevelopmentClock(this IEndpointRouteBuilder api, IWebHostEnvironment environment)
    {
        if (!environment.IsDevelopment()) return;
        var group = api.MapGroup("/dev/clock").WithTags("Development");
        group.MapGet("/", (DevelopmentClock clock) => new ClockView(clock.GetUtcNow(), XmlConvert.ToString(clock.Offset), 0))
            .WithSummary("Application time in Development").Produces<ClockView>();
        group.MapPost("/", Move)
            .WithSummary("Development only: move application time forward and fire the deadlines that came due")
            .Produces<ClockView>().ProducesValidationProblem().ProducesProblem(409);
    }

    private static async Task<IResult> Move(MoveClockRequest request, DevelopmentClock clock, TimeProvider inUse, DeadlineSweeper sweeper,
        HttpContext http, ILogger<DevelopmentClock> log, CancellationToken cancellation)
    {
        if (!ReferenceEquals(inUse, clock))
            return Results.Problem(statusCode: 409, title: "The clock is not movable",
                detail: "This host was given its own clock; the development clock does not drive it.");
        var now = clock.GetUtcNow();
        TimeSpan by;
        if ((request.Advance is null) == (request.To is null))
            return Invalid("advance", "give either advance (an ISO 8601 duration such as P3D or PT4H) or to (an instant), not both");
        if (request.Advance is not null)
        {
            try
            {
                by = XmlConvert.ToTimeSpan(request.Advance);
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                return Invalid("advance", $"'{request.Advance}' is not an ISO 8601 duration such as P3D or PT4H");
            }
            if (by < TimeSpan.Zero) return Invalid("advance", "the clock only moves forward");
        }
        else
        {
            by = request.To!.Value - now;
            if (by < TimeSpan.Zero) return Invalid("to", $"the clock only moves forward; it is {now:O}");
        }

        if (by > Latest - now)
            return Invalid(request.To is null ? "advance" : "to", $"the clock moves at most to {Latest:yyyy-MM-dd}: the working-day " +
                "calendars count days from there on, and a deadline must still fall before the year 9999");

        clock.Advance(by);
        var fired = 0;
        // Each fired deadline may schedule the next (the escalation after a breach), itself already due: sweep until none is.
        for (var round = 0; round < 100; round++)
        {
            var claimed = await sweeper.SweepOnceAsync(cancellation: cancellation);
            fired += claimed;
            if (claimed == 0) break;
        }
        log.LogInformation("Development clock moved forward by {Advance} to {Now} by {Actor}; {Fired} deadline(s) fired",
            XmlConvert.ToString(by), clock.GetUtcNow(), http.Actor().UserId, fired);
        return Results.Ok(new ClockView(clock.GetUtcNow(), XmlConvert.ToString(clock.Offset), fired));
    }

    /// <summary>Far enough for any story a developer tells, and centuries before deadlines could run past the calendar's end.</summary>
    private static readonly DateTimeOffset Latest = new(2200, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is not valid");
}
