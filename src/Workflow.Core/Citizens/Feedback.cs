using Workflow.Core.Access;
using Workflow.Core.Applications;

namespace Workflow.Core.Citizens;

/// <summary>The citizen rates the service of an ended case: 1 (poor) to 5 (very good), with an optional comment.</summary>
public sealed record RateService(int Rating, string? Comment, Actor By) : ApplicationCommand(By);

/// <summary>The citizen's one rating of the case, recorded with the citizen as actor (rule 8 of Core/README.md).</summary>
public sealed record ServiceRated(int Rating, string? Comment, Actor By, DateTimeOffset At);

public static class Feedback
{
    public const int Lowest = 1;
    public const int Highest = 5;
    public const int CommentLength = 1000;

    /// <summary>The actor recorded for the applicant, who has no account: known by the tracking number they proved.</summary>
    public static Actor Citizen(string trackingNumber) => new($"citizen:{trackingNumber}", "Citizen", null, Roles.Citizen);

    /// <summary>Once the case has ended, and once only: a second rating is refused, not recorded over the first.</summary>
    public static IReadOnlyList<object> Decide(RateService command, Application? state, DateTimeOffset now)
    {
        if (state is null) throw new RuleViolation("not-submitted", "the application has not been submitted");
        if (!state.IsFinished) throw new RuleViolation("not-ended", "the service can be rated once the application has ended");
        if (state.Rated) throw new RuleViolation("already-rated", "the service of this application has already been rated");
        if (command.Rating is < Lowest or > Highest)
            throw new RuleViolation("rating-range", $"a rating is a whole number from {Lowest} to {Highest}");
        var comment = string.IsNullOrWhiteSpace(command.Comment) ? null : command.Comment.Trim();
        if (comment is { Length: > CommentLength })
            throw new RuleViolation("comment-length", $"a comment has at most {CommentLength} characters");
        return [new ServiceRated(command.Rating, comment, command.By, now)];
    }
}
