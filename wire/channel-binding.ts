// TLS channel-binding data for SCRAM's -PLUS mechanisms, computed the same
// way by the runner (client side) and the reference server (server side):
// tls-exporter under TLS 1.3, where tls-unique is undefined, and tls-unique
// under TLS 1.2 and earlier. tls-exporter is not offered on TLS 1.2, where it
// is safe only with the extended master secret, which node:tls does not report.
// Standards: RFC 5929 §3 (tls-unique), RFC 9266 §2, §3 (tls-exporter, TLS 1.3), RFC 5802 §6.

import type { TLSSocket } from "node:tls";

export type ChannelBindingType = "tls-unique" | "tls-exporter";

/** Channel-binding data and the cb-name that names it in the gs2 header. */
export interface ChannelBinding {
  type: ChannelBindingType;
  data: Buffer;
}

/** RFC 9266 §2: 32 octets, this label, an empty context. */
const EXPORTER_LABEL = "EXPORTER-Channel-Binding";
const EXPORTER_OCTETS = 32;

/** The one type this session binds with, or null before the handshake completed. */
export function sessionBindingType(socket: TLSSocket): ChannelBindingType | null {
  const version = socket.getProtocol();
  if (version === "TLSv1.3") return "tls-exporter";
  return version === "TLSv1.2" || version === "TLSv1.1" || version === "TLSv1" ? "tls-unique" : null;
}

/**
 * The binding data of `type` on this session, or null where the session does
 * not define it (tls-unique under TLS 1.3, tls-exporter before it).
 */
export function channelBindingData(socket: TLSSocket, type: string, side: "client" | "server"): Buffer | null {
  if (sessionBindingType(socket) !== type) return null;
  if (type === "tls-exporter") return socket.exportKeyingMaterial(EXPORTER_OCTETS, EXPORTER_LABEL, Buffer.alloc(0));
  // tls-unique: the first Finished message of the latest handshake — the client's in a full
  // handshake, the server's in an abbreviated one that resumes a session (RFC 5929 §3.1).
  const ownFinishedFirst = (side === "client") !== socket.isSessionReused();
  return (ownFinishedFirst ? socket.getFinished() : socket.getPeerFinished()) ?? null;
}

/** The binding a client uses on this session: the session's type and its data. */
export function clientChannelBinding(socket: TLSSocket): ChannelBinding | null {
  const type = sessionBindingType(socket);
  const data = type === null ? null : channelBindingData(socket, type, "client");
  return type === null || data === null ? null : { type, data };
}
