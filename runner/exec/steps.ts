// Executes one step of any kind on the test's session: protocol steps go to
// the connection's protocol session; the generic ones (raw, wait, connect, close,
// expect-closed, expect-silence) are done here, once for all protocols.
// Standards: RFC 5321 §3.8 / RFC 1939 §6 / RFC 3501 §7.1.5 (server-initiated close).

import { basename } from "node:path";
import type { Step, Template } from "../model/ast.ts";
import { Deadline } from "../../wire/deadline.ts";
import { printable } from "../../wire/printable.ts";
import type { ProtocolSession, StepContext } from "../protocols/common/driver.ts";
import type { Connection } from "../session/connection.ts";
import type { OpenConnection, Session } from "./session.ts";
import { StepFailure, TestAborted } from "../session/step-failure.ts";

/** Short title for step events and reports; templates are shown unresolved. */
export function describeStep(step: Step): string {
  const on = step.on === "main" ? "" : `${step.on}: `;
  switch (step.kind) {
    case "send":
      return `${on}send ${step.line.text}${step.literal ? ` {literal${step.literal.sync ? "" : "+"}}` : ""}`;
    case "raw":
      return `${on}raw "${printable(Buffer.from(step.bytes.text, "latin1"), 60)}"`;
    case "data":
      return `${on}data ${step.source.kind === "file" ? basename(step.source.path) : "(inline text)"}${step.raw ? " (raw)" : ""}`;
    case "starttls":
      return `${on}starttls${step.inject ? ` + injected ${step.inject.line.text} in the same write` : ""}`;
    case "auth":
      return `${on}auth ${step.mechanism} (${step.outcome})`;
    case "expect": {
      const e = step.expect;
      if (e.protocol === "smtp" && e.replies) return `${on}expect replies ${e.replies.map((r) => r.code.join(" or ")).join(", ")}`;
      if (e.protocol === "smtp") return `${on}expect ${e.code.join(" or ") || "any reply"}`;
      if (e.protocol === "pop3") return `${on}expect ${e.status}${e.multiline ? " (multiline)" : ""}`;
      const status = Array.isArray(e.status) ? e.status.join(" or ") : e.status;
      const code = e.code ?? e.codeIfPresent;
      return `${on}expect ${status ?? "untagged"}${code ? ` [${code.text.text}${e.code ? "" : "?"}]` : ""}`;
    }
    case "locate":
      return `${on}locate /${step.header.text}/ as ${step.capture}`;
    case "expect-closed":
      return `${on}expect closed`;
    case "expect-silence":
      return `${on}expect silence ${step.ms} ms`;
    case "wait":
      return `${on}wait ${step.ms} ms`;
    case "connect":
      return `connect ${step.on}`;
    case "close":
      return `close ${step.on}`;
    case "repeat":
      return `repeat ${step.times}× (${step.as})`;
    case "retry":
      return `retry within ${step.withinMs} ms, every ${step.everyMs} ms (${step.steps.length} step${step.steps.length === 1 ? "" : "s"})`;
    case "may-close":
      return `${on}may close: ${step.steps.length} step${step.steps.length === 1 ? "" : "s"}, or the server closes ${step.on}`;
    case "one-of":
      return `${on}expect one of: ${step.branches.map((b) => describeExpectation(b.expect)).join(" | ")}`;
    case "if":
      return `if ${step.same[0].text} is ${step.same[1].text}`;
  }
}

/** An expectation as a step title shows it, without the connection. */
export function describeExpectation(expect: Extract<Step, { kind: "expect" }>["expect"]): string {
  return describeStep({ kind: "expect", expect, on: "main", span: expect.span }).replace(/^expect /, "");
}

/** Bytes of a raw step: each character ≤ U+00FF is one octet (YAML "\xNN" escapes), anything else UTF-8. */
export function rawBytes(text: string): Buffer {
  return /^[\x00-\xff]*$/.test(text) ? Buffer.from(text, "latin1") : Buffer.from(text, "utf8");
}

/** Pause `ms`; an abort rejects at once with TestAborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new TestAborted());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new TestAborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

type ControlStep = Extract<Step, { kind: "wait" | "close" | "connect" }>;
/** Steps that hold other steps: run-test.ts runs them. */
export type NestingStep = Extract<Step, { kind: "repeat" | "retry" | "may-close" | "one-of" | "if" }>;
type ConnectionStep = Exclude<Step, NestingStep | ControlStep>;

/**
 * Run one non-repeat step. `budgetMs` bounds every wait in it, counted
 * from `startedAt` (the caller's clock read at the step's start). Not async
 * itself: on the common path (the connection is open) it hands back the
 * protocol session's promise, one async frame less per step, or undefined
 * when the step is done already (a send: nothing to wait for, so the caller
 * does not await; bench/runner-step.ts). A failure may be thrown at once.
 */
export function executeStep(session: Session, step: Exclude<Step, NestingStep>, budgetMs: number, signal?: AbortSignal, startedAt?: number): Promise<void> | undefined {
  if (step.kind === "wait" || step.kind === "close" || step.kind === "connect") return controlStep(session, step, budgetMs, signal);
  const open = session.ready(step.on);
  if (!open) return openThenRun(session, step, budgetMs);
  return onConnection(session, open, step, budgetMs, startedAt);
}

/**
 * The reply of a one-of step, read once on the step's connection (opened
 * first if need be): the index of the first alternative it matches. A reply
 * that matches none fails the step, naming every alternative.
 */
export async function expectOneOf(session: Session, step: Extract<Step, { kind: "one-of" }>, budgetMs: number, startedAt?: number): Promise<number> {
  const ready = session.ready(step.on);
  const { conn, protocol } = ready ?? (await session.use(step.on, step, budgetMs));
  const ctx = session.context(conn, new Deadline(budgetMs, ready ? startedAt : undefined), step.span);
  return protocol.expectOneOf(
    ctx,
    step.branches.map((b) => b.expect),
    step.branches.map((b) => describeExpectation(b.expect)),
  );
}

async function controlStep(session: Session, step: ControlStep, budgetMs: number, signal?: AbortSignal): Promise<void> {
  if (step.kind === "wait") return sleep(step.ms, signal);
  if (step.kind === "close") return session.close(step.on);
  await session.connect(step.on, step.greeting, step.span, budgetMs);
}

async function openThenRun(session: Session, step: ConnectionStep, budgetMs: number): Promise<void> {
  await onConnection(session, await session.use(step.on, step, budgetMs), step, budgetMs);
}

/** The step on its open connection; its deadline starts at `startedAt` (the step's start) or now, after a connect. Undefined: done already. */
function onConnection(session: Session, { conn, protocol }: OpenConnection, step: ConnectionStep, budgetMs: number, startedAt?: number): Promise<void> | undefined {
  const deadline = new Deadline(step.kind === "expect-silence" ? step.ms : budgetMs, startedAt);
  const ctx = session.context(conn, deadline, step.span);
  switch (step.kind) {
    case "send":
      return protocol.send(ctx, step) ?? undefined;
    case "raw": {
      const bytes = rawBytes(ctx.resolve(step.bytes));
      conn.sendCommandBytes(bytes, printable(bytes, 200));
      return undefined;
    }
    case "data":
      return protocol.data(ctx, step);
    case "starttls":
      return step.inject ? starttlsInjection(ctx, protocol, step.inject) : protocol.starttls(ctx);
    case "auth":
      return protocol.auth(ctx, step);
    case "expect":
      return protocol.expect(ctx, step);
    case "locate":
      if (!protocol.locate) throw new Error("a locate step is POP3-only");
      return protocol.locate(ctx, step);
    case "expect-silence":
      return expectSilence(conn, deadline);
    case "expect-closed":
      return expectClosed(ctx, protocol);
  }
}

/**
 * STARTTLS with a command in the same write: after the handshake the server
 * must not answer the injected command — it arrived as plaintext and must be
 * discarded (RFC 3207 §4.2 "the server MUST discard any knowledge obtained
 * from the client"; RFC 2595 §3.1; RFC 3501 §6.2.1). An answer before the
 * handshake fails in Connection.startTls. A server that, after its go-ahead,
 * drops the connection instead of negotiating (Dovecot does, on seeing
 * pipelined input) never executes the injected command: that passes, and the
 * connection is left closed.
 */
async function starttlsInjection(ctx: StepContext, protocol: ProtocolSession, inject: { line: Template; silenceMs: number }): Promise<void> {
  const line = ctx.resolve(inject.line);
  try {
    await protocol.starttls(ctx, line);
  } catch (error) {
    if (!(error instanceof StepFailure) || (error.failure.class !== "tls" && error.failure.class !== "connection")) throw error;
    ctx.conn.transcript.record(ctx.conn.name, "*", `the server dropped the connection instead of negotiating TLS with ${line} pipelined: the injected command was not executed (${error.message})`);
    ctx.conn.destroy();
    return;
  }
  ctx.conn.transcript.record(ctx.conn.name, "*", `listening ${inject.silenceMs} ms for an answer to the injected ${line}`);
  try {
    await expectSilence(ctx.conn, new Deadline(inject.silenceMs));
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    const closed = error.failure.actual === "connection closed";
    throw new StepFailure(
      "assertion",
      closed
        ? `after the TLS handshake the server closed the connection instead of discarding the injected ${line}`
        : `the server answered ${line}, sent as plaintext in the same write as the TLS upgrade, inside TLS (command injection, RFC 3207 §4.2)`,
      `no answer to the injected ${line} within ${inject.silenceMs} ms of the handshake`,
      error.failure.actual,
    );
  }
}

/** No octet may arrive for the whole duration. */
async function expectSilence(conn: Connection, deadline: Deadline): Promise<void> {
  for (;;) {
    if (conn.buffer.length > 0) {
      const what = conn.describeUnread();
      throw new StepFailure("assertion", `expected no data for ${deadline.ms} ms, but the server sent some`, `silence for ${deadline.ms} ms`, what);
    }
    if (conn.peerGone) {
      throw new StepFailure("assertion", `expected no data for ${deadline.ms} ms, but the server closed the connection`, `silence for ${deadline.ms} ms`, "connection closed");
    }
    if (!(await conn.waitForEvent(deadline))) return;
  }
}

/**
 * The peer must close (FIN or reset) within the budget. Complete replies
 * before the close are fine (a 221 or * BYE not read by an earlier expect);
 * a reply cut off by the close is not.
 */
async function expectClosed(ctx: StepContext, protocol: ProtocolSession): Promise<void> {
  const { conn, deadline } = ctx;
  for (;;) {
    if (conn.atEof) {
      conn.transcript.note(conn.name, { kind: "closed", by: "server" });
      return;
    }
    if (conn.buffer.length > 0) {
      // A TLS alert (garbage where a handshake was due) is how the server's TLS stack says it is closing.
      const alert = conn.isTls ? null : conn.takeTlsAlert();
      if (alert === "partial" && conn.peerGone) {
        // Closed halfway through its alert: closed all the same.
        conn.transcript.note(conn.name, { kind: "closed", by: "server" });
        return;
      }
      if (alert === "partial" && !(await conn.waitForEvent(deadline))) {
        throw new StepFailure("timeout", `server did not close the connection within ${deadline.ms} ms`, "connection closed", "part of a TLS alert record");
      }
      if (alert !== null) continue;
      try {
        await protocol.readAny(ctx);
      } catch (error) {
        if (error instanceof StepFailure && error.failure.class === "connection") {
          throw new StepFailure("assertion", "server closed the connection in the middle of a reply", "complete replies, then the close", error.failure.actual);
        }
        if (error instanceof StepFailure && error.failure.class === "timeout") {
          throw new StepFailure("timeout", `server did not close the connection within ${deadline.ms} ms (an incomplete reply is pending)`, "connection closed", error.failure.actual);
        }
        throw error;
      }
      continue;
    }
    if (!(await conn.waitForEvent(deadline))) {
      throw new StepFailure("timeout", `server did not close the connection within ${deadline.ms} ms`, "connection closed", "connection still open");
    }
  }
}
