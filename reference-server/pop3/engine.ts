// The POP3 engine for the shared session driver: greeting with the APOP
// timestamp, the table, the vocabulary, the autologout timer, and the lock
// release when a session ends without QUIT (nothing is deleted then).
// Standards: RFC 1939 §3 (greeting, autologout ≥ 10 min), §7 (APOP timestamp), §8.

import { randomBytes } from "node:crypto";
import type { ServerConfig } from "../config/types.ts";
import { splitCommandLine, type Engine } from "../core/session.ts";
import { MAX_COMMAND_LINE_OCTETS } from "./limits.ts";
import type { Pop3Session } from "./states.ts";
import { pop3Commands } from "./table.ts";
import { ok, pop3Vocabulary } from "./vocabulary.ts";

export function pop3Engine(config: ServerConfig): Engine<Pop3Session> {
  return {
    protocol: "pop3",
    table: pop3Commands,
    vocabulary: pop3Vocabulary,
    maxCommandLineOctets: MAX_COMMAND_LINE_OCTETS,
    commandTimeoutMs: config.pop3.idleTimeoutMs,
    maxBadCommands: config.pop3.maxBadCommands,
    open: (conn, context) => ({
      conn,
      context,
      state: "authorization",
      // msg-id form, unique per connection (RFC 1939 §7).
      timestamp: `<${process.pid}.${randomBytes(6).toString("hex")}.${Date.now()}@${config.hostname}>`,
      pendingUser: null,
      user: null,
      lock: null,
      maildrop: null,
      utf8: false,
    }),
    greet(s) {
      ok(s, `${config.hostname} POP3 mailconform ready ${s.timestamp}`);
    },
    parse: (line) => splitCommandLine(line),
    state: (s) => s.state,
    tlsRequired: () => config.pop3.requireTls,
    end(s) {
      s.lock?.release();
      s.lock = null;
    },
  };
}
