// Several command lines in one TCP write, for the STARTTLS command injection
// check: the upgrade command and the line riding behind it reach the server
// in the same segment, as an attacker on the path would splice them.
// Standards: RFC 3207 §4.2, RFC 2595 §3.1, RFC 3501 §6.2.1.

import type { StepContext } from "./driver.ts";

/** `lines` go out CRLF-terminated in one write; `shown` is each line as the transcript shows it (secrets redacted). */
export function sendInOneWrite(ctx: StepContext, lines: readonly string[], shown: readonly string[]): void {
  ctx.conn.sendCommandBytes(Buffer.from(lines.map((l) => `${l}\r\n`).join("")), `${shown.join(" + ")} (one write)`, shown);
}
