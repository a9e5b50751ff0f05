using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Store.Audit;

namespace Workflow.Cli;

public static class ExportCommand
{
    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var application = new Option<Guid>("--application") { Description = "the application id", Required = true };
        var format = new Option<string>("--format") { Description = "json or html", DefaultValueFactory = _ => "html" };
        format.AcceptOnlyFromAmong("json", "html");
        var output = new Option<FileInfo?>("--output") { Description = "file to write; default: standard output" };
        var key = AuditOptions.ChainKey();
        var reader = AuditOptions.Operator();
        var connection = Connection.Option();
        var command = new Command("export",
            "Write an application's case file (timeline, decisions, deadlines, procedure version, verification)")
            { application, format, output, key, reader, connection };
        command.SetAction(async (parse, cancellation) =>
        {
            using var keyScope = AuditOptions.UseKey(parse, key);
            if (keyScope is null) return 2;
            await using var provider = await Connection.OpenAsync(parse.GetValue(connection), cancellation);
            if (provider is null) return 2;
            var file = await provider.GetRequiredService<CaseFiles>().LoadAsync(parse.GetValue(application), cancellation);
            if (file is null)
            {
                Console.Error.WriteLine($"no application {parse.GetValue(application)}");
                return 2;
            }
            // Reading a case from the command line is recorded like a reading through the server.
            var by = AuditOptions.Reader(parse.GetValue(reader)!);
            await provider.GetRequiredService<AccessLog>()
                .RecordAsync(file.ApplicationId, "case-file", by, $"cli:{Guid.NewGuid()}", cancellation, channel: "cli");
            var text = parse.GetValue(format) == "html"
                ? CaseFileHtml.Render(file)
                : JsonSerializer.Serialize(file, file.Writing(Indented));
            if (parse.GetValue(output) is { } path) await OutputFile.WriteTextAsync(path, text, cancellation);
            else Console.Write(text);
            return file.Verified ? 0 : 1;
        });
        return command;
    }
}
