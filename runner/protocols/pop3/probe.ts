// What a POP3 server advertises: CAPA tags (first word of each line), plus
// SASL=<mechanism> per SASL mechanism; on a STLS endpoint the union of
// before and after the upgrade. A server without CAPA advertises nothing.
// Standards: RFC 2449 §5 (CAPA), §6.3 (SASL tag), RFC 2595 §4 (STLS).

import type { CapabilityProbe } from "../driver.ts";
import { sendCommand } from "./driver.ts";
import { requireStatus } from "./matchers/status.ts";
import { readBody, readStatus } from "./reader.ts";

export const probePop3: CapabilityProbe = async (ctx, { starttls }) => {
  const advertised = new Set<string>();
  const capa = async (): Promise<void> => {
    sendCommand(ctx, "CAPA");
    const status = await readStatus(ctx.conn, ctx.deadline);
    if (status.status !== "+OK") return;
    for (const line of await readBody(ctx.conn, ctx.deadline)) {
      const [tag, ...params] = line.toString("utf8").trim().split(/\s+/).map((w) => w.toUpperCase());
      if (!tag) continue;
      advertised.add(tag);
      if (tag === "SASL") for (const mechanism of params) advertised.add(`SASL=${mechanism}`);
    }
  };
  await capa();
  if (starttls) {
    sendCommand(ctx, "STLS");
    requireStatus(await readStatus(ctx.conn, ctx.deadline), "+OK", "STLS");
    await ctx.conn.startTls(ctx.deadline);
    await capa();
  }
  sendCommand(ctx, "QUIT");
  return advertised;
};
