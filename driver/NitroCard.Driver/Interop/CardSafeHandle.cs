using System.Runtime.InteropServices;

namespace NitroCard.Driver;

/// <summary>
/// Owns one native <c>nc_card</c>. Releasing it calls <c>nc_destroy</c>, which the C ABI allows
/// from any thread (so the finalizer may do it), never while another call on the card runs:
/// the marshaller's reference counting guarantees that.
/// </summary>
internal sealed class CardSafeHandle : SafeHandle
{
    /// <summary>Creates an invalid handle; the marshaller fills it from <c>nc_create</c>.</summary>
    public CardSafeHandle()
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        Interop.NcDestroy(handle);
        return true;
    }
}
