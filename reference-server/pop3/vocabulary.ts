// POP3's reply forms: "+OK text", "-ERR [CODE] text", and multiline bodies
// ended by a lone ".". Response codes say why a failure happened so clients
// can tell a wrong password from a locked maildrop from a broken disk.
// Standards: RFC 1939 §3, RFC 2449 §8 (RESP-CODES, [IN-USE]), RFC 3206 ([AUTH], [SYS/TEMP]), RFC 6856 §5 ([UTF8]).

import type { Command } from "../core/command-table.ts";
import { ClientError, Fatal, LimitExceeded, TempFailure, type MailError } from "../core/errors.ts";
import type { Vocabulary } from "../core/session.ts";
import { MAX_RESPONSE_LINE_OCTETS } from "./limits.ts";
import type { Pop3Session } from "./states.ts";

export function ok(s: Pop3Session, text: string): void {
  s.conn.write(line("+OK", text));
}

/** "+OK text", then the body lines (already safe: no line starts with "."), then ".". */
export function okList(s: Pop3Session, text: string, lines: readonly string[]): void {
  s.conn.write(line("+OK", text) + lines.map((l) => l + "\r\n").join("") + ".\r\n");
}

function line(status: "+OK" | "-ERR", text: string): string {
  const full = text === "" ? status : `${status} ${text.replace(/[\r\n]/g, " ")}`;
  return (full.length > MAX_RESPONSE_LINE_OCTETS ? full.slice(0, MAX_RESPONSE_LINE_OCTETS) : full) + "\r\n";
}

export const pop3Vocabulary: Vocabulary<Pop3Session> = {
  failure(_s, error: MailError, _command: Command | null): string {
    if (error instanceof TempFailure) return line("-ERR", `[SYS/TEMP] ${error.message}`);
    if (error instanceof Fatal) {
      return line("-ERR", error.reason === "internal" || error.reason === "shutdown" || error.reason === "too-many-connections" || error.reason === "overloaded" ? `[SYS/TEMP] ${error.message}` : error.message);
    }
    if (error instanceof LimitExceeded) return line("-ERR", error.message);
    const e = error as ClientError;
    if (e.reason === "auth-failed" || e.reason === "encryption-required") return line("-ERR", `[AUTH] ${e.message}`);
    if (e.reason === "in-use") return line("-ERR", `[IN-USE] ${e.message}`);
    if (e.reason === "utf8-required") return line("-ERR", `[UTF8] ${e.message}`);
    return line("-ERR", e.message);
  },
};
