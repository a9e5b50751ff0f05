using System.CommandLine;
using Workflow.Core.Access;
using Workflow.Store.Identity;

namespace Workflow.Cli;

public static class TokenCommand
{
    public static Command Create()
    {
        var user = new Option<string>("--user") { Description = "user id (the token's sub)", Required = true };
        var role = new Option<string>("--role") { Description = $"one of {string.Join(", ", Roles.All)}", Required = true };
        role.AcceptOnlyFromAmong(Roles.All);
        var agency = new Option<string?>("--agency") { Description = "agency code from workflows/agencies.yaml (odsc for centre clerks)" };
        var name = new Option<string?>("--name") { Description = "display name recorded on events" };
        var centre = new Option<string?>("--centre") { Description = "centre code used in tracking numbers, e.g. VTE" };
        var hours = new Option<int>("--hours") { Description = "lifetime in hours", DefaultValueFactory = _ => 12 };
        var key = new Option<string?>("--signing-key")
        {
            Description = "signing key; defaults to the development key, which only a Development server accepts",
        };

        var command = new Command("token", "Print a bearer token for the API") { user, role, agency, name, centre, hours, key };
        command.SetAction(parse =>
        {
            // A day short of ten years at most; a server refuses a key of fewer than 32 characters, so none is signed with one.
            if (parse.GetValue(hours) is not (>= 1 and <= 87_600))
            {
                Console.Error.WriteLine("--hours: a lifetime from 1 to 87600 hours");
                return 2;
            }
            if (parse.GetValue(key) is { Length: < 32 })
            {
                Console.Error.WriteLine("--signing-key: a key of at least 32 characters, as the server's Auth__SigningKey");
                return 2;
            }
            Console.WriteLine(Tokens.Mint(parse.GetValue(user)!, parse.GetValue(role)!, parse.GetValue(agency), parse.GetValue(name),
                parse.GetValue(centre), parse.GetValue(key) ?? Tokens.DevelopmentSigningKey, TimeSpan.FromHours(parse.GetValue(hours))));
            return 0;
        });
        return command;
    }
}
