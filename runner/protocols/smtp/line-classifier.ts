// Places each transcript line of an SMTP connection: commands and their verbs,
// reply lines with their code and whether the reply goes on, message content
// after 354 up to its lone ".", and SASL responses after 334 — so statistics
// and reports read facts, never the reply text.
// Standards: RFC 5321 §4.1.1.4 (DATA, end of data), §4.2 (reply lines, "-" continuation), RFC 4954 §4 (334), RFC 3207 §4 (STARTTLS go-ahead).

import type { LineFacts } from "../../session/transcript.ts";
import { DialogueClassifier } from "../common/line-classifier.ts";
import { continuesReply, isReplyLine } from "./reader.ts";

/** The pseudo-verb of message content's final ".": its reply says the message is safe (RFC 5321 §4.1.1.4). */
export const END_OF_DATA = "END-OF-DATA";

export class SmtpLineClassifier extends DialogueClassifier {
  /** Inside a multiline reply (a "250-" line seen). */
  private inReply = false;
  /** The client is sending message content after 354, up to ".". */
  private inData = false;

  protected client(text: string, ms: number, facts: LineFacts): void {
    if (this.inData) {
      if (text !== ".") {
        facts.role = "content";
        return;
      }
      this.inData = false;
      this.command(END_OF_DATA, ms, "");
      facts.role = "end-of-data";
      return;
    }
    this.commandOrResponse(text, ms, facts);
  }

  protected server(text: string, ms: number, facts: LineFacts): void {
    if (!isReplyLine(text)) {
      facts.role = "other";
      return;
    }
    const code = text.slice(0, 3);
    const first = !this.inReply;
    this.inReply = continuesReply(text);
    facts.role = "reply";
    facts.code = code;
    if (this.inReply) facts.more = true;
    if (!first) return;
    const command = this.replyStarts(facts, ms);
    if (code === "354") this.inData = true;
    if (code === "334" && command) this.continuation = command;
    if (command?.verb === "STARTTLS" && code.startsWith("2")) facts.tlsGoAhead = true;
  }
}
