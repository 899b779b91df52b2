// What a POP3 server advertises: CAPA tags (first word of each line), plus
// SASL=<mechanism> per SASL mechanism and APOP when the greeting has a
// timestamp; on a STLS endpoint the union of before and after the upgrade.
// A server without CAPA advertises only APOP, if that.
// Standards: RFC 2449 §5 (CAPA), §6.3 (SASL tag), RFC 2595 §4 (STLS), RFC 1939 §7 (APOP timestamp).

import type { ProbeOptions, StepContext } from "../common/driver.ts";
import { apopTimestamp } from "./greeting.ts";
import { requireStatus } from "./matchers/status.ts";
import { readBody, readStatus } from "./reader.ts";

/** `greeting`: the connection's greeting text, read by the session. */
export async function probePop3(ctx: StepContext, { starttls }: ProbeOptions, greeting: string | undefined): Promise<Set<string>> {
  const advertised = new Set<string>();
  // The probe's commands carry no credentials: shown as sent.
  const sendCommand = (line: string): void => ctx.conn.sendCommand(line, line);
  // APOP has no CAPA tag (RFC 2449 §6 lists none): a timestamp in the greeting is the offer (RFC 1939 §7).
  if (apopTimestamp(greeting) !== null) advertised.add("APOP");
  const capa = async (): Promise<void> => {
    sendCommand("CAPA");
    const status = await readStatus(ctx.conn, ctx.deadline);
    if (status.status !== "+OK") return;
    for (const line of (await readBody(ctx.conn, ctx.deadline)).lines!) {
      const [tag, ...params] = line.toString("utf8").trim().split(/\s+/).map((w) => w.toUpperCase());
      if (!tag) continue;
      advertised.add(tag);
      if (tag === "SASL") for (const mechanism of params) advertised.add(`SASL=${mechanism}`);
    }
  };
  await capa();
  if (starttls) {
    sendCommand("STLS");
    requireStatus(await readStatus(ctx.conn, ctx.deadline), "+OK", "STLS");
    await ctx.conn.startTls(ctx.deadline);
    await capa();
  }
  sendCommand("QUIT");
  return advertised;
}
