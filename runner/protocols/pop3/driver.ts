// The POP3 driver: greeting, STLS, command lines, expectations and AUTH.
// Standards: RFC 1939 §4 (greeting +OK), RFC 2595 §4 (STLS), RFC 5034 (AUTH).

import type { ExpectStep, SendStep } from "../../model/ast.ts";
import type { ProtocolDriver, StepContext } from "../driver.ts";
import { REDACTED } from "../../session/transcript.ts";
import { sendInOneWrite } from "../common/one-write.ts";
import { authPop3 } from "./auth.ts";
import { expectPop3 } from "./expect.ts";
import { requireStatus } from "./matchers/status.ts";
import { readStatus } from "./reader.ts";

/** PASS and AUTH initial responses written by hand in a suite are credentials. */
function shownCommand(line: string): string {
  const pass = /^PASS\s/i.exec(line);
  if (pass) return `${line.slice(0, 4)} ${REDACTED}`;
  const auth = /^(AUTH\s+\S+)\s+\S/i.exec(line);
  return auth ? `${auth[1]} ${REDACTED}` : line;
}

export function sendCommand(ctx: StepContext, line: string): void {
  const shown = ctx.conn.transcript.redact(shownCommand(line));
  ctx.conn.write(Buffer.from(`${line}\r\n`), [shown]);
  ctx.conn.lastCommand = shown;
}

async function stls(ctx: StepContext, inject?: string): Promise<void> {
  if (inject === undefined) sendCommand(ctx, "STLS");
  else sendInOneWrite(ctx, ["STLS", inject], ["STLS", ctx.conn.transcript.redact(shownCommand(inject))]);
  requireStatus(await readStatus(ctx.conn, ctx.deadline), "+OK", "STLS");
  await ctx.conn.startTls(ctx.deadline);
}

export const pop3Driver: ProtocolDriver = {
  async greeting(ctx) {
    requireStatus(await readStatus(ctx.conn, ctx.deadline, "the greeting"), "+OK", "greeting");
  },
  upgrade: stls,
  starttls: stls,
  async send(ctx, step: SendStep) {
    sendCommand(ctx, ctx.resolve(step.line));
  },
  async data() {
    throw new Error("a data step is SMTP-only");
  },
  async expect(ctx, step: ExpectStep) {
    if (step.expect.protocol !== "pop3") throw new Error(`an ${step.expect.protocol} expectation on a POP3 connection`);
    await expectPop3(ctx, step.expect);
  },
  auth: authPop3,
  async readAny(ctx) {
    await readStatus(ctx.conn, ctx.deadline);
  },
};
