using System.Text.Json;

namespace Workflow.Api.Tests;

// The API's answers as a client reads them, kept separate from the server's types so that a renamed field breaks a test.

public sealed record Created(Guid Id, string TrackingNumber, string Status, long Version, List<string> Events);

public sealed record OpenStep(string StepId, string Title, string Agency, DateTimeOffset DueAt, bool AwaitingCorrection);

public sealed record CompletedStep(string StepId, string Agency, string Outcome, Actor? By, string? Reason);

public sealed record Actor(string? UserId, string? Name, string? Agency, string? Role, string? OnBehalfOf = null);

public sealed record Details(Guid Id, string TrackingNumber, string WorkflowId, int WorkflowVersion, string DefinitionHash, string Status,
    List<OpenStep> OpenSteps, List<CompletedStep> CompletedSteps, long Version, DateTimeOffset? DueAt);

public sealed record HistoryEvent(long Version, string Type, DateTimeOffset Time, Actor Actor, string? Channel, string? Procedure,
    string? Calendar, string? CorrelationId, JsonElement Data);

public sealed record History(Guid Id, string TrackingNumber, List<HistoryEvent> Events);

public sealed record InboxItem(Guid ApplicationId, string TrackingNumber, string WorkflowId, string StepId, DateTimeOffset DueAt);

public sealed record Inbox(string Agency, int Page, int PageSize, int Total, List<InboxItem> Items);

public sealed record Problem(int Status, string Title, string? Detail, Dictionary<string, string[]>? Errors, string? Code);

public static class Samples
{
    /// <summary>A complete, valid submission for each shipped procedure.</summary>
    public static object Submission(string workflowId) => workflowId switch
    {
        "enterprise-registration" => Body(workflowId, new
        {
            enterprise_name = "Mekong Rice Trading", enterprise_type = "company", registered_capital = 500_000_000,
            business_sector = "wholesale", has_employees = true, province = "Vientiane Capital",
        }, "application-form", "owner-id", "articles-of-association"),
        "construction-permit" => Body(workflowId, new
        {
            owner_name = "Bounmy", parcel_number = "VTE-01-2231", building_use = "commercial", floor_area = 1200, height = 14,
            site_area = 6000, in_protected_area = true,
        }, "application-form", "land-title", "building-plans", "environmental-impact-statement"),
        "land-title-transfer" => Body(workflowId, new
        {
            parcel_number = "XAY-88-12", title_number = "T-55120", transfer_kind = "sale", declared_value = 350_000_000,
            village = "Ban Phonxay", seller_name = "Khamla", buyer_name = "Noy",
        }, "application-form", "land-title", "seller-id", "buyer-id", "sale-contract"),
        "import-licence" => Body(workflowId, new
        {
            importer_name = "Lao Pharma Co", enterprise_registration_number = "ER-2024-0091", goods = "medicine",
            description = "paracetamol tablets", quantity = 20000, country_of_origin = "Thailand",
        }, "application-form", "enterprise-certificate", "pro-forma-invoice", "product-registration"),
        "accommodation-licence" => Body(workflowId, new
        {
            establishment_name = "Riverside Guesthouse", enterprise_registration_number = "ER-2025-1100",
            construction_permit_number = "CP-2025-0420", registered_capital_usd = 250_000, rooms = 24, category = "hotel",
        }, "application-form", "enterprise-certificate", "construction-permit", "floor-plans", "fire-safety-plan"),
        _ => throw new ArgumentOutOfRangeException(nameof(workflowId)),
    };

    private static object Body(string workflowId, object data, params string[] documents) =>
        new { workflowId, applicant = new { name = "Somchai Phommavong", idNumber = "0123456" }, data, documents };
}
