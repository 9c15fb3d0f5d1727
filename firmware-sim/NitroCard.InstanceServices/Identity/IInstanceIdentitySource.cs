namespace NitroCard.InstanceServices.Identity;

/// <summary>Where an ENI's services read its identity at request time.</summary>
public interface IInstanceIdentitySource
{
    /// <summary>The identity now; null when the ENI is not (or no longer) on this card.</summary>
    InstanceIdentity? Current { get; }
}

/// <summary>An identity the firmware replaces when the Mapping Service pushes (a public IP associated, options changed).</summary>
public sealed class InstanceIdentitySource(InstanceIdentity? initial = null) : IInstanceIdentitySource
{
    private volatile InstanceIdentity? current = initial;

    /// <inheritdoc />
    public InstanceIdentity? Current => current;

    /// <summary>Replaces the identity; the next request sees it.</summary>
    public void Update(InstanceIdentity? identity) => current = identity;
}
