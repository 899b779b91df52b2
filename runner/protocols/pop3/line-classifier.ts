// Places each transcript line of a POP3 connection: commands and their verbs,
// status lines (+OK / -ERR), "+" continuation requests and the SASL responses
// answering them, and multiline bodies up to their lone "." — which commands
// have one is ./multiline.ts.
// Standards: RFC 1939 §3 (status indicators, multiline responses), RFC 5034 §4 ("+" challenges), RFC 2595 §4 (STLS go-ahead).

import type { LineFacts } from "../../session/transcript.ts";
import { DialogueClassifier } from "../common/line-classifier.ts";
import { hasMultilineAnswer } from "./multiline.ts";

export class Pop3LineClassifier extends DialogueClassifier {
  /** Reading a multiline body up to ".". */
  private inBody = false;
  protected client(text: string, ms: number, facts: LineFacts): void {
    this.commandOrResponse(text, ms, facts);
  }

  protected server(text: string, ms: number, facts: LineFacts): void {
    if (this.inBody) {
      if (text !== ".") {
        facts.role = "content";
        return;
      }
      this.inBody = false;
      facts.role = "end-of-data";
      return;
    }
    if (text.startsWith("+OK") || text.startsWith("-ERR")) {
      const ok = text.startsWith("+OK");
      facts.role = "reply";
      facts.status = ok ? "+OK" : "-ERR";
      const command = this.replyStarts(facts, ms);
      if (ok && command && hasMultilineAnswer(command.verb, command.args)) {
        this.inBody = true;
        facts.more = true;
      }
      if (ok && command?.verb === "STLS") facts.tlsGoAhead = true;
      return;
    }
    if (text === "+" || text.startsWith("+ ")) {
      facts.role = "continue";
      const command = this.replyStarts(facts, ms);
      if (command) this.continuation = command;
      return;
    }
    facts.role = "other";
  }
}
