// The bytes of a pcapng capture file: one section, one raw-IPv4 interface,
// and Enhanced Packet Blocks of synthetic IPv4+TCP segments (checksums
// computed) with an optional comment each. Knows nothing of mail: the pcap
// reporter decides what the segments carry.
// Standards: pcapng (draft-ietf-opsawg-pcapng), RFC 791 (IPv4), RFC 9293 (TCP), RFC 1071 (checksum).

/** LINKTYPE_RAW: each packet starts with its IP header; Wireshark and tshark decode it with no link layer. */
const LINKTYPE_RAW = 101;
const SNAPLEN = 0x40000;
const TCP_PROTOCOL = 6;

export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, PSH: 0x08, ACK: 0x10 } as const;

export interface TcpSegment {
  /** Microseconds since the Unix epoch (the interface's default resolution). */
  timeUs: number;
  src: readonly [number, number, number, number];
  dst: readonly [number, number, number, number];
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  payload: Uint8Array;
  /** opt_comment of the packet: shown by Wireshark and by `tshark -T fields -e frame.comment`. */
  comment?: string;
}

/** A capture file: the section header, the interface, then one block per segment. */
export function pcapngFile(segments: readonly TcpSegment[]): Buffer {
  return Buffer.concat([sectionHeader(), interfaceDescription(), ...segments.map(enhancedPacket)]);
}

/** A block: type, total length, body padded to 32 bits, total length again (all little-endian). */
function block(type: number, body: Buffer): Buffer {
  const padded = pad4(body);
  const out = Buffer.alloc(12 + padded.length);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(out.length, 4);
  padded.copy(out, 8);
  out.writeUInt32LE(out.length, out.length - 4);
  return out;
}

function pad4(b: Buffer): Buffer {
  const rest = b.length % 4;
  return rest === 0 ? b : Buffer.concat([b, Buffer.alloc(4 - rest)]);
}

/** Options: code, length, value padded; then opt_endofopt. None at all when there are none. */
function options(list: readonly { code: number; value: Buffer }[]): Buffer {
  if (list.length === 0) return Buffer.alloc(0);
  const parts = list.map(({ code, value }) => {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(code, 0);
    head.writeUInt16LE(value.length, 2);
    return Buffer.concat([head, pad4(value)]);
  });
  return Buffer.concat([...parts, Buffer.alloc(4)]);
}

function sectionHeader(): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt32LE(0x1a2b3c4d, 0);
  body.writeUInt16LE(1, 4);
  body.writeUInt16LE(0, 6);
  // Section length unknown (-1): readers walk the blocks.
  body.writeBigInt64LE(-1n, 8);
  return block(0x0a0d0d0a, Buffer.concat([body, options([{ code: 4, value: Buffer.from("mailconform") }])]));
}

function interfaceDescription(): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt16LE(LINKTYPE_RAW, 0);
  body.writeUInt32LE(SNAPLEN, 4);
  return block(1, Buffer.concat([body, options([{ code: 2, value: Buffer.from("mailconform transcript") }])]));
}

function enhancedPacket(s: TcpSegment): Buffer {
  const packet = ipv4Tcp(s);
  const head = Buffer.alloc(20);
  const ts = BigInt(Math.max(0, Math.round(s.timeUs)));
  head.writeUInt32LE(0, 0);
  head.writeUInt32LE(Number(ts >> 32n), 4);
  head.writeUInt32LE(Number(ts & 0xffffffffn), 8);
  head.writeUInt32LE(packet.length, 12);
  head.writeUInt32LE(packet.length, 16);
  const opts = s.comment ? options([{ code: 1, value: Buffer.from(s.comment, "utf8") }]) : Buffer.alloc(0);
  return block(6, Buffer.concat([head, pad4(packet), opts]));
}

/** An IPv4 header (DF, TTL 64) and a TCP header of 20 octets each, both checksums filled in, then the payload. */
function ipv4Tcp(s: TcpSegment): Buffer {
  const tcpLength = 20 + s.payload.length;
  if (20 + tcpLength > 0xffff) throw new Error(`a TCP segment of ${s.payload.length} octets does not fit an IPv4 packet`);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + tcpLength, 2);
  ip.writeUInt16BE(0x4000, 6);
  ip[8] = 64;
  ip[9] = TCP_PROTOCOL;
  ip.set(s.src, 12);
  ip.set(s.dst, 16);
  ip.writeUInt16BE(checksum([ip]), 10);

  const tcp = Buffer.alloc(tcpLength);
  tcp.writeUInt16BE(s.srcPort, 0);
  tcp.writeUInt16BE(s.dstPort, 2);
  tcp.writeUInt32BE(s.seq >>> 0, 4);
  tcp.writeUInt32BE(s.ack >>> 0, 8);
  tcp[12] = 5 << 4;
  tcp[13] = s.flags;
  tcp.writeUInt16BE(0xffff, 14);
  tcp.set(s.payload, 20);
  const pseudo = Buffer.alloc(12);
  pseudo.set(s.src, 0);
  pseudo.set(s.dst, 4);
  pseudo[9] = TCP_PROTOCOL;
  pseudo.writeUInt16BE(tcpLength, 10);
  tcp.writeUInt16BE(checksum([pseudo, tcp]), 16);
  return Buffer.concat([ip, tcp]);
}

/** The Internet checksum: one's complement of the one's-complement sum of 16-bit words (an odd last octet padded). */
function checksum(parts: readonly Buffer[]): number {
  let sum = 0;
  for (const part of parts) {
    for (let i = 0; i + 1 < part.length; i += 2) sum += part.readUInt16BE(i);
    if (part.length % 2 === 1) sum += part[part.length - 1]! << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
