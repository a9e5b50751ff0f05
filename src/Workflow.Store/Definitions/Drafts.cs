using System.Text.RegularExpressions;
using Marten;
using Workflow.Core.Definitions;

namespace Workflow.Store.Definitions;

/// <summary>Where a draft's text is wrong: line and column in its source (1-based), and what to do about it.</summary>
public sealed record DraftProblem(int Line, int Column, string Message, string? Hint);

/// <summary>
/// A designer's working copy of a procedure: kept per designer, checked on every save, never in force. Only a
/// publication request approved by a second designer turns a text into a version (see <see cref="PublicationRequests"/>).
/// </summary>
public sealed record Draft
{
    public Guid Id { get; init; }
    public string Owner { get; init; } = "";
    public string FileName { get; init; } = "draft.yaml";
    public string Source { get; init; } = "";

    /// <summary>The procedure id the text names, when it can be read; null for a text that does not parse that far.</summary>
    public string? WorkflowId { get; init; }

    public int? Version { get; init; }
    public string? Title { get; init; }
    public List<DraftProblem> Problems { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Drafts of one designer: another designer's drafts are not found, so they can be neither read nor changed.</summary>
public sealed class Drafts(IDocumentStore store, WorkflowCatalog catalog, TimeProvider clock)
{
    public async Task<IReadOnlyList<Draft>> OfAsync(string owner, CancellationToken cancellation = default)
    {
        await using var session = store.QuerySession();
        return await session.Query<Draft>().Where(d => d.Owner == owner).OrderByDescending(d => d.UpdatedAt).ToListAsync(cancellation);
    }

    public async Task<Draft?> FindAsync(Guid id, string owner, CancellationToken cancellation = default)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<Draft>(id, cancellation) is { } draft && draft.Owner == owner ? draft : null;
    }

    /// <summary>Saves a new draft, or the new text of one of the owner's; null when the owner has no such draft.</summary>
    public async Task<Draft?> SaveAsync(Guid? id, string owner, string fileName, string source, CancellationToken cancellation = default)
    {
        await using var session = store.LightweightSession();
        var now = clock.GetUtcNow();
        Draft? earlier = null;
        if (id is { } known && ((earlier = await session.LoadAsync<Draft>(known, cancellation)) is null || earlier.Owner != owner))
            return null;
        var (definition, problems) = Checked(fileName, source);
        var draft = new Draft
        {
            Id = earlier?.Id ?? Guid.CreateVersion7(now), Owner = owner, FileName = fileName, Source = source,
            WorkflowId = definition?.Id ?? Key(source, "id"), Version = definition?.Version ?? (int.TryParse(Key(source, "version"),
                out var number) ? number : null),
            Title = definition?.Title ?? Key(source, "title"),
            Problems = problems, CreatedAt = earlier?.CreatedAt ?? now, UpdatedAt = now,
        };
        session.Store(draft);
        await session.SaveChangesAsync(cancellation);
        return draft;
    }

    public async Task<bool> DeleteAsync(Guid id, string owner, CancellationToken cancellation = default)
    {
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<Draft>(id, cancellation) is not { } draft || draft.Owner != owner) return false;
        session.Delete(draft);
        await session.SaveChangesAsync(cancellation);
        return true;
    }

    /// <summary>Every problem of the text, checked exactly as a publication would check it; the definition when there is none.</summary>
    public (WorkflowDefinition? Definition, List<DraftProblem> Problems) Checked(string fileName, string source)
    {
        try
        {
            return (catalog.Check(fileName, source), []);
        }
        catch (DefinitionException e)
        {
            return (null, [.. e.Problems.OrderBy(p => p.At.Line).ThenBy(p => p.At.Column)
                .Select(p => new DraftProblem(p.At.Line, p.At.Column, p.Message, p.Hint))]);
        }
    }

    /// <summary>A top-level key's plain value, read even from a text that does not parse: enough to name the draft.</summary>
    private static string? Key(string source, string key) =>
        Regex.Match(source, $@"^{key}:[ \t]*([^#\r\n]*?)[ \t]*(#.*)?$", RegexOptions.Multiline) is { Success: true } m &&
        m.Groups[1].Value.Trim('"', '\'') is { Length: > 0 } value
            ? value
            : null;
}
