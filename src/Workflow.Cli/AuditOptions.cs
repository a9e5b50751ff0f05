using System.CommandLine;
using Workflow.Core.Applications;
using Workflow.Store.Audit;

namespace Workflow.Cli;

/// <summary>Options of the auditors' tools: the chain key that links and verifies events, and who is reading.</summary>
public static class AuditOptions
{
    public static Option<string?> ChainKey() => new("--chain-key")
    {
        Description = $"the audit chain key; default: the {Store.Audit.ChainKey.Variable} environment variable",
    };

    public static Option<string> Operator() => new("--operator", "--as")
    {
        Description = "who is reading, recorded in the case's access log; default: the operating-system user",
        DefaultValueFactory = _ => Environment.UserName,
    };

    /// <summary>
    /// Makes the key available to the store the command opens (which reads <c>Audit__ChainKey</c>) until the returned
    /// scope ends; null, with a message, when there is none: without it events can be neither verified nor linked.
    /// </summary>
    public static IDisposable? UseKey(ParseResult parse, Option<string?> option)
    {
        var previous = Environment.GetEnvironmentVariable(Store.Audit.ChainKey.Variable);
        var key = parse.GetValue(option) ?? previous;
        if (string.IsNullOrWhiteSpace(key) || key.Length < 32)
        {
            Console.Error.WriteLine($"No chain key (32+ characters): pass --chain-key or set {Store.Audit.ChainKey.Variable}.");
            return null;
        }
        Environment.SetEnvironmentVariable(Store.Audit.ChainKey.Variable, key);
        return new KeyScope(previous);
    }

    private sealed class KeyScope(string? previous) : IDisposable
    {
        public void Dispose() => Environment.SetEnvironmentVariable(Store.Audit.ChainKey.Variable, previous);
    }

    public static Actor Reader(string name) => new(name, name, null, "operator");
}
