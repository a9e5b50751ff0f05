using System.CommandLine;
using System.Net.Sockets;
using Npgsql;
using Workflow.Cli;
using Workflow.Core.Definitions;

// Exit codes (README, The workflow tool): 0 valid or intact, 1 invalid or not intact, 2 usage, connection or missing-file
// errors (one line on standard error, never a stack trace), 70 an unexpected error, which is a defect.
const int Usage = 2, Unexpected = 70;

var root = new RootCommand("workflow: tools for process designers, auditors and operators of the interagency routing engine");
root.Subcommands.Add(TokenCommand.Create());
root.Subcommands.Add(ValidateCommand.Create());
root.Subcommands.Add(DueCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(WhatIfCommand.Create());
root.Subcommands.Add(DiagramCommand.Create());
root.Subcommands.Add(DiffCommand.Create());
root.Subcommands.Add(PublishCommand.Create());
root.Subcommands.Add(PublishCommand.CreateApproval());
root.Subcommands.Add(ImportElsaCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());
root.Subcommands.Add(ReplayCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(ExportEvaluationCommand.Create());
root.Subcommands.Add(StatsCommand.Create());
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors) await Console.Error.WriteLineAsync(error.Message);
    var command = parse.CommandResult.Command;
    await Console.Error.WriteLineAsync($"See 'workflow {(command == root ? "" : command.Name + " ")}--help'.");
    return Usage;
}
try
{
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (Expected(e) is { } line)
{
    await Console.Error.WriteLineAsync(line);
    return Usage;
}
catch (Exception e)
{
    await Console.Error.WriteLineAsync($"workflow: unexpected error (a defect; please report it with this text): {e}");
    return Unexpected;
}

// The errors a person can cause or fix: said in one line, with what to do.
static string? Expected(Exception e) => e switch
{
    CommandError command => command.Message,
    FileNotFoundException file => $"{file.FileName ?? file.Message}: no such file",
    DirectoryNotFoundException folder => $"no such folder: {folder.Message}",
    UnauthorizedAccessException denied => $"not allowed: {denied.Message}",
    // A file that cannot be written or read (a full disk, a device, a file another program holds).
    IOException io => $"cannot read or write a file: {io.Message}",
    DefinitionException definition => string.Join(Environment.NewLine, definition.Problems.Select(p => p.ToString())),
    HttpRequestException http => $"cannot reach the server: {http.Message}",
    NpgsqlException { InnerException: SocketException or TimeoutException } or NpgsqlException { IsTransient: true } =>
        $"cannot reach the store: {e.Message}. Check --connection or {Connection.Variable}.",
    PostgresException postgres => $"the store refused: {postgres.MessageText}. Check --connection or {Connection.Variable}.",
    NpgsqlException npgsql => $"cannot reach the store: {npgsql.Message}. Check --connection or {Connection.Variable}.",
    // Marten and the hosting code wrap what the database said.
    _ when e.InnerException is { } inner => Expected(inner),
    _ => null,
};
