#!/usr/bin/python3
"""ESP (tunnel mode) from scapy, the independent implementation the edge is checked against.

encrypt <spi> <key> <outer src> <outer dst> <inner src> <inner dst> <count> <out.pcap> [<auth algo> <auth key>]
    writes <count> Ethernet/IPv4/ESP frames carrying ICMP echo requests (id 0x5ca9, seq 1..count)
decrypt <spi> <key> <in.pcap> [<auth algo> <auth key>]
    decrypts every ESP frame and prints "src dst proto icmp-id" of each inner packet

Without an auth algorithm the key is AES-GCM's key+salt (RFC 4106); with one (SHA2-256-128, SHA2-384-192,
SHA2-512-256: RFC 4868) it is an AES-CBC key (RFC 3602) and the ICV is checked.
"""
import sys
from scapy.all import Ether, IP, ICMP, Raw, wrpcap, rdpcap
from scapy.layers.ipsec import SecurityAssociation, ESP


def sa(spi, key, auth, tunnel=None):
    if auth:
        algo, auth_key = auth
        return SecurityAssociation(ESP, spi=spi, crypt_algo='AES-CBC', crypt_key=bytes.fromhex(key),
                                   auth_algo=algo, auth_key=bytes.fromhex(auth_key), tunnel_header=tunnel)
    return SecurityAssociation(ESP, spi=spi, crypt_algo='AES-GCM', crypt_key=bytes.fromhex(key), tunnel_header=tunnel)


def main(argv):
    if argv[1] == 'encrypt':
        spi, key, osrc, odst, isrc, idst, count, out = argv[2:10]
        s = sa(int(spi), key, argv[10:12], IP(src=osrc, dst=odst))
        frames = []
        for seq in range(1, int(count) + 1):
            inner = IP(src=isrc, dst=idst) / ICMP(id=0x5ca9, seq=seq) / Raw(b'from scapy')
            frames.append(Ether(src='02:00:00:00:00:99', dst='02:42:46:45:44:47') / s.encrypt(inner, seq_num=seq))
        wrpcap(out, frames)
    elif argv[1] == 'decrypt':
        spi, key, path = argv[2:5]
        s = sa(int(spi), key, argv[5:7])
        for frame in rdpcap(path):
            inner = s.decrypt(frame[IP])
            if inner[IP].proto == 4:  # tunnel mode: decrypt() keeps the outer header, the inner packet follows it
                inner = inner[IP].payload
            print(inner[IP].src, inner[IP].dst, inner[IP].proto, inner[ICMP].id if ICMP in inner else -1)
    else:
        raise SystemExit('usage: see the docstring')


if __name__ == '__main__':
    main(sys.argv)
