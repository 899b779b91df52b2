// The SMTP driver: greeting, the STARTTLS upgrade, command lines, DATA
// content (dot-stuffed by the shared codec, or raw), expectations, AUTH and
// the capability probe. SMTP keeps no protocol state between steps, so every
// connection shares one session object. LMTP is the same driver with LHLO
// in place of EHLO (its per-recipient DATA replies are an expectation, ./expect.ts).
// Standards: RFC 5321 §3.1 (greeting 220), §4.1.1.4 + §4.5.2 (DATA, transparency), RFC 3207 (STARTTLS), RFC 4954 (AUTH),
// RFC 2033 §4.1 (LHLO replaces HELO and EHLO).

import type { DataStep, ExpectStep, SendStep, SmtpExpect } from "../../model/ast.ts";
import type { ProtocolDriver, ProtocolSession, StepContext } from "../common/driver.ts";
import { REDACTED } from "../../session/transcript.ts";
import { dotStuff } from "../../../wire/dot-stuffing.ts";
import { contentBytes } from "../common/content.ts";
import { sendInOneWrite } from "../common/one-write.ts";
import { authSmtp } from "./auth.ts";
import { expectSmtp, expectSmtpOneOf, requireCode } from "./expect.ts";
import { ehloArgument, probeSmtp } from "./probe.ts";
import { readSmtpReply } from "./reader.ts";

/** AUTH with an initial response written by hand in a suite: the payload is a credential. */
function shownCommand(line: string): string {
  // Only a line starting "AUTH" (any case) can carry one; the regex need not run for every command.
  if (line.length < 6 || line.slice(0, 4).toUpperCase() !== "AUTH") return line;
  const auth = /^(AUTH\s+\S+)\s+\S/i.exec(line);
  return auth ? `${auth[1]} ${REDACTED}` : line;
}

function sendCommand(ctx: StepContext, line: string): void {
  ctx.conn.sendCommand(line, shownCommand(line));
}

async function starttls(ctx: StepContext, inject?: string): Promise<void> {
  if (inject === undefined) sendCommand(ctx, "STARTTLS");
  else sendInOneWrite(ctx, ["STARTTLS", inject], ["STARTTLS", ctx.conn.transcript.redact(shownCommand(inject))]);
  requireCode(await readSmtpReply(ctx.conn, ctx.deadline), ["220"], "STARTTLS");
  await ctx.conn.startTls(ctx.deadline);
}

/** The greeting command: EHLO for SMTP, LHLO for LMTP (same semantics, RFC 2033 §4.1). */
export type HelloVerb = "EHLO" | "LHLO";

const sessionFor = (hello: HelloVerb): ProtocolSession => ({
  async greeting(ctx) {
    requireCode(await readSmtpReply(ctx.conn, ctx.deadline, "the greeting"), ["220"], "greeting");
  },

  async upgrade(ctx) {
    sendCommand(ctx, `${hello} ${ehloArgument(ctx.conn.localAddress)}`);
    requireCode(await readSmtpReply(ctx.conn, ctx.deadline), ["250"], `${hello} before STARTTLS`);
    await starttls(ctx);
  },

  starttls,

  // Not async: a send completes at once (no promise for the executor to await); a throw fails the step.
  send(ctx, step: SendStep) {
    sendCommand(ctx, ctx.resolve(step.line));
  },

  async data(ctx, step: DataStep) {
    const content = await contentBytes(step.source, (template) => ctx.resolve(template));
    const bytes = step.raw ? content : dotStuff(content);
    ctx.conn.sendCommandBytes(bytes, `<message content, ${bytes.length} octets${step.raw ? ", raw" : ""}>`);
  },

  // Not async: hands back expectSmtp's promise (one frame less on the hottest path).
  expect(ctx, step: ExpectStep) {
    if (step.expect.protocol !== "smtp") return Promise.reject(new Error(`an ${step.expect.protocol} expectation on an ${hello === "LHLO" ? "LMTP" : "SMTP"} connection`));
    return expectSmtp(ctx, step.expect);
  },

  expectOneOf(ctx, expects, labels) {
    if (expects.some((e) => e.protocol !== "smtp")) return Promise.reject(new Error(`a non-SMTP expectation on an ${hello === "LHLO" ? "LMTP" : "SMTP"} connection`));
    return expectSmtpOneOf(ctx, expects as SmtpExpect[], labels);
  },

  auth: authSmtp,

  async readAny(ctx) {
    await readSmtpReply(ctx.conn, ctx.deadline);
  },

  capabilities: (ctx, options, found) => probeSmtp(ctx, options, found, hello),
});

const smtpSession = sessionFor("EHLO");
const lmtpSession = sessionFor("LHLO");

export const smtpDriver: ProtocolDriver = { open: () => smtpSession };
export const lmtpDriver: ProtocolDriver = { open: () => lmtpSession };
