namespace NitroCard.Card.Filtering;

/// <summary>An ENI's connection tracking idle timeouts, in seconds (the eniConntrack table; AWS's ranges).</summary>
/// <param name="TcpEstablished">An open TCP flow: 60..432000, default 432000 (5 days).</param>
/// <param name="UdpStream">A UDP flow seen in both directions: 60..180, default 180.</param>
/// <param name="Udp">A UDP flow seen one way: 30..60, default 30.</param>
public sealed record ConntrackTimeouts(uint TcpEstablished = 432_000, uint UdpStream = 180, uint Udp = 30)
{
    public const uint MinTcpEstablished = 60;
    public const uint MaxTcpEstablished = 432_000;
    public const uint MinUdpStream = 60;
    public const uint MaxUdpStream = 180;
    public const uint MinUdp = 30;
    public const uint MaxUdp = 60;

    /// <summary>AWS's defaults.</summary>
    public static ConntrackTimeouts Default { get; } = new();

    /// <summary>Every problem with the values, empty when they are in AWS's ranges.</summary>
    public IEnumerable<string> Problems()
    {
        if (TcpEstablished is < MinTcpEstablished or > MaxTcpEstablished)
            yield return $"tcpEstablishedTimeout {TcpEstablished} is not {MinTcpEstablished}..{MaxTcpEstablished} seconds";
        if (UdpStream is < MinUdpStream or > MaxUdpStream)
            yield return $"udpStreamTimeout {UdpStream} is not {MinUdpStream}..{MaxUdpStream} seconds";
        if (Udp is < MinUdp or > MaxUdp)
            yield return $"udpTimeout {Udp} is not {MinUdp}..{MaxUdp} seconds";
    }

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of AWS's range.</summary>
    public void Validate(string what)
    {
        var problems = Problems().ToList();
        if (problems.Count > 0)
            throw new ArgumentException($"{what}: {string.Join("; ", problems)}");
    }
}
