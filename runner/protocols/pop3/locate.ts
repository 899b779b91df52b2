// The `locate` step: which message of the maildrop is the one a test sent.
// RFC 1939 numbers the messages of a maildrop but gives them no order (a
// Maildir store numbers by file name; an MTA's queue may deliver an earlier
// message later), so a test finds its message by its own header — a subject
// with the run token — and not by being the last: LIST, then TOP k 0 from the
// highest number down (a new message usually has it, so the first look finds
// it), the pattern tried on each header field unfolded. TOP is optional: a
// server that refuses it is read with RETR, keeping only the header.
// Standards: RFC 1939 §5 (LIST scan listings), §7 (TOP, optional), RFC 2449 §6.1 (TOP capability), RFC 5322 §2.2.3 (unfolding).

import type { LocateStep } from "../../model/ast.ts";
import type { StepContext } from "../common/driver.ts";
import { StepFailure } from "../../session/step-failure.ts";
import { printable } from "../../../wire/printable.ts";
import { compilePattern, shownPattern } from "../common/text.ts";
import { unfoldHeader } from "./matchers/body.ts";
import { readBody, type Pop3Status } from "./reader.ts";

/**
 * The most messages one locate step reads: enough for any test account,
 * few enough that a maildrop full of other mail fails with a clear message
 * instead of spending the step's budget on thousands of headers.
 */
export const MAX_LOCATE_MESSAGES = 200;

/** Messages a failure names with their first header field, to show what the maildrop holds. */
const SHOWN_MESSAGES = 5;

/** scan listing = msg-number SP size, anything after the size allowed (RFC 1939 §5). */
const SCAN_LISTING = /^(\d+) \d+(?:\s|$)/;

type ReadStatus = (what?: string) => Promise<Pop3Status>;

/** The message numbers LIST gives, highest first (messages marked deleted are not listed, RFC 1939 §5). */
async function listedNumbers(ctx: StepContext, readStatus: ReadStatus): Promise<number[]> {
  ctx.conn.sendCommand("LIST", "LIST");
  const status = await readStatus("the answer to LIST");
  if (status.status !== "+OK") {
    throw new StepFailure("assertion", `locate: LIST was refused (${status.line}); locate needs a session past USER/PASS (the TRANSACTION state, RFC 1939 §5)`, "+OK and a scan listing", status.line);
  }
  const numbers = new Set<number>();
  for (const line of (await readBody(ctx.conn, ctx.deadline)).lines!) {
    const match = SCAN_LISTING.exec(line.toString("latin1"));
    if (!match) {
      throw new StepFailure("protocol-violation", "a LIST scan listing must be a message number, a space and a size (RFC 1939 §5)", "msg-number SP size", printable(line, 200));
    }
    numbers.add(Number(match[1]));
  }
  return [...numbers].sort((a, b) => b - a);
}

/**
 * The header of message `n`, each field unfolded into one line: TOP n 0, or
 * RETR n once TOP was refused. Returns null when TOP is refused, so the caller
 * switches to RETR for this and every later message.
 */
async function readHeader(ctx: StepContext, readStatus: ReadStatus, n: number, command: "TOP" | "RETR"): Promise<string[] | null> {
  const line = command === "TOP" ? `TOP ${n} 0` : `RETR ${n}`;
  ctx.conn.sendCommand(line, line);
  const status = await readStatus(`the answer to ${line}`);
  if (status.status !== "+OK") {
    if (command === "TOP") return null;
    throw new StepFailure("assertion", `locate: RETR ${n} was refused for a message LIST listed (RFC 1939 §5)`, "+OK and the message", status.line);
  }
  const body = await readBody(ctx.conn, ctx.deadline, "header");
  return unfoldHeader(body.lines!.map((l) => l.toString("utf8"))).map((field) => field.text);
}

/** Binds `step.capture` to the number of the first message, highest first, whose header has a field matching `step.header`. */
export async function locatePop3(ctx: StepContext, step: LocateStep, readStatus: ReadStatus): Promise<void> {
  const regex = compilePattern(ctx.resolveRegex(step.header));
  const numbers = await listedNumbers(ctx, readStatus);
  const scanned = numbers.slice(0, MAX_LOCATE_MESSAGES);
  let command: "TOP" | "RETR" = "TOP";
  const seen: string[] = [];
  for (const n of scanned) {
    let fields = await readHeader(ctx, readStatus, n, command);
    if (fields === null) {
      // TOP is an optional command (RFC 1939 §7); RETR is not, and its header is the same.
      ctx.conn.transcript.record(ctx.conn.name, "*", "locate: TOP refused; reading each message with RETR and keeping its header");
      command = "RETR";
      fields = (await readHeader(ctx, readStatus, n, command))!;
    }
    if (fields.some((field) => regex.test(field))) {
      ctx.vars.bind(step.capture, String(n));
      ctx.conn.transcript.record(ctx.conn.name, "*", `locate: message ${n} matches ${shownPattern(regex)} (${seen.length + 1} of ${numbers.length} read); ${step.capture} = ${n}`);
      return;
    }
    if (seen.length < SHOWN_MESSAGES) seen.push(`message ${n}: ${printable(Buffer.from(fields.find((f) => /^subject:/i.test(f)) ?? fields[0] ?? "(empty header)", "utf8"), 200)}`);
  }
  const pattern = shownPattern(regex);
  const looked =
    numbers.length === 0
      ? "the maildrop is empty (LIST lists no message)"
      : numbers.length > scanned.length
        ? `read the ${scanned.length} highest-numbered of ${numbers.length} messages, the most locate reads (${MAX_LOCATE_MESSAGES}); empty the test account`
        : `read ${scanned.length} message${scanned.length === 1 ? "" : "s"} with ${command === "TOP" ? "TOP n 0" : "RETR n"}`;
  throw new StepFailure(
    "assertion",
    `locate: no message's header has a field matching ${pattern}: ${looked}`,
    `a message with a header field matching ${pattern}`,
    seen.length === 0 ? "no message" : [...seen, ...(scanned.length > seen.length ? [`… ${scanned.length - seen.length} more`] : [])].join("\n"),
  );
}
