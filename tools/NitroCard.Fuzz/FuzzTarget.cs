namespace NitroCard.Fuzz;

/// <summary>What a parser made of one input.</summary>
public enum Outcome
{
    /// <summary>The parser took the input (it read a region, a message, a request...).</summary>
    Accepted,

    /// <summary>The parser refused the input the documented way: its own exception type or its status result.</summary>
    Rejected,
}

/// <summary>
/// One fuzz target: a parser the product runs on outside input, called the way the product calls it. <see cref="Body"/>
/// returns <see cref="Outcome.Rejected"/> for a status result that refuses the input and lets every exception out;
/// <see cref="IsDocumentedFailure"/> says which of them is the parser's documented refusal. Any other exception — a
/// NullReference, IndexOutOfRange, ArgumentOutOfRange, OutOfMemory — is a crash, and so is a hang (afl-fuzz's
/// timeout; <see cref="Run"/> in the replay).
/// </summary>
/// <param name="Name">The name on the command line and the corpus folder (<c>corpus/&lt;name&gt;</c>).</param>
/// <param name="Description">What is parsed, through which entry point.</param>
/// <param name="Body">Runs the parser on one input.</param>
/// <param name="IsDocumentedFailure">True for the exception the parser documents for bad input.</param>
/// <param name="Garbage">An input the parser must refuse the documented way (the tests check it does).</param>
public sealed record FuzzTarget(string Name, string Description, Func<byte[], Outcome> Body, Func<Exception, bool> IsDocumentedFailure, byte[] Garbage)
{
    /// <summary>The assemblies whose code the target exercises: the ones <c>sharpfuzz</c> instruments.</summary>
    public required IReadOnlyList<string> Instrument { get; init; }

    /// <summary>Runs <paramref name="input"/> through the parser: a documented refusal is an outcome, anything else propagates (a crash).</summary>
    public Outcome Run(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            return Body(input);
        }
        catch (Exception e) when (IsDocumentedFailure(e))
        {
            return Outcome.Rejected;
        }
    }
}
