// What an SMTP server advertises: EHLO keywords (first word of each line
// after the first), plus AUTH=<mechanism> per SASL mechanism, before TLS and
// again after STARTTLS, where a server may offer AUTH only then (Postfix's
// submission service). SMTP has no after-login list: a client does not
// repeat EHLO after AUTH, so that state falls back to the one before it.
// Standards: RFC 5321 §4.1.1.1 (EHLO response), RFC 4954 §3 (AUTH keyword), RFC 3207 §4.2 (re-EHLO after TLS).
import type { ProbeFindings, ProbeOptions, StepContext } from "../common/driver.ts";
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

/** `hello`: LHLO on an LMTP connection, whose reply lists the same keywords (RFC 2033 §4.1). */
export async function probeSmtp(ctx: StepContext, { upgrade }: ProbeOptions, found: ProbeFindings, hello: "EHLO" | "LHLO" = "EHLO"): Promise<void> {
  // The probe's commands carry no credentials: shown as sent.
  const sendCommand = (line: string): void => ctx.conn.sendCommand(line, line);
  const ehlo = async (): Promise<Set<string>> => {
    sendCommand(`${hello} ${ehloArgument(ctx.conn.localAddress)}`);
    const reply = await readSmtpReply(ctx.conn, ctx.deadline);
    requireCode(reply, ["250"], hello);
    const advertised = new Set<string>();
    collect(reply.lines.slice(1), advertised);
    return advertised;
  };
  const before = (found.states["before-tls"] = await ehlo());
  if (upgrade === "endpoint" || (upgrade === "offered" && before.has("STARTTLS"))) {
    sendCommand("STARTTLS");
    requireCode(await readSmtpReply(ctx.conn, ctx.deadline), ["220"], "STARTTLS");
    await ctx.conn.startTls(ctx.deadline);
    found.states["after-starttls"] = await ehlo();
  }
  sendCommand("QUIT");
}
