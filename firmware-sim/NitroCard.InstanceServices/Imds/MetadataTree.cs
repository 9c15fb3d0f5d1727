using System.Globalization;
using NitroCard.InstanceServices.Identity;

namespace NitroCard.InstanceServices.Imds;

/// <summary>
/// The instance metadata category tree of one identity, built when a request is answered (so a pushed change shows at
/// once). A directory lists its entries one per line, sub-directories with a trailing slash, as EC2 does; keys that do
/// not apply (public-ipv4 without a public IP) are neither listed nor found.
/// </summary>
internal static class MetadataTree
{
    /// <summary>The text at <paramref name="path"/> (below <c>/latest/meta-data/</c>, no leading slash); null: 404.</summary>
    public static string? Lookup(InstanceIdentity id, string path)
    {
        var root = Build(id);
        var node = (object)root;
        var isDirectoryPath = path.Length == 0 || path.EndsWith('/');
        foreach (var part in path.Split('/', StringSplitOptions.None).Where(p => p.Length > 0))
        {
            if (node is not SortedDictionary<string, object> dir || !dir.TryGetValue(part, out var next))
                return null;
            node = next;
        }
        return node switch
        {
            SortedDictionary<string, object> dir => string.Join('\n', dir.Select(e => e.Value is string ? e.Key : e.Key + "/")),
            string leaf when !isDirectoryPath => leaf,
            _ => null,
        };
    }

    private static SortedDictionary<string, object> Build(InstanceIdentity id)
    {
        var mac = FormatMac(id.Mac);
        var groups = id.SecurityGroupNames.IsDefaultOrEmpty ? id.SecurityGroupIds : id.SecurityGroupNames;
        var iface = Dir(
            ("device-number", id.DeviceNumber.ToString(CultureInfo.InvariantCulture)),
            ("interface-id", id.EniId),
            ("local-hostname", id.PrivateDnsName),
            ("local-ipv4s", id.PrivateIp.ToString()),
            ("mac", mac),
            ("owner-id", id.AccountId),
            ("security-group-ids", string.Join('\n', id.SecurityGroupIds)),
            ("security-groups", string.Join('\n', groups)),
            ("subnet-id", id.SubnetId),
            ("subnet-ipv4-cidr-block", id.SubnetCidr.ToString()),
            ("vpc-id", id.VpcId),
            ("vpc-ipv4-cidr-block", id.VpcCidr.ToString()),
            ("vpc-ipv4-cidr-blocks", id.VpcCidr.ToString()));
        var root = Dir(
            ("hostname", id.PrivateDnsName),
            ("instance-id", id.InstanceId),
            ("local-hostname", id.PrivateDnsName),
            ("local-ipv4", id.PrivateIp.ToString()),
            ("mac", mac),
            ("security-groups", string.Join('\n', groups)));
        root["placement"] = Dir(("availability-zone", id.AvailabilityZone), ("region", id.Region));
        if (id.PublicIp is { } publicIp)
        {
            root["public-ipv4"] = publicIp.ToString();
            iface["public-ipv4s"] = publicIp.ToString();
            iface["ipv4-associations"] = Dir((publicIp.ToString(), id.PrivateIp.ToString()));
        }
        if (id.PublicDnsName is { } publicName)
        {
            root["public-hostname"] = publicName;
            iface["public-hostname"] = publicName;
        }
        root["network"] = Dir(("interfaces", Dir(("macs", Dir((mac, iface))))));
        return root;
    }

    private static SortedDictionary<string, object> Dir(params (string Key, object Value)[] entries)
    {
        var dir = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var (key, value) in entries)
            dir[key] = value;
        return dir;
    }

    /// <summary>A MAC as IMDS writes it: lowercase, colon-separated.</summary>
    public static string FormatMac(ulong mac)
        => string.Join(':', Enumerable.Range(0, 6).Select(i => ((byte)(mac >> (8 * (5 - i)))).ToString("x2", CultureInfo.InvariantCulture)));
}
