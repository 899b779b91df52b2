// Reads one SMTP reply — a run of lines with the same code, "250-" until
// "250 " — off a connection, bounded by the reply limit and the step's deadline.
// Hands the reply to the matchers in ./matchers/ and to the SASL framing.
// Standards: RFC 5321 §4.2 (reply syntax), §4.2.1 (multiline replies carry one code).

import type { Connection, PullUnit } from "../../session/connection.ts";
import { StepFailure } from "../../session/step-failure.ts";
import type { Deadline } from "../../../wire/deadline.ts";
import { printable } from "../../../wire/printable.ts";

export interface SmtpReply {
  /** The three-digit code shared by every line. */
  code: string;
  /** Each line's text after the code and its "-" or SP separator. */
  lines: string[];
  /** The longest line as it came on the wire, code and CRLF included (RFC 5321 §4.5.3.1.5). */
  longestLineOctets: number;
}

/** How many reply lines a failure message quotes. */
const QUOTED_REPLY_LINES = 20;

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const SP = 0x20;
const HYPHEN = 0x2d;

/**
 * Reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF
 * Checked by hand, not by a regex: it runs for every reply line (no match array per line);
 * the transcript's line classifier uses it too.
 */
export function isReplyLine(text: string): boolean {
  if (text.length < 3) return false;
  for (let i = 0; i < 3; i++) {
    const c = text.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return false;
  }
  if (text.length === 3) return true;
  const separator = text.charCodeAt(3);
  return separator === SP || separator === HYPHEN;
}

/** A reply line that is not the reply's last ("250-…"): checked on a line isReplyLine accepted. */
export function continuesReply(text: string): boolean {
  return text.charCodeAt(3) === HYPHEN;
}

/** What readSmtpReply's pull hands back: the reply itself. */
const asReply = (reply: SmtpReply): SmtpReply => reply;

/**
 * One reply collected as its lines arrive: conn.pull() calls take() until the
 * final line (one pull per reply, not an async read per line), then hands the
 * reply to `done` there and then (a check: no promise hop between the reply
 * and its check).
 */
class ReplyAssembler<T> implements PullUnit<T> {
  private readonly lines: string[] = [];
  private code: string | undefined;
  /** Octets of the reply kept so far (every line is kept: the bound is on what is held, not on time). */
  private octets = 0;
  private longest = 0;

  constructor(
    private readonly conn: Connection,
    private readonly done: (reply: SmtpReply) => T,
  ) {}

  take(what: string): T | null {
    const { conn, lines } = this;
    const { maxReplyLines } = conn.limits;
    const maxOctets = Math.min(conn.limits.maxReplyTextOctets, conn.limits.maxReplyOctets);
    for (;;) {
      // A view, not a copy: only the line's text is kept.
      const bytes = conn.takeLine(what, true);
      if (bytes === null) return null;
      this.octets += bytes.length + 2;
      if (bytes.length + 2 > this.longest) this.longest = bytes.length + 2;
      // A never-ending "250-" reply fails once it outgrows any real server's, not when the step times out.
      if (lines.length >= maxReplyLines) {
        throw new StepFailure("protocol-violation", `reply longer than ${maxReplyLines} lines`, "a final reply line (code and SP)", `${lines.length + 1} lines, still no final line`);
      }
      if (this.octets > maxOctets) {
        throw new StepFailure("protocol-violation", `reply longer than ${maxOctets} octets`, "a final reply line (code and SP)", `${lines.length + 1} lines, still no final line`);
      }
      const text = conn.lineText(bytes);
      if (!isReplyLine(text)) {
        throw new StepFailure(
          "protocol-violation",
          "not an SMTP reply line: a reply line is a 3-digit code followed by SP or \"-\" (RFC 5321 §4.2)",
          "Reply-code [ SP / \"-\" textstring ]",
          printable(bytes, 200),
        );
      }
      const code = this.code;
      const lineCode = text.slice(0, 3);
      if (code !== undefined && lineCode !== code) {
        throw new StepFailure(
          "protocol-violation",
          `multiline reply mixes codes ${code} and ${lineCode} (RFC 5321 §4.2.1: every line carries the same code)`,
          `every line with code ${code}`,
          `${formatSmtpReply({ code, lines }, false)}\n${printable(bytes, 200)}`,
        );
      }
      this.code = lineCode;
      lines.push(text.slice(4));
      if (!continuesReply(text)) return this.done({ code: lineCode, lines, longestLineOctets: this.longest });
    }
  }
}

export function readSmtpReply(conn: Connection, deadline: Deadline, what = "an SMTP reply"): Promise<SmtpReply> {
  return conn.pull(new ReplyAssembler(conn, asReply), deadline, what);
}

/**
 * Read one reply and run `check` on it as its last line is taken: the
 * promise settles once, with the check's outcome (an expect step's one
 * promise; bench/runner-step.ts).
 */
export function readCheckedReply(conn: Connection, deadline: Deadline, check: (reply: SmtpReply) => void): Promise<void> {
  // A unit of void: take() hands back undefined (not null) once the reply is complete and checked.
  return conn.pull(new ReplyAssembler<void>(conn, check), deadline, "an SMTP reply");
}

/** The reply as it looked on the wire, for "actual:"; `complete` false shows every line as a continuation. */
export function formatSmtpReply(reply: Pick<SmtpReply, "code" | "lines">, complete = true): string {
  const shown = reply.lines.slice(0, QUOTED_REPLY_LINES).map((text, i) => {
    const last = complete && i === reply.lines.length - 1;
    return `${reply.code}${last ? " " : "-"}${text}`.trimEnd();
  });
  if (reply.lines.length > QUOTED_REPLY_LINES) shown.push(`… ${reply.lines.length - QUOTED_REPLY_LINES} more lines`);
  return shown.join("\n");
}
