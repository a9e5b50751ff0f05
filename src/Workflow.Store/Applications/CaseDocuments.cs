using System.Runtime.CompilerServices;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Workflow.Core.Applications;
using Workflow.Store.Tracking;

namespace Workflow.Store.Applications;

/// <summary>
/// Keeps each application's two case documents, <see cref="ApplicationDetails"/> and <see cref="CitizenTracking"/>, in step with
/// its events in the same transaction, folding them with <see cref="ApplicationDetailsProjection"/> and
/// <see cref="CitizenTrackingProjection"/>. The command shell reads both documents in the round trip that reads the stream
/// (<see cref="Remember"/>); the save then writes them without reading them again. A stream the shell did not read this way
/// (a tool, a migration) has its documents read here, one round trip per kind for every such stream of the save.
/// </summary>
/// <remarks>
/// Reading them before the save is as safe as reading them during it: the documents change only with the stream, in the
/// stream's transaction, and they are read after the stream's version, so a command that committed in between moved that
/// version and the save's optimistic check refuses this one.
/// </remarks>
public sealed class CaseDocumentsProjection : IProjection
{
    private sealed record Read(ApplicationDetails? Details, CitizenTracking? Tracking);

    private static readonly ConditionalWeakTable<IDocumentOperations, Dictionary<Guid, Read>> ReadWithStream = new();

    /// <summary>The case documents of an application as the command read them with its stream (null: none stored).</summary>
    public static void Remember(IDocumentOperations session, Guid application, ApplicationDetails? details, CitizenTracking? tracking)
    {
        var read = ReadWithStream.GetOrCreateValue(session);
        lock (read) read[application] = new Read(details, tracking);
    }

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        // Every event of a case's stream is folded, as its replay folds them, even one that changes nothing the case shows
        // (its version still counts it); a stream of something else (seals, the access log) has no documents to find.
        var streams = events.GroupBy(e => e.StreamId).ToList();
        ReadWithStream.TryGetValue(operations, out var remembered);

        var current = new Dictionary<Guid, Read>();
        var unread = new List<Guid>();
        foreach (var stream in streams)
        {
            // A stream that starts in this save has no documents yet.
            if (stream.First().Data is ApplicationSubmitted) current[stream.Key] = new Read(null, null);
            // Taken once: a later save of the same session reads what this one wrote.
            else if (remembered is not null && Take(remembered, stream.Key) is { } read) current[stream.Key] = read;
            else unread.Add(stream.Key);
        }
        if (unread.Count > 0)
        {
            var details = (await operations.LoadManyAsync<ApplicationDetails>(cancellation, unread)).ToDictionary(d => d.Id);
            var tracking = (await operations.LoadManyAsync<CitizenTracking>(cancellation, unread)).ToDictionary(t => t.Id);
            foreach (var id in unread) current[id] = new Read(details.GetValueOrDefault(id), tracking.GetValueOrDefault(id));
        }

        foreach (var stream in streams)
        {
            var before = current[stream.Key];
            var (details, tracking) = (before.Details, before.Tracking);
            foreach (var e in stream)
            {
                details = ApplicationDetailsProjection.Fold(details, e.Data);
                tracking = CitizenTrackingProjection.Fold(tracking, e.Data);
            }
            Write(operations, stream.Key, before.Details, details);
            Write(operations, stream.Key, before.Tracking, tracking);
        }
    }

    private static Read? Take(Dictionary<Guid, Read> remembered, Guid id)
    {
        lock (remembered) return remembered.Remove(id, out var read) ? read : null;
    }

    /// <summary>Stores the folded document, unless no event of the save changed it (the fold gave back the same instance).</summary>
    private static void Write<T>(IDocumentOperations operations, Guid id, T? before, T? after) where T : class
    {
        if (ReferenceEquals(before, after)) return;
        if (after is not null) operations.Store(after);
        else if (before is not null) operations.Delete<T>(id);
    }
}
