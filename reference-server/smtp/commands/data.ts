// DATA: read the message up to the lone "." line, un-dot-stuff it, judge it,
// deliver it. Only CRLF "." CRLF ends the data (the SMTP smuggling defence);
// a refused message is still read to its end so the session stays in step.
// The whole DATA has one TransferDeadline (a stall limit and a minimum rate),
// and a long run of buffered lines yields to the other sessions now and then.
// On the LMTP listener the end of data gets one reply per recipient (../lmtp.ts).
// Standards: RFC 5321 §4.1.1.4, §4.5.2 (transparency), §3.3 (250 after delivery), RFC 2033 §4.2,
// §4.5.3.2.5-6 (data timeouts), RFC 1870 §6.3 (actual size), RFC 3030 §2 (no DATA after BDAT).

import type { CommandRow } from "../../core/command-table.ts";
import { LINE_TOO_LONG } from "../../core/connection.ts";
import { ClientError } from "../../core/errors.ts";
import { unstuffLine } from "../../../wire/dot-stuffing.ts";
import type { LineEnding } from "../../../wire/lines.ts";
import { deliverMessage } from "../deliver.ts";
import { replyPerRecipient } from "../lmtp.ts";
import { DATA_LINES_PER_TURN, MAX_TEXT_LINE_OCTETS, MAX_WIRE_TEXT_LINE_OCTETS } from "../limits.ts";
import { MessageBody } from "../message-body.ts";
import { endTransaction, type SmtpSession } from "../states.ts";
import { reply } from "../vocabulary.ts";

export const data: CommandRow<SmtpSession> = {
  verb: "DATA",
  states: ["rcpt"],
  async handle(s, command) {
    if (command.args !== "") throw new ClientError("syntax", "DATA takes no arguments");
    const t = s.transaction!;
    const { smtp } = s.context.config;
    reply(s, 354, null, "end data with <CR><LF>.<CR><LF>");
    const body = new MessageBody(smtp.maxMessageOctets, smtp.bareLineEndings === "normalize", s.context.memory);
    try {
      const deadline = s.conn.transfer(smtp.dataTimeoutMs, smtp.minDataOctetsPerSecond);
      // The terminator is CRLF "." CRLF: the line before the dot must have ended in CRLF
      // too, else "<LF>.<CR><LF>" ends the data here and not at the next hop (SMTP smuggling).
      // The CRLF of the DATA command line counts for a message that is only ".".
      let previousEnding: LineEnding = "crlf";
      let linesThisTurn = 0;
      for (;;) {
        // Plain lines (CRLF, no dot, not long) are taken in bulk; any other line goes the way below.
        const clean = s.conn.takeCleanLines(MAX_TEXT_LINE_OCTETS, DATA_LINES_PER_TURN);
        if (clean !== null) {
          body.addCleanLines(clean.bytes);
          previousEnding = "crlf";
          linesThisTurn += clean.lines;
          if (linesThisTurn >= DATA_LINES_PER_TURN) {
            linesThisTurn = 0;
            await new Promise((resolve) => setImmediate(resolve));
          }
          continue;
        }
        let line = s.conn.takeLine(MAX_WIRE_TEXT_LINE_OCTETS);
        if (line === null) {
          line = await s.conn.readLine(MAX_WIRE_TEXT_LINE_OCTETS, deadline);
          linesThisTurn = 0;
        } else if (++linesThisTurn === DATA_LINES_PER_TURN) {
          // 256 KiB of buffered empty lines is 128 K lines: taken in one go they kept every other session waiting (NOOP > 1 s).
          linesThisTurn = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
        if (line === LINE_TOO_LONG) {
          body.lineTooLong();
          previousEnding = s.conn.skippedLineEnding;
          continue;
        }
        const content = unstuffLine(line.bytes);
        const ending = previousEnding;
        previousEnding = line.ending;
        if (content === "end" && line.ending === "crlf" && ending === "crlf") break;
        // A "." ended by a bare LF is not the terminator, just an (empty) data line.
        body.addLine(content === "end" ? line.bytes.subarray(1) : content, line.ending);
      }
      // The transaction ends with the data, whatever the outcome (RFC 5321 §4.1.1.4).
      endTransaction(s);
      const refusal = body.verdict();
      if (s.lmtp) return await replyPerRecipient(s, t, body, refusal, command);
      if (refusal) throw refusal;
      const id = await deliverMessage(s, t, body);
      reply(s, 250, "2.0.0", `OK queued as ${id}`);
    } finally {
      body.release();
    }
  },
};
