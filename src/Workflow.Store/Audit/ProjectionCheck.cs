using System.Text.Json.Nodes;
using Marten;
using Npgsql;
using Workflow.Store.Applications;

namespace Workflow.Store.Audit;

/// <summary>A stored read-model document that is not what its events fold into (or has no events at all).</summary>
public sealed record ProjectionDifference(Guid ApplicationId, string? TrackingNumber, string Document, IReadOnlyList<string> Fields,
    string Detail);

/// <summary>
/// Checks the read models people see against the events: each application's stream is folded again through the same
/// projection and compared, field by field, with the stored <see cref="ApplicationDetails"/> document, and the agencies'
/// inbox items of the application (which step waits in which agency's inbox) with the steps the fold leaves open. Only
/// streams whose chain verifies are refolded (a broken stream is reported by the chain itself); documents without a
/// stream are named too. Open-deadline rows are not compared.
/// </summary>
public sealed class ProjectionCheck(IDocumentStore store, NpgsqlDataSource database, AuditChain chain, ApplicationReplay replay)
{
    public async Task<IReadOnlyList<ProjectionDifference>> RunAsync(IReadOnlyCollection<Guid> brokenStreams, Guid? only = null,
        CancellationToken cancellation = default)
    {
        await using var session = store.QuerySession();
        var ids = new HashSet<Guid>();
        await using (var command = database.CreateCommand(
                         $"select stream_id from {WorkflowStore.Schema}.mt_events where type = 'application_submitted' " +
                         "and (@only::uuid is null or stream_id = @only) " +
                         $"union select id from {WorkflowStore.Schema}.mt_doc_applicationdetails " +
                         "where (@only::uuid is null or id = @only)"))
        {
            command.Parameters.Add(new NpgsqlParameter("only", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)only ?? DBNull.Value });
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation)) ids.Add(reader.GetGuid(0));
        }
        var inbox = (only is { } one
                ? await session.Query<InboxItem>().Where(i => i.ApplicationId == one).ToListAsync(cancellation)
                : await session.Query<InboxItem>().ToListAsync(cancellation))
            .ToLookup(i => i.ApplicationId);
        ids.UnionWith(inbox.Select(g => g.Key));
        var serializer = store.Options.Serializer();
        var differences = new List<ProjectionDifference>();
        foreach (var id in ids.Order())
        {
            if (brokenStreams.Contains(id)) continue;
            if (only is not null && !(await chain.VerifyAsync(id, cancellation)).Intact) continue;
            var stored = await session.LoadAsync<ApplicationDetails>(id, cancellation);
            var folded = (await replay.AsOfAsync(id, cancellation: cancellation))?.Details;
            if (folded is null)
            {
                if (stored is not null)
                    differences.Add(new(id, stored.TrackingNumber, nameof(ApplicationDetails), [], "a stored document without any events"));
                if (inbox[id].Any())
                    differences.Add(new(id, stored?.TrackingNumber, nameof(InboxItem), [.. inbox[id].Select(i => i.StepId)],
                        "inbox items of an application without any events"));
                continue;
            }
            if (InboxDifference(id, folded, inbox[id]) is { } inboxDifference) differences.Add(inboxDifference);
            if (stored is null)
            {
                differences.Add(new(id, folded.TrackingNumber, nameof(ApplicationDetails), [],
                    "the events fold into a document that is not stored"));
                continue;
            }
            var a = JsonNode.Parse(serializer.ToJson(stored))!.AsObject();
            var b = JsonNode.Parse(serializer.ToJson(folded))!.AsObject();
            var fields = a.Select(p => p.Key).Union(b.Select(p => p.Key))
                .Where(k => !JsonNode.DeepEquals(a[k], b[k])).Order().ToList();
            if (fields.Count > 0)
                differences.Add(new(id, folded.TrackingNumber, nameof(ApplicationDetails), fields,
                    string.Join("; ", fields.Select(f => $"{f} is {Short(a[f])} but the events give {Short(b[f])}"))));
        }
        return differences;
    }

    /// <summary>Which step waits in which agency's inbox, against the open steps the events leave (not those with the citizen).</summary>
    private static ProjectionDifference? InboxDifference(Guid id, ApplicationDetails folded, IEnumerable<InboxItem> items)
    {
        var expected = folded.OpenSteps.Where(s => !s.AwaitingCorrection).Select(s => (s.StepId, s.Agency)).ToHashSet();
        var stored = items.Select(i => (i.StepId, i.Agency)).ToHashSet();
        if (expected.SetEquals(stored)) return null;
        var extra = stored.Except(expected)
            .Select(i => $"step {i.StepId} is in the inbox of {i.Agency} but the events give no such open step");
        var missing = expected.Except(stored).Select(i => $"step {i.StepId} is open for {i.Agency} but missing from its inbox");
        var steps = stored.Except(expected).Union(expected.Except(stored)).Select(i => i.StepId).Distinct().Order();
        return new(id, folded.TrackingNumber, nameof(InboxItem), [.. steps],
            string.Join("; ", extra.Concat(missing)));
    }

    private static string Short(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "nothing";
        return text.Length <= 80 ? text : text[..77] + "...";
    }
}
