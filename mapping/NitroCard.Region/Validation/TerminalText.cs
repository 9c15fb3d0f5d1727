using System.Globalization;
using System.Text;

namespace NitroCard.Region;

/// <summary>
/// Makes text that quotes user input safe to print: control characters (C0, DEL, C1) become visible
/// escapes (<c>\n</c>, <c>\t</c>, <c>\u001b</c>) so an id cannot move the cursor, recolour the terminal
/// or forge an extra line of output.
/// </summary>
public static class TerminalText
{
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.Any(char.IsControl))
            return text ?? "";
        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                _ when char.IsControl(c) => builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
        }
        return builder.ToString();
    }
}
