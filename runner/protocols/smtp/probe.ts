// What an SMTP server advertises: EHLO keywords (first word of each line
// after the first), plus AUTH=<mechanism> per SASL mechanism; on a STARTTLS
// endpoint the union of the keywords before and after the upgrade.
// Standards: RFC 5321 §4.1.1.1 (EHLO response), RFC 4954 §3 (AUTH keyword), RFC 3207 §4.2 (re-EHLO after TLS).

import type { ProbeOptions, StepContext } from "../common/driver.ts";
import { requireCode } from "./expect.ts";
import { readSmtpReply } from "./reader.ts";

/** An EHLO argument every server accepts: our own address literal (RFC 5321 §4.1.3); the driver's STARTTLS upgrade sends it too. */
export function ehloArgument(address: string): string {
  const plain = address.replace(/^::ffff:/, "");
  return plain.includes(":") ? `[IPv6:${plain}]` : `[${plain}]`;
}

function collect(lines: string[], into: Set<string>): void {
  for (const line of lines) {
    const [keyword, ...params] = line.trim().split(/\s+/).map((w) => w.toUpperCase());
    if (!keyword) continue;
    // "AUTH=PLAIN LOGIN" is the pre-standard form some servers still send next to "AUTH PLAIN LOGIN".
    const auth = keyword === "AUTH" || keyword.startsWith("AUTH=");
    into.add(auth ? "AUTH" : keyword);
    if (auth) {
      const mechanisms = keyword.startsWith("AUTH=") ? [keyword.slice(5), ...params] : params;
      for (const mechanism of mechanisms) if (mechanism) into.add(`AUTH=${mechanism}`);
    }
  }
}

export async function probeSmtp(ctx: StepContext, { starttls }: ProbeOptions): Promise<Set<string>> {
  const advertised = new Set<string>();
  // The probe's commands carry no credentials: shown as sent.
  const sendCommand = (line: string): void => ctx.conn.sendCommand(line, line);
  const ehlo = async (): Promise<void> => {
    sendCommand(`EHLO ${ehloArgument(ctx.conn.localAddress)}`);
    const reply = await readSmtpReply(ctx.conn, ctx.deadline);
    requireCode(reply, ["250"], "EHLO");
    collect(reply.lines.slice(1), advertised);
  };
  await ehlo();
  if (starttls) {
    sendCommand("STARTTLS");
    requireCode(await readSmtpReply(ctx.conn, ctx.deadline), ["220"], "STARTTLS");
    await ctx.conn.startTls(ctx.deadline);
    await ehlo();
  }
  sendCommand("QUIT");
  return advertised;
}
