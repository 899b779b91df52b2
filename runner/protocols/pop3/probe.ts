// What a POP3 server advertises: CAPA tags (first word of each line), plus
// SASL=<mechanism> per SASL mechanism and APOP when the greeting has a
// timestamp — before TLS, after STLS, and after USER/PASS with the main user,
// since a server may change the list in each (Dovecot drops USER, STLS and
// SASL once authenticated). A server without CAPA advertises only APOP, if that.
// Standards: RFC 2449 §5 (CAPA, may change after STLS and authentication), §6.3 (SASL tag), RFC 2595 §4 (STLS), RFC 1939 §7 (APOP timestamp).

import type { ProbeFindings, ProbeOptions, StepContext } from "../common/driver.ts";
import { apopTimestamp } from "./greeting.ts";
import { requireStatus } from "./matchers/status.ts";
import { REDACTED } from "../../session/transcript.ts";
import { readBody, readStatus } from "./reader.ts";

/** `greeting`: the connection's greeting text, read by the session. */
export async function probePop3(ctx: StepContext, { upgrade, user }: ProbeOptions, greeting: string | undefined, found: ProbeFindings): Promise<void> {
  // The probe's commands but PASS carry no credentials: shown as sent.
  const sendCommand = (line: string): void => ctx.conn.sendCommand(line, line);
  const capa = async (): Promise<Set<string>> => {
    const advertised = new Set<string>();
    // APOP has no CAPA tag (RFC 2449 §6 lists none): a timestamp in the greeting is the offer (RFC 1939 §7).
    if (apopTimestamp(greeting) !== null) advertised.add("APOP");
    sendCommand("CAPA");
    const status = await readStatus(ctx.conn, ctx.deadline);
    if (status.status !== "+OK") return advertised;
    for (const line of (await readBody(ctx.conn, ctx.deadline)).lines!) {
      const [tag, ...params] = line.toString("utf8").trim().split(/\s+/).map((w) => w.toUpperCase());
      if (!tag) continue;
      advertised.add(tag);
      if (tag === "SASL") for (const mechanism of params) advertised.add(`SASL=${mechanism}`);
    }
    return advertised;
  };
  let current = (found.states["before-tls"] = await capa());
  if (upgrade === "endpoint" || (upgrade === "offered" && current.has("STLS"))) {
    sendCommand("STLS");
    requireStatus(await readStatus(ctx.conn, ctx.deadline), "+OK", "STLS");
    await ctx.conn.startTls(ctx.deadline);
    current = found.states["after-starttls"] = await capa();
  }
  if (user && current.has("USER")) {
    sendCommand(`USER ${user.login}`);
    if ((await readStatus(ctx.conn, ctx.deadline)).status === "+OK") {
      ctx.conn.sendCommand(`PASS ${user.password}`, `PASS ${REDACTED}`);
      if ((await readStatus(ctx.conn, ctx.deadline)).status === "+OK") found.states["after-login"] = await capa();
    }
  }
  // QUIT in the TRANSACTION state enters UPDATE; nothing was marked deleted, so nothing changes (RFC 1939 §6).
  sendCommand("QUIT");
}
