#!/usr/bin/env python3
"""Writes N malformed frames to a network device as fast as it takes them (an instance's hostile flood).

Run inside an instance's namespace:  ip netns exec eni-x python3 tools/flood/malformed_flood.py --count 100000 --seed 1
Every frame is one the card must drop and count (docs/card-semantics.md): frames that end after the Ethernet
header (a shorter one the kernel refuses to send), IPv4 headers with a bad
version, IHL, total length or checksum, a source address that is not the instance's, and random bytes. Prints one
line: "sent N frames in S s" (N counts every frame the kernel accepted; a full device queue is retried).
"""
import argparse
import errno
import random
import socket
import struct
import time


def checksum(header: bytes) -> int:
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4(src: bytes, dst: bytes, payload: bytes, version_ihl=0x45, total=None, good_checksum=True) -> bytes:
    length = 20 + len(payload) if total is None else total
    header = struct.pack("!BBHHHBBH4s4s", version_ihl, 0, length, 0, 0, 64, 17, 0, src, dst)
    if good_checksum:
        header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    else:
        header = header[:10] + b"\xde\xad" + header[12:]
    return header + payload


def frames(rng: random.Random, mac: bytes, ip: bytes, peer: bytes):
    ethernet = b"\xff\xff\xff\xff\xff\xff" + mac + b"\x08\x00"
    udp = struct.pack("!HHHH", 40000, 9, 8 + 18, 0) + bytes(18)
    kinds = [
        lambda: ethernet,                                                          # an IPv4 ethertype and nothing after it
        lambda: ethernet + ipv4(ip, peer, udp)[:rng.randrange(1, 20)],              # truncated IPv4 header
        lambda: ethernet + ipv4(ip, peer, udp, version_ihl=0x65),                   # version 6 in an IPv4 ethertype
        lambda: ethernet + ipv4(ip, peer, udp, version_ihl=0x43),                   # IHL 3
        lambda: ethernet + ipv4(ip, peer, udp, total=1400),                         # total length past the frame
        lambda: ethernet + ipv4(ip, peer, udp, good_checksum=False),                # bad header checksum
        lambda: ethernet + ipv4(bytes([203, 0, 113, rng.randrange(1, 255)]), peer, udp),  # spoofed source
        lambda: bytes(rng.getrandbits(8) for _ in range(rng.randrange(14, 200))),  # random bytes
    ]
    while True:
        yield rng.choice(kinds)()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="eth0")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--peer", default="10.0.1.20", help="destination address of the IPv4 frames")
    args = parser.parse_args()
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((args.device, 0))
    mac = sock.getsockname()[4][:6]
    ip = socket.inet_aton(local_ipv4(args.device))
    rng = random.Random(args.seed)
    generator = frames(rng, mac, ip, socket.inet_aton(args.peer))
    start = time.monotonic()
    sent = 0
    frame = next(generator)
    while sent < args.count:
        try:
            sock.send(frame)
        except OSError as e:
            if e.errno in (errno.ENOBUFS, errno.EAGAIN):
                continue
            raise
        sent += 1
        frame = next(generator)
    print(f"sent {sent} frames in {time.monotonic() - start:.2f} s")


def local_ipv4(device: str) -> str:
    import fcntl
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    SIOCGIFADDR = 0x8915
    answer = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, struct.pack("256s", device.encode()[:15]))
    return socket.inet_ntoa(answer[20:24])


if __name__ == "__main__":
    main()
