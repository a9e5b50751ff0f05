using System.Globalization;
using System.Security.Claims;
using Workflow.Core.Applications;
using Workflow.Store.Identity;
using Workflow.Store.Notifications;

namespace Workflow.Api.Workspace;

/// <summary>The resources <c>Texts.resx</c> (English) and <c>Texts.lo.resx</c> (Lao): every word the workspace shows.</summary>
public sealed class Texts;

/// <summary>What every page asks of the request: the reader's language and who is signed in.</summary>
public static class Reader
{
    /// <summary>lo or en, from the culture the language cookie chose (Lao when none).</summary>
    public static string Language => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == Languages.English
        ? Languages.English
        : Languages.Lao;

    public static Actor? ActorOf(ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated == true && Tokens.Refusal(user) is null ? Tokens.ActorOf(user) : null;

    /// <summary>A name as a person reads it when the resources have none: "owner-id" becomes "Owner id".</summary>
    public static string Plain(string name)
    {
        var words = name.Replace('_', ' ').Replace('-', ' ');
        return words.Length == 0 ? words : char.ToUpperInvariant(words[0]) + words[1..];
    }

    public static string Date(DateTimeOffset at) => Tracking.CitizenWords.Date(Language, at);

    public static string Time(DateTimeOffset at) =>
        $"{Tracking.CitizenWords.Date(Language, at)} {TimeZoneInfo.ConvertTime(at, Vientiane):HH:mm}";

    private static readonly TimeZoneInfo Vientiane = Zone();

    private static TimeZoneInfo Zone()
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById("Asia/Vientiane"); }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.CreateCustomTimeZone("Vientiane", TimeSpan.FromHours(7), "Vientiane", "Vientiane");
        }
    }
}
