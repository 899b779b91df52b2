// The IMAP driver: greeting, STARTTLS, tagged command lines with literals
// (synchronizing: wait for "+"; LITERAL+: don't), expectations and AUTHENTICATE.
// Standards: RFC 3501 §7.1.1/§7.1.4 (greeting OK / PREAUTH), §6.2.1 (STARTTLS), §4.3 + §7.5 (literals), RFC 7888 (LITERAL+).

import { readFile } from "node:fs/promises";
import type { ExpectStep, SendStep } from "../../model/ast.ts";
import type { ProtocolDriver, StepContext } from "../driver.ts";
import { StepFailure } from "../../session/step-failure.ts";
import { REDACTED } from "../../session/transcript.ts";
import { joinLines, splitTextLines } from "../../../wire/dot-stuffing.ts";
import { printable } from "../../../wire/printable.ts";
import { sendInOneWrite } from "../common/one-write.ts";
import { authImap } from "./auth.ts";
import { expectImap, readAnyImap } from "./expect.ts";
import { imapState, nextTag, readUntil, resetAfterTls, type PendingCommand } from "./session-state.ts";

/** AUTHENTICATE initial responses written by hand in a suite are credentials. */
function shownCommand(line: string): string {
  const auth = /^(\S+\s+AUTHENTICATE\s+\S+)\s+\S/i.exec(line);
  return auth ? `${auth[1]} ${REDACTED}` : line;
}

export function sendCommand(ctx: StepContext, line: string): void {
  const shown = ctx.conn.transcript.redact(shownCommand(line));
  ctx.conn.write(Buffer.from(`${line}\r\n`), [shown]);
  ctx.conn.lastCommand = shown;
}

/** Send a tagged command and wait for its completion. */
export async function simpleCommand(ctx: StepContext, verb: string): Promise<NonNullable<PendingCommand["completion"]>> {
  const state = imapState(ctx.conn);
  const tag = nextTag(ctx.conn);
  const pending: PendingCommand = { tag, command: `${tag} ${verb}`, continued: false };
  state.pending.push(pending);
  sendCommand(ctx, pending.command);
  await readUntil(ctx.conn, ctx.deadline, `the completion of ${tag} ${verb}`, () => pending.completion !== undefined);
  state.pending.splice(state.pending.indexOf(pending), 1);
  return pending.completion!;
}

/**
 * STARTTLS with a second tagged command in the same TCP write; the second is
 * not awaited: a server must not answer it (RFC 3501 §6.2.1, RFC 2595 §3.1).
 */
async function starttlsInjected(ctx: StepContext, inject: string): Promise<NonNullable<PendingCommand["completion"]>> {
  const state = imapState(ctx.conn);
  const tag = nextTag(ctx.conn);
  const injectedTag = nextTag(ctx.conn);
  const pending: PendingCommand = { tag, command: `${tag} STARTTLS`, continued: false };
  state.pending.push(pending);
  const injected = `${injectedTag} ${inject}`;
  sendInOneWrite(ctx, [pending.command, injected], [pending.command, ctx.conn.transcript.redact(shownCommand(injected))]);
  await readUntil(ctx.conn, ctx.deadline, `the completion of ${tag} STARTTLS`, () => pending.completion !== undefined);
  state.pending.splice(state.pending.indexOf(pending), 1);
  return pending.completion!;
}

async function starttls(ctx: StepContext, inject?: string): Promise<void> {
  const completion = inject === undefined ? await simpleCommand(ctx, "STARTTLS") : await starttlsInjected(ctx, inject);
  if (completion.status !== "OK") {
    throw new StepFailure("assertion", `STARTTLS: expected OK, got ${completion.status} ${completion.text}`.trimEnd(), "OK", printable(completion.bytes, 300));
  }
  await ctx.conn.startTls(ctx.deadline);
  resetAfterTls(ctx.conn);
}

/**
 * Literal content in wire form: CRLF line ends whatever the fixture used (RFC 5322 §2.3 for messages).
 * Text that does not end in a line break (a password, a mailbox name) gets none added.
 */
async function literalBytes(ctx: StepContext, source: NonNullable<SendStep["literal"]>["source"]): Promise<Buffer> {
  const raw = source.kind === "text" ? Buffer.from(ctx.resolve(source.text), "utf8") : await readFile(source.path);
  const wire = joinLines(splitTextLines(raw));
  const last = raw[raw.length - 1];
  return last === undefined || last === 0x0a || last === 0x0d ? wire : wire.subarray(0, wire.length - 2);
}

async function send(ctx: StepContext, step: SendStep): Promise<void> {
  const state = imapState(ctx.conn);
  const text = ctx.resolve(step.line);
  let pending: PendingCommand | undefined;
  let line = text;
  if (step.tag !== "none") {
    const tag = typeof step.tag === "object" ? step.tag.fixed : nextTag(ctx.conn);
    line = `${tag} ${text}`;
    pending = { tag, command: line, continued: false };
    state.pending.push(pending);
  }
  // A hand-written untagged line (SASL data, a literal's header) may draw a "+" that no tag owns.
  state.expectingContinuation = pending === undefined;
  if (!step.literal) {
    sendCommand(ctx, line);
    return;
  }
  const content = await literalBytes(ctx, step.literal.source);
  sendCommand(ctx, `${line} {${content.length}${step.literal.sync ? "" : "+"}}`);
  if (step.literal.sync) {
    // The server answers "+" to go on, or completes the command (NO/BAD) to refuse the literal.
    await readUntil(ctx.conn, ctx.deadline, "a continuation request (+) for the literal", () => state.continuations.length > 0 || pending?.completion !== undefined);
    if (state.continuations.length === 0) return;
    state.continuations.shift();
  }
  ctx.conn.write(Buffer.concat([content, Buffer.from(`${ctx.resolve(step.literal.after)}\r\n`)]));
}

export const imapDriver: ProtocolDriver = {
  async greeting(ctx) {
    const state = imapState(ctx.conn);
    const find = (): number => state.untagged.findIndex((r) => r.status !== undefined);
    await readUntil(ctx.conn, ctx.deadline, "the greeting", () => find() !== -1);
    const greeting = state.untagged.splice(find(), 1)[0]!;
    if (greeting.status !== "OK" && greeting.status !== "PREAUTH") {
      throw new StepFailure("assertion", `greeting: expected OK or PREAUTH, got ${greeting.status} ${greeting.text ?? ""}`.trimEnd(), "* OK or * PREAUTH", printable(greeting.bytes, 300));
    }
  },
  upgrade: starttls,
  starttls,
  send,
  async data() {
    throw new Error("a data step is SMTP-only");
  },
  async expect(ctx, step: ExpectStep) {
    if (step.expect.protocol !== "imap") throw new Error(`an ${step.expect.protocol} expectation on an IMAP connection`);
    await expectImap(ctx, step.expect);
  },
  auth: authImap,
  readAny: readAnyImap,
};
