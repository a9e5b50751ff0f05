using System.Globalization;
using Microsoft.Extensions.Localization;
using Workflow.Core.Definitions;
using Workflow.Store.Notifications;

namespace Workflow.Api.Tracking;

/// <summary>
/// The resources <c>CitizenTexts.resx</c> (English) and <c>CitizenTexts.lo.resx</c> (Lao): every sentence the citizen reads
/// on the tracking page and in notifications, for the web pages to reuse through <c>IStringLocalizer&lt;CitizenTexts&gt;</c>.
/// </summary>
public sealed class CitizenTexts;

/// <summary>
/// The citizen's words in one language: texts from the resources, agencies named as a citizen knows them (the
/// ministry, or the office for local government), procedures and steps in plain words where the resources have them
/// (otherwise the procedure's own title), dates in Vientiane's calendar.
/// </summary>
public sealed class CitizenWords(IStringLocalizer<CitizenTexts> texts, WorkflowCatalog catalog)
{
    private static readonly TimeZoneInfo Vientiane = Zone();

    public static CultureInfo Culture(string language) =>
        CultureInfo.GetCultureInfo(language == Languages.English ? Languages.English : Languages.Lao);

    public string Text(string language, string key, params object?[] args) => Optional(language, key, args) ?? key;

    public string Agency(string language, string code) =>
        Optional(language, $"Agency.{code}") ?? Optional(language, $"Ministry.{code.Split('-')[0]}")
        ?? catalog.FindAgency(code)?.Name ?? code;

    public string Procedure(string language, string workflowId) =>
        Optional(language, $"Workflow.{workflowId}") ?? catalog.Find(workflowId)?.Title ?? workflowId;

    public string Step(string language, string workflowId, string stepId, string? title) =>
        Optional(language, $"Step.{workflowId}.{stepId}") ?? title
        ?? catalog.Find(workflowId)?.FindStep(stepId)?.Title ?? stepId;

    /// <summary>The day in Vientiane: "17 June 2024" in English, "17/06/2024" in Lao, as offices write it.</summary>
    public static string Date(string language, DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Vientiane);
        return language == Languages.English
            ? local.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"))
            : local.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
    }

    private string? Optional(string language, string key, params object?[] args)
    {
        var culture = Culture(language);
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = culture;
        try
        {
            var text = texts[key];
            return text.ResourceNotFound ? null : args.Length == 0 ? text.Value : string.Format(culture, text.Value, args);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    private static TimeZoneInfo Zone()
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById("Asia/Vientiane"); }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.CreateCustomTimeZone("Asia/Vientiane", TimeSpan.FromHours(7), "Vientiane", "Vientiane");
        }
    }
}
