// BDAT: a chunk of exactly chunk-size octets, the last one marked LAST. The
// chunk is always read, even when the command is refused, because its octets
// are not commands and must not be executed as such; it must keep arriving
// (a TransferDeadline: stall limit and minimum rate). On the LMTP listener
// BDAT LAST gets one reply per accepted recipient, as DATA's "." does
// (../lmtp.ts), and none at all in a transaction without one.
// Standards: RFC 3030 §2 and §3 (bdat-cmd, 503 without a valid transaction), RFC 1870 §6.3,
// RFC 2033 §4.3 (BDAT LAST: one reply per successful RCPT; zero without one).

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import { deliverMessage } from "../deliver.ts";
import { replyPerRecipient } from "../lmtp.ts";
import { BDAT_READ_SLICE_OCTETS } from "../limits.ts";
import { MessageBody } from "../message-body.ts";
import { ALL_STATES, endTransaction, smtpState, type SmtpSession } from "../states.ts";
import { reply } from "../vocabulary.ts";

export const bdat: CommandRow<SmtpSession> = {
  verb: "BDAT",
  // Every state: the gate must not refuse before the chunk has been consumed.
  states: ALL_STATES,
  flags: { preTls: true },
  async handle(s, command) {
    // bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CRLF; chunk-size = 1*DIGIT; end-marker = "LAST"
    const match = /^(\d{1,15})( LAST)?$/i.exec(command.args);
    if (!match) throw new ClientError("syntax", "expected BDAT <chunk-size> [LAST]");
    const size = Number(match[1]);
    const last = match[2] !== undefined;
    const { smtp } = s.context.config;
    const state = smtpState(s);
    const accepting = (state === "rcpt" || state === "bdat") && (!s.context.config.smtp.requireTls || s.conn.tls);
    // LMTP: "BDAT n LAST" after MAIL with no accepted RCPT is answered by zero replies, once its chunk is read.
    const silentLmtpLast = s.lmtp && last && state === "mail";
    const t = s.transaction;
    const body = accepting ? (t!.chunks ??= new MessageBody(smtp.maxMessageOctets, smtp.bareLineEndings === "normalize", s.context.memory)) : null;
    const deadline = s.conn.transfer(smtp.dataTimeoutMs, smtp.minDataOctetsPerSecond);
    for (let left = size; left > 0; ) {
      const slice = await s.conn.readChunk(Math.min(left, BDAT_READ_SLICE_OCTETS), deadline);
      left -= slice.length;
      body?.addChunk(slice);
    }
    if (silentLmtpLast) {
      endTransaction(s);
      return;
    }
    if (!body || !t) {
      if (state !== "rcpt" && state !== "bdat") throw new ClientError("bad-sequence", "BDAT needs MAIL and RCPT first");
      throw new ClientError("tls-required", "must issue a STARTTLS command first");
    }
    if (body.refusedEarly && !(s.lmtp && last)) {
      endTransaction(s);
      throw body.verdict()!;
    }
    if (!last) {
      reply(s, 250, "2.0.0", `${size} octets received`);
      return;
    }
    s.transaction = null;
    try {
      body.finishChunks();
      const refusal = body.verdict();
      if (s.lmtp) return await replyPerRecipient(s, t, body, refusal, command);
      if (refusal) throw refusal;
      const id = await deliverMessage(s, t, body);
      reply(s, 250, "2.0.0", `OK ${body.octets} octets queued as ${id}`);
    } finally {
      body.release();
    }
  },
};
