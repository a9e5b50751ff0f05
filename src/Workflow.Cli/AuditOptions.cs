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
    /// Makes the key available to the store the command opens (which reads <c>Audit__ChainKey</c>); false, with a message,
    /// when there is none: without it events can be neither verified nor linked.
    /// </summary>
    public static bool UseKey(ParseResult parse, Option<string?> option)
    {
        var key = parse.GetValue(option) ?? Environment.GetEnvironmentVariable(Store.Audit.ChainKey.Variable);
        if (string.IsNullOrWhiteSpace(key) || key.Length < 32)
        {
            Console.Error.WriteLine($"No chain key (32+ characters): pass --chain-key or set {Store.Audit.ChainKey.Variable}.");
            return false;
        }
        Environment.SetEnvironmentVariable(Store.Audit.ChainKey.Variable, key);
        return true;
    }

    public static Actor Reader(string name) => new(name, name, null, "operator");
}
