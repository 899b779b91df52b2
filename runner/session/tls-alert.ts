// A plaintext TLS alert record where a mail reply was expected: the server's
// TLS stack, handed bytes that were no ClientHello (garbage after a STARTTLS
// go-ahead, plaintext on an implicit-TLS port), says why it gives up and
// closes. That is the server closing, not a malformed reply.
// Standards: RFC 8446 §5.1 (TLSPlaintext: type, legacy_record_version, length), §6 (Alert); RFC 5246 §7.2.

/** ContentType alert(21) (RFC 8446 §5.1). */
export const TLS_ALERT_CONTENT_TYPE = 0x15;
/** Record header (5) + Alert { AlertLevel level; AlertDescription description; } (2). */
export const TLS_ALERT_RECORD_OCTETS = 7;

/** AlertDescription names (RFC 8446 §6, RFC 5246 §7.2). */
const DESCRIPTIONS: Record<number, string> = {
  0: "close_notify",
  10: "unexpected_message",
  20: "bad_record_mac",
  22: "record_overflow",
  40: "handshake_failure",
  42: "bad_certificate",
  47: "illegal_parameter",
  50: "decode_error",
  51: "decrypt_error",
  70: "protocol_version",
  71: "insufficient_security",
  80: "internal_error",
  86: "inappropriate_fallback",
  109: "missing_extension",
  112: "unrecognized_name",
  120: "no_application_protocol",
};

/**
 * The alert the first octets hold, as "fatal unexpected_message"; null when
 * they are no alert record; "partial" when they may be one not yet complete.
 * legacy_record_version is 0x03 0x0N; an alert's length is exactly 2.
 */
export function tlsAlertAt(head: Buffer): string | null | "partial" {
  const expected = [TLS_ALERT_CONTENT_TYPE, 0x03, -1, 0x00, 0x02];
  for (let i = 0; i < Math.min(head.length, expected.length); i++) {
    if (i === 2 ? head[i]! > 0x04 : head[i] !== expected[i]) return null;
  }
  if (head.length < TLS_ALERT_RECORD_OCTETS) return "partial";
  const level = head[5] === 2 ? "fatal" : head[5] === 1 ? "warning" : `level ${head[5]}`;
  return `${level} ${DESCRIPTIONS[head[6]!] ?? `alert ${head[6]}`}`;
}
