using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Core.WhatIf;
using Workflow.Store.WhatIf;

namespace Workflow.Cli;

public static class WhatIfCommand
{
    // Printed for a person or a script, never embedded in a web page: Lao text stays Lao.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create()
    {
        var draft = new Option<FileInfo>("--draft") { Description = "the draft definition (YAML) to replay the history through", Required = true };
        var from = new Option<DateOnly>("--from") { Description = "first day of the period, e.g. 2024-01-01", Required = true };
        var to = new Option<DateOnly>("--to") { Description = "last day of the period, included", Required = true };
        var workflow = new Option<string?>("--workflow") { Description = "the procedure whose history is replayed; default: the draft's id" };
        var format = new Option<string>("--format") { Description = "table, json or csv", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv");
        var connection = Connection.Option();
        var command = new Command("what-if",
                "Replay the cases of a period through a draft: on time, median and 90th percentile working days and the bottleneck " +
                "agency, side by side with what happened; cases the draft cannot map are listed")
            { draft, from, to, workflow, format, connection };
        command.SetAction(async (parse, cancellation) =>
        {
            var file = parse.GetValue(draft)!;
            if (!file.Exists) throw new FileNotFoundException(null, file.FullName);
            await using var provider = await Connection.OpenAsync(parse.GetValue(connection), cancellation);
            if (provider is null) return 2;
            var runs = provider.GetRequiredService<WhatIfRuns>();
            var definition = runs.Check(file.Name, await File.ReadAllTextAsync(file.FullName, cancellation));
            WhatIfResult result;
            try
            {
                result = await runs.RunAsync(definition, parse.GetValue(from), parse.GetValue(to), parse.GetValue(workflow),
                    Environment.UserName, cancellation);
            }
            catch (Exception e) when (e is WhatIfTooLarge or ArgumentException)
            {
                throw new CommandError(e.Message);
            }
            Console.Write(parse.GetValue(format) switch
            {
                "json" => JsonSerializer.Serialize(result, Json) + Environment.NewLine,
                "csv" => Csv(result),
                _ => Table(result),
            });
            return 0;
        });
        return command;
    }

    /// <summary>The side-by-side rows of the comparison: (scope, measure, actual, draft), the whole period first, then each agency.</summary>
    public static IEnumerable<(string Scope, string Measure, string Actual, string Draft)> Rows(WhatIfResult r)
    {
        static string N(double? value) => value?.ToString("0.##", CultureInfo.InvariantCulture) ?? "";
        static string Rate(double? value) => value is { } v ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "";
        var (a, d) = (r.Actual, r.Draft);
        yield return ("all", "cases", $"{a.Cases}", $"{d.Cases}");
        yield return ("all", "with a timeliness", $"{a.WithTimeliness}", $"{d.WithTimeliness}");
        yield return ("all", "on time", $"{a.OnTime}", $"{d.OnTime}");
        yield return ("all", "on-time rate", Rate(a.OnTimeRate), Rate(d.OnTimeRate));
        yield return ("all", "median working days", N(a.MedianWorkingDays), N(d.MedianWorkingDays));
        yield return ("all", "90th percentile working days", N(a.P90WorkingDays), N(d.P90WorkingDays));
        yield return ("all", "approved", $"{a.Approved}", $"{d.Approved}");
        yield return ("all", "rejected", $"{a.Rejected}", $"{d.Rejected}");
        yield return ("all", "lapsed", $"{a.Lapsed}", $"{d.Lapsed}");
        yield return ("all", "returns", $"{a.Returns}", $"{d.Returns}");
        yield return ("all", "bottleneck agency", a.Bottleneck ?? "", d.Bottleneck ?? "");
        yield return ("all", "unmappable cases", "", $"{r.Unmappable.Length}");
        foreach (var agency in a.Agencies.Select(x => x.Agency).Union(d.Agencies.Select(x => x.Agency)).Order(StringComparer.Ordinal))
        {
            var x = a.Agencies.FirstOrDefault(g => g.Agency == agency);
            var y = d.Agencies.FirstOrDefault(g => g.Agency == agency);
            yield return (agency, "decisions", $"{x?.Decisions ?? 0}", $"{y?.Decisions ?? 0}");
            yield return (agency, "late decisions", $"{x?.Late ?? 0}", $"{y?.Late ?? 0}");
            yield return (agency, "median working days", N(x?.MedianWorkingDays), N(y?.MedianWorkingDays));
            yield return (agency, "working days in all", $"{x?.TotalWorkingDays ?? 0}", $"{y?.TotalWorkingDays ?? 0}");
        }
    }

    private static string Csv(WhatIfResult r)
    {
        var text = new System.Text.StringBuilder("scope,measure,actual,draft\n");
        foreach (var (scope, measure, actual, draft) in Rows(r)) text.Append($"{scope},{measure},{actual},{draft}\n");
        return text.ToString();
    }

    private static string Table(WhatIfResult r)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine($"What-if: {r.WorkflowId} cases decided {r.From:yyyy-MM-dd} to {r.To:yyyy-MM-dd}, replayed through draft " +
                        $"version {r.DraftVersion} ({r.DraftTitle}; legal deadline {r.DraftDeadlineDays} working days)");
        text.AppendLine();
        foreach (var group in Rows(r).GroupBy(row => row.Scope))
        {
            text.AppendLine($"| {(group.Key == "all" ? "the period" : group.Key),-40} | {"actual",10} | {"draft",10} |");
            text.AppendLine($"|{new string('-', 42)}|{new string('-', 11)}:|{new string('-', 11)}:|");
            foreach (var (_, measure, actual, draft) in group) text.AppendLine($"| {measure,-40} | {actual,10} | {draft,10} |");
            text.AppendLine();
        }
        if (r.ActualOfReplayed is { } same)
            text.AppendLine($"Of the {same.Cases} cases the draft replays, {same.OnTime} were actually on time " +
                            $"(median {same.MedianWorkingDays:0.##}, 90th percentile {same.P90WorkingDays:0.##} working days).");
        text.AppendLine($"{r.Changed.Length} case(s) change timeliness in the draft; {r.Unmappable.Length} cannot be mapped" +
                        (r.Unmappable.IsEmpty ? "." : ":"));
        foreach (var u in r.Unmappable) text.AppendLine($"  {u.TrackingNumber}  {u.ApplicationId}  {u.Reason}");
        return text.ToString();
    }
}
