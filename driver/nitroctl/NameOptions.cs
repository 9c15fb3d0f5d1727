using System.CommandLine;
using NitroCard.Region;

namespace NitroCard.Cli;

/// <summary>Command-line options that carry an id or a name (a host): checked against <see cref="ResourceName"/> when parsed.</summary>
internal static class NameOptions
{
    /// <summary>Adds the safe-set check to <paramref name="option"/> (a parse error naming the option) and returns it.</summary>
    public static Option<string> MustBeResourceName(this Option<string> option)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } value && ResourceName.Problem(value) is { } problem)
                result.AddError($"{option.Name}: {problem}");
        });
        return option;
    }
}
