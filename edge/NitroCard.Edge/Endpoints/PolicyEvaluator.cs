using NitroCard.Region;

namespace NitroCard.Edge.Endpoints;

/// <summary>
/// Evaluates an endpoint policy the IAM way: an explicit Deny that matches wins; else an Allow that matches
/// allows; else the request is implicitly denied. A statement matches when its principal is <c>*</c>, one of its
/// actions matches and one of its resources matches. An unknown action (TLS) is matched only by patterns that
/// cover every action of the service (<c>*</c>, <c>s3:*</c>) — except in Deny statements, where any pattern of the
/// service matches (an unreadable request is not let through a deny). An unknown resource is matched only by
/// <c>*</c>, likewise widened for Deny.
/// </summary>
public static class PolicyEvaluator
{
    /// <summary>True when the policy allows the request.</summary>
    public static bool IsAllowed(EndpointPolicy policy, string service, ServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(request);
        var allowed = false;
        foreach (var s in policy.Statements)
        {
            if (!s.AnyPrincipal)
                continue;
            var deny = !s.Allow;
            if (!s.Actions.Any(a => ActionMatches(a, service, request.Action, deny)))
                continue;
            if (!s.Resources.Any(r => ResourceMatches(r, request.Resource, deny)))
                continue;
            if (deny)
                return false;
            allowed = true;
        }
        return allowed;
    }

    private static bool ActionMatches(string pattern, string service, string? action, bool deny)
    {
        if (action is not null)
            return Glob(pattern, action, ignoreCase: true);
        if (pattern == "*" || pattern.Equals(service + ":*", StringComparison.OrdinalIgnoreCase))
            return true;
        return deny && pattern.StartsWith(service + ":", StringComparison.OrdinalIgnoreCase);
    }

    private static bool ResourceMatches(string pattern, string?[]? resource, bool deny)
    {
        if (pattern == "*")
            return true;
        if (resource is null)
            return deny;
        var parts = pattern.Split(':', 6);
        if (parts.Length != 6)
            return false;
        for (var i = 0; i < 6; i++)
        {
            if (resource[i] is { } known && !Glob(parts[i], known, ignoreCase: false))
                return false;
        }
        return true;
    }

    /// <summary>IAM wildcard match: <c>*</c> any run of characters, <c>?</c> any one character.</summary>
    public static bool Glob(string pattern, string text, bool ignoreCase)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(text);
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || Same(pattern[p], text[t], ignoreCase)))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
            p++;
        return p == pattern.Length;
    }

    private static bool Same(char a, char b, bool ignoreCase)
        => a == b || (ignoreCase && char.ToLowerInvariant(a) == char.ToLowerInvariant(b));
}
