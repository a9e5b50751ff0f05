using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Workflow.Core.Definitions;

namespace Workflow.Core.Tests;

public class when_editors_check_definitions_against_the_json_schema
{
    private static readonly JsonSchema Schema =
        JsonSchema.FromText(File.ReadAllText(Path.Combine(Procedures.RepositoryRoot(), "workflows", "workflow.schema.json")));

    /// <summary>YAML as an editor's language server sees it: plain scalars typed as numbers and booleans where they read so.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMap map => new JsonObject(map.Entries.Select(e => KeyValuePair.Create(((YamlScalar)e.Key).Value, ToJson(e.Value)))),
        YamlList list => new JsonArray([.. list.Items.Select(ToJson)]),
        YamlScalar { Value: "true" } => JsonValue.Create(true),
        YamlScalar { Value: "false" } => JsonValue.Create(false),
        YamlScalar s when long.TryParse(s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
        YamlScalar s => JsonValue.Create(s.Value),
        _ => null,
    };

    private static bool Valid(string yaml) =>
        Schema.Evaluate(JsonSerializer.SerializeToElement(ToJson(YamlTree.Read(yaml)!))).IsValid;

    [Fact]
    public void every_shipped_procedure_validates_and_names_the_schema()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Procedures.RepositoryRoot(), "workflows"), "*.yaml")
                     .Where(f => !f.EndsWith("agencies.yaml")))
        {
            var text = File.ReadAllText(file);
            text.ShouldStartWith("# yaml-language-server: $schema=./workflow.schema.json");
            Valid(text).ShouldBeTrue(Path.GetFileName(file));
        }
    }

    [Fact]
    public void the_schema_rejects_what_the_loader_rejects()
    {
        var ok = File.ReadAllText(Path.Combine(Procedures.RepositoryRoot(), "workflows", "enterprise-registration.yaml"));
        Valid(ok.Replace("on_return: restart", "on_return: sometimes")).ShouldBeFalse();
        Valid(ok.Replace("title: Enterprise registration", "title: Enterprise registration\ncolour: blue")).ShouldBeFalse();
        Valid(ok.Replace("    return: citizen\n", "    return: the-office\n")).ShouldBeFalse();
        Valid(ok.Replace("has_employees:   { type: yes-no", "has_employees:   { type: boolean")).ShouldBeFalse();
        const string register = "    agency: moic-enterprise-registration\n";
        Valid(ok.Replace(register, register + "    four_eyes: true\n")).ShouldBeTrue();
        Valid(ok.Replace(register, register + "    four_eyes: twice\n")).ShouldBeFalse();
    }
}
