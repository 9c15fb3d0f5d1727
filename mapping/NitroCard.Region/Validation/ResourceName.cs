using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace NitroCard.Region;

/// <summary>
/// The one rule every id and name follows (VPCs, subnets, route tables, ACLs, security groups, ENIs, hosts, edges,
/// VPN and Direct Connect connections, endpoints): lowercase letters, digits and hyphens, starting with a letter, at
/// most <see cref="MaxLength"/> characters. Ids become namespace names, file names and state-file entries, so a
/// character outside this set is refused where the id enters (region file, API, command line).
/// </summary>
public static class ResourceName
{
    public const int MaxLength = 64;

    /// <summary>The rule as a user reads it in an error.</summary>
    public const string Rule = "lowercase letters, digits and hyphens, starting with a letter, at most 64 characters";

    /// <summary>The longest piece of a rejected name an error shows.</summary>
    private const int MaxShown = 80;

    public static bool IsValid([NotNullWhen(true)] string? name) => name is { Length: > 0 } && Problem(name) is null;

    /// <summary>Why <paramref name="name"/> breaks the rule (quoted, control characters escaped); null when it follows it.</summary>
    public static string? Problem(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? why = null;
        if (name.Length == 0)
            why = "it is empty";
        else if (name.Length > MaxLength)
            why = string.Create(CultureInfo.InvariantCulture, $"it has {name.Length} characters");
        else if (!char.IsAsciiLetterLower(name[0]))
            why = $"it starts with {Describe(name[0])}";
        else
        {
            for (var i = 1; i < name.Length && why is null; i++)
            {
                if (!(char.IsAsciiLetterLower(name[i]) || char.IsAsciiDigit(name[i]) || name[i] == '-'))
                    why = string.Create(CultureInfo.InvariantCulture, $"it has {Describe(name[i])} at position {i + 1}");
            }
        }
        return why is null ? null : $"{Quote(name)} is not a valid id ({why}): ids and names are {Rule}";
    }

    /// <summary>
    /// <paramref name="text"/> in single quotes for an error message: control and non-ASCII characters escaped
    /// (<c>\n</c>, <c>\u001b</c>), never printed raw to a terminal, and cut after 80 characters.
    /// </summary>
    public static string Quote(string? text)
    {
        text ??= "";
        var shown = new StringBuilder("'");
        foreach (var c in text.Length > MaxShown ? text[..MaxShown] : text)
            shown.Append(Escape(c));
        if (text.Length > MaxShown)
            shown.Append('…');
        return shown.Append('\'').ToString();
    }

    /// <summary>A name for an error message: as it is when it follows the rule, else <see cref="Quote"/>d.</summary>
    public static string Show(string? text) => IsValid(text) ? text : Quote(text);

    private static string Describe(char c) => char.IsAsciiLetterUpper(c) ? $"the uppercase letter '{c}'" : $"'{Escape(c)}'";

    private static string Escape(char c) => c switch
    {
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\\' => "\\\\",
        '\'' => "\\'",
        _ when c < ' ' || c > '~' => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
        _ => c.ToString(),
    };
}
