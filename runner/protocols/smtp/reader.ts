// Reads one SMTP reply — a run of lines with the same code, "250-" until
// "250 " — off a connection, bounded by the reply limit and the step's deadline.
// Hands the reply to the matchers in ./matchers/ and to the SASL framing.
// Standards: RFC 5321 §4.2 (reply syntax), §4.2.1 (multiline replies carry one code).

import type { Connection } from "../../exec/connection.ts";
import { StepFailure } from "../../exec/step-failure.ts";
import type { Deadline } from "../../wire/deadline.ts";
import { printable } from "../../wire/printable.ts";

export interface SmtpReply {
  /** The three-digit code shared by every line. */
  code: string;
  /** Each line's text after the code and its "-" or SP separator. */
  lines: string[];
}

/** How many reply lines a failure message quotes. */
const QUOTED_REPLY_LINES = 20;

/** Reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF */
const REPLY_LINE = /^(\d{3})([ -]|$)/;

export async function readSmtpReply(conn: Connection, deadline: Deadline, what = "an SMTP reply"): Promise<SmtpReply> {
  const lines: string[] = [];
  let code: string | undefined;
  let octets = 0;
  for (;;) {
    const bytes = await conn.readLine(deadline, what);
    octets += bytes.length + 2;
    if (octets > conn.limits.maxReplyOctets) {
      throw new StepFailure("protocol-violation", `reply longer than ${conn.limits.maxReplyOctets} octets`, undefined, `${lines.length} lines, still no final line`);
    }
    const text = bytes.toString("utf8");
    const match = REPLY_LINE.exec(text);
    if (!match) {
      throw new StepFailure(
        "protocol-violation",
        "not an SMTP reply line: a reply line is a 3-digit code followed by SP or \"-\" (RFC 5321 §4.2)",
        "Reply-code [ SP / \"-\" textstring ]",
        printable(bytes, 200),
      );
    }
    if (code !== undefined && match[1] !== code) {
      throw new StepFailure(
        "protocol-violation",
        `multiline reply mixes codes ${code} and ${match[1]} (RFC 5321 §4.2.1: every line carries the same code)`,
        `every line with code ${code}`,
        `${formatSmtpReply({ code, lines }, false)}\n${printable(bytes, 200)}`,
      );
    }
    code = match[1]!;
    lines.push(text.slice(4));
    if (match[2] !== "-") return { code, lines };
  }
}

/** The reply as it looked on the wire, for "actual:"; `complete` false shows every line as a continuation. */
export function formatSmtpReply(reply: SmtpReply, complete = true): string {
  const shown = reply.lines.slice(0, QUOTED_REPLY_LINES).map((text, i) => {
    const last = complete && i === reply.lines.length - 1;
    return `${reply.code}${last ? " " : "-"}${text}`.trimEnd();
  });
  if (reply.lines.length > QUOTED_REPLY_LINES) shown.push(`… ${reply.lines.length - QUOTED_REPLY_LINES} more lines`);
  return shown.join("\n");
}
