using System.Collections.Concurrent;
using Marten;
using Microsoft.Extensions.Logging;
using Workflow.Core.Definitions;

namespace Workflow.Store.Definitions;

/// <summary>The exact text of a definition version that applications have followed, kept in the database by its hash.</summary>
public sealed record StoredDefinition
{
    public string Id { get; init; } = "";
    public string WorkflowId { get; init; } = "";
    public int Version { get; init; }
    public string Hash { get; init; } = "";
    public string FileName { get; init; } = "";
    public string Source { get; init; } = "";
    public DateTimeOffset FirstLoadedAt { get; init; }

    public static string IdOf(string workflowId, int version, string hash) => $"{workflowId}@{version}/{hash}";
}

/// <summary>
/// The definitions in force plus every definition text an application was ever pinned to. A running case is always
/// decided under the text whose hash it recorded at submission, even after the file was edited or removed.
/// </summary>
public sealed class PinnedDefinitions(WorkflowCatalog catalog, IDocumentStore store, ILogger<PinnedDefinitions> log)
{
    private readonly ConcurrentDictionary<string, WorkflowDefinition> _byHash =
        new(catalog.All.ToDictionary(d => StoredDefinition.IdOf(d.Id, d.Version, d.Hash)));

    public WorkflowCatalog Catalog => catalog;

    /// <summary>Records the text of each loaded definition, so applications started under it can be decided later.</summary>
    public async Task PublishLoadedAsync(TimeProvider clock, CancellationToken cancellation = default)
    {
        await using var session = store.LightweightSession();
        var ids = catalog.All.Select(d => StoredDefinition.IdOf(d.Id, d.Version, d.Hash)).ToArray();
        var known = (await session.LoadManyAsync<StoredDefinition>(cancellation, ids)).Select(s => s.Id).ToHashSet();
        foreach (var d in catalog.All.Where(d => !known.Contains(StoredDefinition.IdOf(d.Id, d.Version, d.Hash))))
        {
            var earlier = await session.Query<StoredDefinition>().Where(s => s.WorkflowId == d.Id && s.Version == d.Version).CountAsync(cancellation);
            if (earlier > 0)
                log.LogWarning("Definition {WorkflowId} version {WorkflowVersion} changed without a new version number; " +
                               "running applications keep the text they started with, new ones get {DefinitionHash}", d.Id, d.Version, d.Hash);
            session.Store(new StoredDefinition
            {
                Id = StoredDefinition.IdOf(d.Id, d.Version, d.Hash),
                WorkflowId = d.Id,
                Version = d.Version,
                Hash = d.Hash,
                FileName = d.Source.File,
                Source = d.SourceText,
                FirstLoadedAt = clock.GetUtcNow(),
            });
        }
        await session.SaveChangesAsync(cancellation);
    }

    public async Task<WorkflowDefinition> PinnedAsync(string workflowId, int version, string hash, CancellationToken cancellation = default)
    {
        var id = StoredDefinition.IdOf(workflowId, version, hash);
        if (_byHash.TryGetValue(id, out var known)) return known;
        await using var session = store.QuerySession();
        var stored = await session.LoadAsync<StoredDefinition>(id, cancellation)
            ?? throw new InvalidOperationException($"the definition {id} that this application follows is not stored");
        return _byHash.GetOrAdd(id, _ => catalog.ParseStored(stored.FileName, stored.Source));
    }
}
