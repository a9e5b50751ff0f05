using Workflow.Store;
using Workflow.Store.Applications;

namespace Workflow.Benchmarks;

/// <summary>
/// A store of many applications made fast: a few real cases go through the command shell, then each is copied with
/// set-based SQL into many streams, with its events, its stream row and the documents its inline projections wrote
/// (details, citizen tracking, inbox items, open deadlines), each copy with its own id and tracking number (in the
/// document and in the column the case search keeps of it). What the readers read is therefore exactly what the
/// projections write. The copies carry no chain links (nothing here verifies them). Unless made faithful, their events keep
/// the template's id and tracking number inside the submission and their open steps fall due later than the events say.
/// </summary>
public static class ScaleStore
{
    /// <summary>The tracking numbers of copies: BEN-2026-0000001 and on, never one the centres' sequences give.</summary>
    public static string TrackingNumber(long copy) => $"BEN-2026-{copy:D7}";

    /// <summary>
    /// Copies the application <paramref name="template"/> <paramref name="copies"/> times, numbering the copies from
    /// <paramref name="first"/>; each copy's open steps fall due <c>copy mod 5,000</c> minutes later than the template's, so
    /// that the inbox's order is not the order of insertion.
    /// </summary>
    /// <param name="faithful">Each copy exactly what its own events fold into: the submission names the copy's id and tracking
    /// number, and its steps fall due when the template's do (what the projection check compares).</param>
    public static async Task CopyAsync(BenchStore bench, Guid template, long first, int copies, CancellationToken cancellation = default,
        bool faithful = false)
    {
        const int chunk = 50_000;
        for (var done = 0; done < copies; done += chunk)
            await CopyChunkAsync(bench, template, first + done, Math.Min(chunk, copies - done), faithful);
    }

    private static async Task CopyChunkAsync(BenchStore bench, Guid template, long first, int copies, bool faithful)
    {
        var submission = faithful
            ? ", 'data', case when t.type = 'application_submitted' " +
              "then t.data || jsonb_build_object('applicationId', c.id, 'trackingNumber', c.tracking) else t.data end"
            : "";
        var later = faithful ? "" : ", 'dueAt', (t.data ->> 'dueAt')::timestamptz + (c.g % 5000) * interval '1 minute'";
        var s = WorkflowStore.Schema;
        // Every column of the template's row, with the copy's own values over it: the statements survive new columns. Lateral,
        // so that the record is built once per row (a "(f(x)).*" would call f once per column).
        static string Copy(string table, string alias, string changes) =>
            $"r.* from bench_copies c cross join {table} {alias} " +
            $"cross join lateral jsonb_populate_record(null::{table}, to_jsonb({alias}) || jsonb_build_object({changes})) r";
        await bench.ExecuteAsync(
            $"""
             create temporary table bench_copies as
               select g, gen_random_uuid() as id, 'BEN-2026-' || lpad(g::text, 7, '0') as tracking
               from generate_series(@first, @last) g;
             insert into {s}.mt_streams
               select {Copy($"{s}.mt_streams", "t", "'id', c.id")}
               where t.id = @template;
             insert into {s}.mt_events
               select {Copy($"{s}.mt_events", "t",
                   $"'seq_id', nextval('{s}.mt_events_sequence'), 'id', gen_random_uuid(), 'stream_id', c.id{submission}")}
               where t.stream_id = @template order by c.g, t.version;
             insert into {s}.mt_doc_applicationdetails
               select {Copy($"{s}.mt_doc_applicationdetails", "t",
                   "'id', c.id, 'tracking_number', c.tracking, " +
                   "'data', t.data || jsonb_build_object('id', c.id, 'trackingNumber', c.tracking)")}
               where t.id = @template;
             insert into {s}.mt_doc_citizentracking
               select {Copy($"{s}.mt_doc_citizentracking", "t",
                   "'id', c.id, 'data', t.data || jsonb_build_object('id', c.id, 'trackingNumber', c.tracking)")}
               where t.id = @template;
             insert into {s}.mt_doc_inboxitem
               select {Copy($"{s}.mt_doc_inboxitem", "t",
                   "'id', c.id || '/' || (t.data ->> 'stepId'), 'data', t.data || jsonb_build_object('id', c.id || '/' || " +
                   $"(t.data ->> 'stepId'), 'applicationId', c.id, 'trackingNumber', c.tracking{later})")}
               where (t.data ->> 'applicationId')::uuid = @template;
             insert into {s}.{OpenDeadlines.Table}
               select {Copy($"{s}.{OpenDeadlines.Table}", "t", "'application_id', c.id")}
               where t.application_id = @template;
             drop table bench_copies;
             """, ("first", first), ("last", first + copies - 1), ("template", template));
    }

    /// <summary>Fresh planner statistics and visibility maps for every table the copies filled.</summary>
    public static async Task AnalyzeAsync(BenchStore bench)
    {
        foreach (var table in new[] { "mt_streams", "mt_events", "mt_doc_applicationdetails", "mt_doc_citizentracking",
                     "mt_doc_inboxitem", OpenDeadlines.Table })
            await bench.ExecuteAsync($"vacuum analyze {WorkflowStore.Schema}.{table}");
    }
}
