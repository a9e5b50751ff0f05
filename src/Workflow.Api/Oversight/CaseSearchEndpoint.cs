using System.Text.Json;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Api.Hosting;
using Workflow.Store.Audit;
using Workflow.Store.Oversight;

namespace Workflow.Api.Oversight;

/// <summary>The search as typed (query string or form), before it is checked: every value is text.</summary>
public sealed record CaseQuery(string? TrackingNumber, string? WorkflowId, string? Agency, string? Centre, string? Status,
    string? Lateness, string? From, string? To, string? Page, string? PageSize)
{
    /// <summary>
    /// The criteria, or the errors by field: an unknown status, lateness or agency, a period that is not an instant or
    /// ends before it starts, a page out of range. Statuses are written as the API writes them (<c>in-progress</c>).
    /// The workspace's search page and the API check a search with this one function.
    /// </summary>
    public (CaseCriteria? Criteria, Dictionary<string, string[]> Errors) Check(WorkflowCatalog catalog)
    {
        var errors = new Dictionary<string, string[]>();
        var status = Blank(Status) is { } s
            ? Enum.GetValues<ApplicationStatus>().Cast<ApplicationStatus?>().FirstOrDefault(x => Kebab(x!.Value) == s)
            : null;
        if (Blank(Status) is not null && status is null)
            errors["status"] = [$"status is one of {string.Join(", ", Enum.GetValues<ApplicationStatus>().Select(Kebab))}"];
        if (Blank(Lateness) is { } late && !LatenessFilter.All.Contains(late))
            errors["lateness"] = [$"lateness is one of {string.Join(", ", LatenessFilter.All)}"];
        if (Blank(Agency) is { } agency && catalog.FindAgency(agency) is null) errors["agency"] = [$"there is no agency '{agency}'"];
        if (Blank(TrackingNumber) is { Length: > 40 }) errors["trackingNumber"] = ["a tracking number has at most 40 characters"];
        if (Blank(WorkflowId) is { Length: > 100 }) errors["workflowId"] = ["a procedure id has at most 100 characters"];
        if (Blank(Centre) is { Length: > 20 }) errors["centre"] = ["a centre code has at most 20 characters"];
        var from = Instant(From, "from", errors);
        var to = Instant(To, "to", errors);
        if (from is not null && to is not null && to <= from) errors["to"] = ["to must be after from"];
        var page = Number(Page, "page", 1, errors);
        var pageSize = Number(PageSize, "pageSize", 50, errors);
        foreach (var (field, messages) in Http.PageErrors(page, pageSize) ?? []) errors.TryAdd(field, messages);
        return errors.Count > 0
            ? (null, errors)
            : (new CaseCriteria(Blank(TrackingNumber), Blank(WorkflowId), Blank(Agency), Blank(Centre), status, Blank(Lateness), from, to,
                page, pageSize), errors);
    }

    public static string Kebab(ApplicationStatus status) => JsonNamingPolicy.KebabCaseLower.ConvertName(status.ToString());

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static readonly DateOnly Earliest = new(1900, 1, 1), Latest = new(9998, 12, 31);

    /// <summary>An instant with its offset, or a day (read in Vientiane, where the centres are), from 1900 to 9998.</summary>
    private static DateTimeOffset? Instant(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (Blank(text) is not { } value) return null;
        DateTimeOffset? instant = DateOnly.TryParseExact(value, "yyyy-MM-dd", out var day) && day >= Earliest && day <= Latest
            ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(7))
            : DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null;
        if (instant is { } found && DateOnly.FromDateTime(found.UtcDateTime) is var utc && utc >= Earliest && utc <= Latest) return found;
        errors[field] = [$"{field} is a day (2024-06-03) or an instant (2024-06-03T09:00:00+07:00), from the year 1900 to 9998"];
        return null;
    }

    private static int Number(string? text, string field, int otherwise, Dictionary<string, string[]> errors)
    {
        if (Blank(text) is not { } value) return otherwise;
        if (int.TryParse(value, out var number)) return number;
        errors[field] = [$"{field} is a whole number"];
        return otherwise;
    }
}

public static class CaseSearchEndpoint
{
    public static void MapCaseSearch(this RouteGroupBuilder oversight) =>
        oversight.MapGet("/cases", Search)
            .WithSummary("Find cases by tracking number (from its start), procedure (workflowId), agency, centre, status, lateness " +
                         "(late, case-late, on-time) and the period received (from, to: a day or an instant), newest first, paged")
            .Produces<Paged<CaseSummary>>().ProducesValidationProblem().ProducesProblem(403);

    private static async Task<IResult> Search(CaseSearch search, WorkflowCatalog catalog, CancellationToken cancellation,
        string? trackingNumber, string? workflowId, string? agency, string? centre, string? status, string? lateness, string? from,
        string? to, string? page, string? pageSize)
    {
        var (criteria, errors) = new CaseQuery(trackingNumber, workflowId, agency, centre, status, lateness, from, to, page, pageSize)
            .Check(catalog);
        return criteria is null ? Results.ValidationProblem(errors) : Results.Ok(await search.FindAsync(criteria, cancellation));
    }
}
