// The POP3 driver: greeting, STLS, command lines, expectations, AUTH / APOP,
// finding a message by its header (locate) and the capability probe. A
// session keeps its connection's greeting, whose timestamp APOP needs.
// Standards: RFC 1939 §4 (greeting +OK), §7 (APOP, TOP), RFC 2595 §4 (STLS), RFC 5034 (AUTH).

import type { AuthStep, ExpectStep, LocateStep, Pop3Expect, SendStep } from "../../model/ast.ts";
import type { ProbeFindings, ProbeOptions, ProtocolDriver, ProtocolSession, StepContext } from "../common/driver.ts";
import { REDACTED } from "../../session/transcript.ts";
import { sendInOneWrite } from "../common/one-write.ts";
import { authPop3 } from "./auth.ts";
import { expectPop3, expectPop3OneOf } from "./expect.ts";
import { locatePop3 } from "./locate.ts";
import { requireStatus } from "./matchers/status.ts";
import { probePop3 } from "./probe.ts";
import { readStatus, type Pop3Status } from "./reader.ts";

/** PASS and AUTH initial responses written by hand in a suite are credentials. */
function shownCommand(line: string): string {
  const pass = /^PASS\s/i.exec(line);
  if (pass) return `${line.slice(0, 4)} ${REDACTED}`;
  const auth = /^(AUTH\s+\S+)\s+\S/i.exec(line);
  return auth ? `${auth[1]} ${REDACTED}` : line;
}

function sendCommand(ctx: StepContext, line: string): void {
  ctx.conn.sendCommand(line, shownCommand(line));
}

class Pop3Session implements ProtocolSession {
  /** The text of the first status line read on the connection: the greeting. */
  private greetingText: string | undefined;

  /** Every status line of the session is read here, so the greeting is kept whichever step reads it. */
  private async status(ctx: StepContext, what?: string): Promise<Pop3Status> {
    const status = await readStatus(ctx.conn, ctx.deadline, what);
    this.greetingText ??= status.text;
    return status;
  }

  async greeting(ctx: StepContext): Promise<void> {
    requireStatus(await this.status(ctx, "the greeting"), "+OK", "greeting");
  }

  upgrade(ctx: StepContext): Promise<void> {
    return this.starttls(ctx);
  }

  async starttls(ctx: StepContext, inject?: string): Promise<void> {
    if (inject === undefined) sendCommand(ctx, "STLS");
    else sendInOneWrite(ctx, ["STLS", inject], ["STLS", ctx.conn.transcript.redact(shownCommand(inject))]);
    requireStatus(await this.status(ctx), "+OK", "STLS");
    await ctx.conn.startTls(ctx.deadline);
  }

  // Not async: the command goes out at once, nothing for the executor to await.
  send(ctx: StepContext, step: SendStep): void {
    sendCommand(ctx, ctx.resolve(step.line));
  }

  async data(): Promise<void> {
    throw new Error("a data step is SMTP-only");
  }

  async expect(ctx: StepContext, step: ExpectStep): Promise<void> {
    if (step.expect.protocol !== "pop3") throw new Error(`an ${step.expect.protocol} expectation on a POP3 connection`);
    await expectPop3(ctx, step.expect, () => this.status(ctx));
  }

  expectOneOf(ctx: StepContext, expects: ExpectStep["expect"][], labels: string[]): Promise<number> {
    if (expects.some((e) => e.protocol !== "pop3")) return Promise.reject(new Error("a non-POP3 expectation on a POP3 connection"));
    return expectPop3OneOf(ctx, expects as Pop3Expect[], labels, () => this.status(ctx));
  }

  auth(ctx: StepContext, step: AuthStep): Promise<void> {
    return authPop3(ctx, step, this.greetingText);
  }

  locate(ctx: StepContext, step: LocateStep): Promise<void> {
    return locatePop3(ctx, step, (what) => this.status(ctx, what));
  }

  async readAny(ctx: StepContext): Promise<void> {
    await this.status(ctx);
  }

  capabilities(ctx: StepContext, options: ProbeOptions, found: ProbeFindings): Promise<void> {
    return probePop3(ctx, options, this.greetingText, found);
  }
}

export const pop3Driver: ProtocolDriver = { open: () => new Pop3Session() };
