using System.Text;
using NitroCard.Card;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>
    /// The one place where a native status becomes a <see cref="NitroCardException"/>: returns
    /// <paramref name="status"/> when it is not negative, otherwise throws with the card's last
    /// error message (or this thread's, when there is no card yet).
    /// </summary>
    internal static int ThrowOnError(int status, CardSafeHandle? card, string operation)
    {
        if (status >= 0)
        {
            return status;
        }

        var detail = status == Status.Thread
            ? "a Verilated card must be used from the thread that created it"
            : LastError(card);
        throw new NitroCardException($"{operation} failed ({Status.Name(status)}): {detail}", status);
    }

    private static unsafe string LastError(CardSafeHandle? card)
    {
        var added = false;
        try
        {
            nint raw = 0;
            if (card is { IsInvalid: false, IsClosed: false })
            {
                card.DangerousAddRef(ref added);
                raw = card.DangerousGetHandle();
            }

            Span<byte> buffer = stackalloc byte[512];
            int length;
            fixed (byte* p = buffer)
            {
                length = NcLastError(raw, p, (uint)buffer.Length);
            }

            length = Math.Clamp(length, 0, buffer.Length - 1);
            return length == 0 ? "no detail from the native library" : Encoding.UTF8.GetString(buffer[..length]);
        }
        finally
        {
            if (added)
            {
                card!.DangerousRelease();
            }
        }
    }
}
