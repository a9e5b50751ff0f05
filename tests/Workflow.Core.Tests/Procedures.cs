using System.Text.Json;
using Workflow.Core.Definitions;

namespace Workflow.Core.Tests;

/// <summary>
/// The shipped procedures and calendars, inline definitions checked by the same loader, and sample data; shared by the
/// Core and Design tests (the Design tests compile this file too).
/// </summary>
public static class Procedures
{
    private static readonly Lazy<WorkflowCatalog> Shipped = new(() => WorkflowCatalog.Load(Path.Combine(RepositoryRoot(), "workflows")));

    public static WorkflowCatalog Catalog => Shipped.Value;

    public static WorkflowDefinition Get(string id) => Catalog.Find(id)!;

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Workflow.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Workflow.sln not found above the test folder");
    }

    public const string TestAgencies = """
        agencies:
          odsc: One-Door Service Centre
          a: Agency A
          b: Agency B
          c: Agency C
        """;

    /// <summary>A definition written inline for one shape of flow, checked by the same loader as the shipped ones.</summary>
    public static WorkflowDefinition Parse(string yaml) =>
        WorkflowCatalog.Parse([("agencies.yaml", TestAgencies), ("test.yaml", yaml)]).Latest.Single();

    public static DateTimeOffset Lao(int y, int m, int d, int hour, int minute = 0) => new(y, m, d, hour, minute, 0, TimeSpan.FromHours(7));

    public static Dictionary<string, JsonElement> Data(Dictionary<string, object> values) =>
        values.ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value));

    /// <summary>An enterprise registration's data: a company, with or without employees.</summary>
    public static Dictionary<string, object> Company(bool employees = true) => new()
    {
        ["enterprise_name"] = "Mekong Rice Trading",
        ["enterprise_type"] = "company",
        ["registered_capital"] = 500_000_000,
        ["business_sector"] = "wholesale",
        ["has_employees"] = employees,
        ["province"] = "Vientiane Capital",
    };

    /// <summary>A land title transfer's data.</summary>
    public static readonly Dictionary<string, object> Parcel = new()
    {
        ["parcel_number"] = "XAY-88-12", ["title_number"] = "T-1", ["transfer_kind"] = "gift", ["declared_value"] = 1000,
        ["village"] = "Ban Phonxay", ["seller_name"] = "Khamla", ["buyer_name"] = "Noy",
    };
}
