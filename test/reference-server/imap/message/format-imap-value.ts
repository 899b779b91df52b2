// A test-only writer for ImapValue, so expectations read like the wire: NIL,
// numbers, atoms, quoted strings for printable ASCII, {n} literals for the
// rest. The engine has its own writer; this one only makes tables legible.
// Standards: RFC 3501 §4.3 (string: quoted or literal), §9 (quoted-specials).

import type { ImapValue } from "../../../../reference-server/imap/value.ts";

export function formatImapValue(v: ImapValue): string {
  if (v === null) return "NIL";
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) return `(${v.map(formatImapValue).join(" ")})`;
  if ("adjacent" in v) return v.adjacent.map(formatImapValue).join("");
  if ("atom" in v) return v.atom;
  if ("binary" in v) return v.binary.includes(0) ? `~{${v.binary.length}}\r\n${v.binary.toString("latin1")}` : formatImapValue({ string: v.binary });
  const bytes = typeof v.string === "string" ? Buffer.from(v.string, "utf8") : v.string;
  const text = bytes.toString("latin1");
  if (/^[\x20-\x7e]*$/.test(text)) return `"${text.replace(/["\\]/g, (c) => "\\" + c)}"`;
  return `{${bytes.length}}\r\n${text}`;
}
