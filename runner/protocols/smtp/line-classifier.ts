// Places each transcript line of an SMTP connection: commands and their verbs,
// reply lines with their code and whether the reply goes on, message content
// after 354 up to its lone ".", and SASL responses after 334 — so statistics
// and reports read facts, never the reply text.
// Standards: RFC 5321 §4.1.1.4 (DATA, end of data), §4.2 (reply lines, "-" continuation), RFC 4954 §4 (334), RFC 3207 §4 (STARTTLS go-ahead).

import type { LineFacts } from "../../session/transcript.ts";
import { DialogueClassifier } from "../common/line-classifier.ts";

/** The pseudo-verb of message content's final ".": its reply says the message is safe (RFC 5321 §4.1.1.4). */
export const END_OF_DATA = "END-OF-DATA";

/** Reply-code [ SP / "-" textstring ]: group 1 the code, group 2 the separator. */
const REPLY_LINE = /^(\d\d\d)([ -]|$)/;

export class SmtpLineClassifier extends DialogueClassifier {
  /** Inside a multiline reply (a "250-" line seen). */
  private inReply = false;
  /** The client is sending message content after 354, up to ".". */
  private inData = false;

  protected client(text: string, ms: number): LineFacts {
    if (this.inData) {
      if (text !== ".") return { role: "content" };
      this.inData = false;
      this.command(END_OF_DATA, ms, "");
      return { role: "end-of-data" };
    }
    return this.commandOrResponse(text, ms);
  }

  protected server(text: string, ms: number): LineFacts {
    const m = REPLY_LINE.exec(text);
    if (!m) return { role: "other" };
    const code = m[1]!;
    const first = !this.inReply;
    this.inReply = m[2] === "-";
    const facts: LineFacts = { role: "reply", code };
    if (this.inReply) facts.more = true;
    if (!first) return facts;
    const command = this.replyStarts(facts, ms);
    if (code === "354") this.inData = true;
    if (code === "334" && command) this.continuation = command;
    if (command?.verb === "STARTTLS" && code.startsWith("2")) facts.tlsGoAhead = true;
    return facts;
  }
}
