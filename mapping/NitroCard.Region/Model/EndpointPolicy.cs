using System.Collections.Immutable;
using System.Text.Json;

namespace NitroCard.Region;

/// <summary>
/// A gateway endpoint policy read from its IAM-style JSON: a list of statements, each with an Effect, a Principal,
/// Actions and Resources (strings or arrays of strings; <c>*</c> and <c>?</c> are wildcards). An absent policy is
/// <see cref="AllowAll"/>. Evaluation lives with the edge (NitroCard.Edge).
/// </summary>
/// <param name="Statements">The statements in file order.</param>
public sealed record EndpointPolicy(ImmutableArray<PolicyStatement> Statements)
{
    /// <summary>The default policy: one statement allowing every principal every action on every resource.</summary>
    public static EndpointPolicy AllowAll { get; } = new([new PolicyStatement(true, true, ["*"], ["*"])]);

    /// <summary>Reads a policy; problems are reported with a path relative to the policy (for example <c>Statement[0].Effect</c>).</summary>
    public static EndpointPolicy? Parse(JsonElement? json, out ImmutableArray<(string Path, string Message)> problems)
    {
        var errors = ImmutableArray.CreateBuilder<(string, string)>();
        if (json is not { } policy || policy.ValueKind == JsonValueKind.Null)
        {
            problems = [];
            return AllowAll;
        }
        if (policy.ValueKind != JsonValueKind.Object)
        {
            problems = [("", "must be a JSON object with a Statement array")];
            return null;
        }
        if (!policy.TryGetProperty("Statement", out var statementsJson))
        {
            problems = [("Statement", "is required (an array of statements, or one statement object)")];
            return null;
        }
        var list = statementsJson.ValueKind switch
        {
            JsonValueKind.Array => statementsJson.EnumerateArray().ToList(),
            JsonValueKind.Object => [statementsJson],
            _ => null,
        };
        if (list is null)
        {
            problems = [("Statement", "must be an array of statements or one statement object")];
            return null;
        }
        var statements = ImmutableArray.CreateBuilder<PolicyStatement>();
        for (var i = 0; i < list.Count; i++)
        {
            var path = statementsJson.ValueKind == JsonValueKind.Array ? $"Statement[{i}]" : "Statement";
            var s = list[i];
            if (s.ValueKind != JsonValueKind.Object)
            {
                errors.Add((path, "must be an object"));
                continue;
            }
            bool? allow = null;
            if (!s.TryGetProperty("Effect", out var effect))
                errors.Add((path + ".Effect", "is required (Allow or Deny)"));
            else if (effect.ValueKind == JsonValueKind.String && effect.GetString() is "Allow" or "Deny")
                allow = effect.GetString() == "Allow";
            else
                errors.Add((path + ".Effect", $"{effect.GetRawText()} is not Allow or Deny"));

            var anyPrincipal = true;
            if (s.TryGetProperty("Principal", out var principal))
            {
                anyPrincipal = principal.ValueKind switch
                {
                    JsonValueKind.String when principal.GetString() == "*" => true,
                    JsonValueKind.Object when principal.TryGetProperty("AWS", out var aws) && aws.ValueKind == JsonValueKind.String && aws.GetString() == "*" => true,
                    JsonValueKind.String or JsonValueKind.Object or JsonValueKind.Array => false,
                    _ => Fail(errors, path + ".Principal", "must be \"*\", an object such as {\"AWS\": \"*\"}, or an array"),
                };
            }
            var actions = Strings(s, "Action", path, errors);
            var resources = Strings(s, "Resource", path, errors);
            if (allow is { } a && !actions.IsDefault && !resources.IsDefault)
                statements.Add(new PolicyStatement(a, anyPrincipal, actions, resources));
        }
        problems = errors.ToImmutable();
        return problems.IsEmpty ? new EndpointPolicy(statements.ToImmutable()) : null;
    }

    private static bool Fail(ImmutableArray<(string, string)>.Builder errors, string path, string message)
    {
        errors.Add((path, message));
        return false;
    }

    private static ImmutableArray<string> Strings(JsonElement statement, string name, string path, ImmutableArray<(string, string)>.Builder errors)
    {
        if (!statement.TryGetProperty(name, out var value))
        {
            errors.Add(($"{path}.{name}", "is required (a string or an array of strings)"));
            return default;
        }
        if (value.ValueKind == JsonValueKind.String)
            return [value.GetString()!];
        if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0 && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String))
            return [.. value.EnumerateArray().Select(v => v.GetString()!)];
        errors.Add(($"{path}.{name}", "must be a string or a non-empty array of strings"));
        return default;
    }
}

/// <summary>One policy statement.</summary>
/// <param name="Allow">Effect Allow (true) or Deny (false).</param>
/// <param name="AnyPrincipal">
/// The principal is <c>*</c> (or <c>{"AWS": "*"}</c>, or absent). A statement naming particular principals never
/// matches: a request seen on the wire carries no identity the edge could verify.
/// </param>
/// <param name="Actions">Action patterns (<c>s3:GetObject</c>, <c>s3:*</c>, <c>*</c>).</param>
/// <param name="Resources">Resource ARN patterns.</param>
public sealed record PolicyStatement(bool Allow, bool AnyPrincipal, ImmutableArray<string> Actions, ImmutableArray<string> Resources);
