// CAPA: the capabilities usable now. USER and plaintext SASL mechanisms only
// where policy lets a password cross this channel; STLS only before TLS.
// Standards: RFC 2449 §5-6, RFC 2595 §4 (STLS), RFC 5034 §3 (SASL), RFC 3206 §6 (AUTH-RESP-CODE),
// RFC 6856 §2 (UTF8, with USER: UTF-8 user names and passwords), §3 (LANG); both announced in both states.

import type { CommandRow } from "../../core/command-table.ts";
import { plaintextAuthAllowed, usableMechanisms } from "../../auth/mechanisms.ts";
import type { Pop3Session, Pop3State } from "../states.ts";
import { okList } from "../vocabulary.ts";

export const capa: CommandRow<Pop3Session, Pop3State> = {
  verb: "CAPA",
  states: ["authorization", "transaction"],
  flags: { preTls: true },
  handle(s) {
    const { config, users } = s.context;
    const list = ["TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "UTF8 USER", "LANG"];
    if (s.state === "authorization") {
      if (plaintextAuthAllowed(s.conn, config)) list.push("USER");
      const mechanisms = usableMechanisms(s.conn, config, users).map((m) => m.name);
      if (mechanisms.length > 0) list.push(`SASL ${mechanisms.join(" ")}`);
      if (!s.conn.tls) list.push("STLS");
    }
    list.push("IMPLEMENTATION mailconform");
    okList(s, "capability list follows", list);
  },
};
