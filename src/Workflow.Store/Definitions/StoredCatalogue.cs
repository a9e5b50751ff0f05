using System.Security.Cryptography;
using System.Text;
using Marten;
using Workflow.Core.Definitions;

namespace Workflow.Store.Definitions;

public sealed record CatalogueFile(string Name, string Text);

/// <summary>
/// The agency catalogue and calendar files a server loaded, kept in the store by their hash so that a tool with only
/// a connection string reads the same catalogue as the server (definitions are kept one by one, see
/// <see cref="StoredDefinition"/>). <see cref="LoadedAt"/> is the last start that loaded exactly these files.
/// </summary>
public sealed record StoredCatalogue
{
    public string Id { get; init; } = "";
    public string? Agencies { get; init; }
    public List<CatalogueFile> Calendars { get; init; } = [];
    public DateTimeOffset LoadedAt { get; init; }

    /// <summary>Records the files a server has just loaded from its workflows folder.</summary>
    public static async Task SaveAsync(IDocumentStore store, string? agencies, IReadOnlyList<CatalogueFile> calendars, DateTimeOffset now,
        CancellationToken cancellation = default)
    {
        var content = new StringBuilder(agencies ?? "");
        foreach (var file in calendars.OrderBy(f => f.Name, StringComparer.Ordinal))
            content.Append('\0').Append(file.Name).Append('\0').Append(file.Text);
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content.ToString())));
        await using var session = store.LightweightSession();
        session.Store(new StoredCatalogue { Id = id, Agencies = agencies, Calendars = [.. calendars], LoadedAt = now });
        await session.SaveChangesAsync(cancellation);
    }

    /// <summary>
    /// The catalogue as the store holds it: the agencies and calendars a server loaded last, with every stored definition
    /// version that is not retired. Null when no server has stored its catalogue there yet.
    /// </summary>
    public static async Task<WorkflowCatalog?> LoadAsync(IDocumentStore store, CancellationToken cancellation = default)
    {
        await using var session = store.QuerySession();
        var latest = await session.Query<StoredCatalogue>().OrderByDescending(c => c.LoadedAt).FirstOrDefaultAsync(cancellation);
        if (latest is null) return null;
        var definitions = await session.Query<StoredDefinition>().Where(d => d.RetiredAt == null).OrderBy(d => d.FirstLoadedAt)
            .ToListAsync(cancellation);
        return WorkflowCatalog.FromStored(latest.Agencies, latest.Calendars.Select(c => (c.Name, c.Text)),
            definitions.Select(d => (d.FileName, d.Source)));
    }
}
