// The IMAP driver: greeting, STARTTLS, tagged command lines with literals
// (synchronizing: wait for "+"; LITERAL+: don't), expectations, AUTHENTICATE
// and the capability probe, each on the connection's own ImapState.
// Standards: RFC 3501 §7.1.1/§7.1.4 (greeting OK / PREAUTH), §6.2.1 (STARTTLS), §4.3 + §7.5 (literals), RFC 7888 (LITERAL+).

import { readFile } from "node:fs/promises";
import type { AuthStep, ExpectStep, ImapExpect, SendStep } from "../../model/ast.ts";
import type { ProbeFindings, ProbeOptions, ProtocolDriver, ProtocolSession, StepContext } from "../common/driver.ts";
import { StepFailure } from "../../session/step-failure.ts";
import type { Connection } from "../../session/connection.ts";
import { joinLines, splitTextLines } from "../../../wire/dot-stuffing.ts";
import { printable } from "../../../wire/printable.ts";
import { sendInOneWrite } from "../common/one-write.ts";
import { authImap } from "./auth.ts";
import { expectImap, expectImapOneOf, readAnyImap } from "./expect.ts";
import { probeImap } from "./probe.ts";
import { ImapState, shownCommand, type PendingCommand } from "./session-state.ts";

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

class ImapSession implements ProtocolSession {
  private readonly state: ImapState;

  constructor(conn: Connection) {
    this.state = new ImapState(conn);
  }

  async greeting(ctx: StepContext): Promise<void> {
    const state = this.state;
    const find = (): number => state.untagged.findIndex((r) => r.status !== undefined);
    await state.readUntil(ctx.deadline, "the greeting", () => find() !== -1);
    const greeting = state.untagged.splice(find(), 1)[0]!;
    if (greeting.status !== "OK" && greeting.status !== "PREAUTH") {
      throw new StepFailure("assertion", `greeting: expected OK or PREAUTH, got ${greeting.status} ${greeting.text ?? ""}`.trimEnd(), "* OK or * PREAUTH", printable(greeting.bytes, 300));
    }
  }

  upgrade(ctx: StepContext): Promise<void> {
    return this.starttls(ctx);
  }

  async starttls(ctx: StepContext, inject?: string): Promise<void> {
    const completion = inject === undefined ? await this.state.simpleCommand(ctx.deadline, "STARTTLS") : await this.starttlsInjected(ctx, inject);
    if (completion.status !== "OK") {
      throw new StepFailure("assertion", `STARTTLS: expected OK, got ${completion.status} ${completion.text}`.trimEnd(), "OK", printable(completion.bytes, 300));
    }
    await ctx.conn.startTls(ctx.deadline);
    this.state.resetAfterTls();
  }

  /**
   * STARTTLS with a second tagged command in the same TCP write; the second is
   * not awaited: a server must not answer it (RFC 3501 §6.2.1, RFC 2595 §3.1).
   */
  private async starttlsInjected(ctx: StepContext, inject: string): Promise<NonNullable<PendingCommand["completion"]>> {
    const state = this.state;
    const tag = state.nextTag();
    const injectedTag = state.nextTag();
    const pending: PendingCommand = { tag, command: `${tag} STARTTLS`, continued: false };
    state.pending.push(pending);
    const injected = `${injectedTag} ${inject}`;
    sendInOneWrite(ctx, [pending.command, injected], [pending.command, ctx.conn.transcript.redact(shownCommand(injected))]);
    await state.readUntil(ctx.deadline, `the completion of ${tag} STARTTLS`, () => pending.completion !== undefined);
    state.pending.splice(state.pending.indexOf(pending), 1);
    return pending.completion!;
  }

  /** Not async: a command without a literal goes out at once, nothing for the executor to await. */
  send(ctx: StepContext, step: SendStep): Promise<void> | void {
    const state = this.state;
    const text = ctx.resolve(step.line);
    let pending: PendingCommand | undefined;
    let line = text;
    if (step.tag !== "none") {
      const tag = typeof step.tag === "object" ? step.tag.fixed : state.nextTag();
      line = `${tag} ${text}`;
      pending = { tag, command: line, continued: false };
      state.pending.push(pending);
    }
    // A hand-written untagged line (SASL data, a literal's header) may draw a "+" that no tag owns.
    state.expectingContinuation = pending === undefined;
    if (!step.literal) {
      state.sendCommand(line);
      return;
    }
    return this.sendWithLiteral(ctx, step.literal, line, pending);
  }

  /** The command line announcing a literal, then (after the "+" when synchronizing) its octets. */
  private async sendWithLiteral(ctx: StepContext, literal: NonNullable<SendStep["literal"]>, line: string, pending: PendingCommand | undefined): Promise<void> {
    const state = this.state;
    const content = await literalBytes(ctx, literal.source);
    // Unless the text after it announces another literal, no "+" may answer a non-synchronizing one.
    if (pending && !literal.sync && !/\{\d+\+?\}$/.test(ctx.resolve(literal.after))) pending.nonSyncLiteral = true;
    // literal8 (RFC 3516 §4.4) differs only by its "~": the octets may include NUL.
    state.sendCommand(`${line} ${literal.binary ? "~" : ""}{${content.length}${literal.sync ? "" : "+"}}`);
    if (literal.sync) {
      // The server answers "+" to go on, or completes the command (NO/BAD) to refuse the literal.
      await state.readUntil(ctx.deadline, "a continuation request (+) for the literal", () => state.continuations.length > 0 || pending?.completion !== undefined);
      if (state.continuations.length === 0) return;
      state.continuations.shift();
    }
    ctx.conn.write(Buffer.concat([content, Buffer.from(`${ctx.resolve(literal.after)}\r\n`)]));
  }

  async data(): Promise<void> {
    throw new Error("a data step is SMTP-only");
  }

  async expect(ctx: StepContext, step: ExpectStep): Promise<void> {
    if (step.expect.protocol !== "imap") throw new Error(`an ${step.expect.protocol} expectation on an IMAP connection`);
    await expectImap(this.state, ctx, step.expect);
  }

  expectOneOf(ctx: StepContext, expects: ExpectStep["expect"][], labels: string[]): Promise<number> {
    if (expects.some((e) => e.protocol !== "imap")) return Promise.reject(new Error("a non-IMAP expectation on an IMAP connection"));
    return expectImapOneOf(this.state, ctx, expects as ImapExpect[], labels);
  }

  auth(ctx: StepContext, step: AuthStep): Promise<void> {
    return authImap(this.state, ctx, step);
  }

  readAny(ctx: StepContext): Promise<void> {
    return readAnyImap(this.state, ctx);
  }

  capabilities(ctx: StepContext, options: ProbeOptions, found: ProbeFindings): Promise<void> {
    return probeImap(this.state, ctx, options, found);
  }
}

export const imapDriver: ProtocolDriver = { open: (conn) => new ImapSession(conn) };
