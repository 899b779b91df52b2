// Places each transcript line of an IMAP connection: tagged commands (tag,
// verb, "UID FETCH"), the tagged completion that answers each by tag, the
// greeting, untagged responses by name, "+" continuation requests and the
// lines answering them (AUTHENTICATE, IDLE's DONE), and literal octets in
// both directions (a client "{n}" line end, the engine's literal note).
// Standards: RFC 3501 §2.2.1 (tags), §4.3 (literals), §7.1 (status responses), §7.5 (continuation requests), RFC 2595 §4 / RFC 3501 §6.2.1 (STARTTLS).

import type { LineFacts } from "../../session/transcript.ts";
import { answered, DialogueClassifier } from "../common/line-classifier.ts";

/** Commands whose continuation requests are answered by client lines that are not commands. */
const CONTINUED = new Set(["AUTHENTICATE", "IDLE"]);
/** literal = "{" number ["+"] "}" CRLF, at the end of a command line (RFC 3501 §4.3, RFC 7888 LITERAL+). */
const CLIENT_LITERAL = /\{(\d+)\+?\}$/;
const GREETING_STATUS = /^\* (OK|PREAUTH|BYE)\b/i;
const BYE = /^\* BYE\b/i;
const TAGGED_STATUS = /^(OK|NO|BAD)\b/i;

/** The name of an untagged response: "* 3 EXISTS" → "EXISTS", "* OK [ALERT] …" → "OK". */
export function untaggedName(line: string): string {
  const words = line.slice(2).split(" ");
  const name = /^\d+$/.test(words[0] ?? "") ? (words[1] ?? "") : (words[0] ?? "");
  return name.replace(/[^A-Za-z0-9-]/g, "").toUpperCase();
}

export class ImapLineClassifier extends DialogueClassifier {
  protected client(text: string, ms: number, facts: LineFacts): void {
    const continued = this.continuation;
    if (continued) {
      // The tagged reply still belongs to the original command, already queued: it is timed from this line.
      this.continuation = undefined;
      const head = this.pending.find((p) => p.tag === continued.tag);
      if (head) head.ms = ms;
      facts.role = "response";
      facts.verb = continued.verb;
      return;
    }
    const words = text.split(" ");
    const tag = words[0] ?? "";
    let verb = (words[1] ?? "").toUpperCase();
    if (verb === "UID" && words[2]) verb = `UID ${words[2].toUpperCase()}`;
    this.command(verb, ms, words.slice(2).join(" "), tag);
    const literal = CLIENT_LITERAL.exec(text);
    if (literal) this.clientLiteral = Number(literal[1]);
    facts.role = "command";
    facts.verb = verb;
    facts.tag = tag;
  }

  protected server(text: string, ms: number, facts: LineFacts): void {
    if (text === "+" || text.startsWith("+ ")) {
      const head = this.pending.at(-1);
      if (head && CONTINUED.has(head.verb)) this.continuation = head;
      facts.role = "continue";
      return;
    }
    if (text.startsWith("* ")) {
      facts.role = "untagged";
      const name = untaggedName(text);
      if (name !== "") facts.untagged = name;
      if (!this.greeted && this.pending.length === 0) {
        this.greeted = true;
        facts.greeting = true;
        const status = GREETING_STATUS.exec(text);
        if (status) facts.status = status[1]!.toUpperCase();
      } else if (BYE.test(text)) facts.status = "BYE";
      return;
    }
    const sp = text.indexOf(" ");
    const tag = sp > 0 ? text.slice(0, sp) : text;
    const i = this.pending.findIndex((p) => p.tag === tag);
    // A tag no command carries: nothing it could complete.
    if (i < 0) {
      facts.role = "other";
      facts.tag = tag;
      return;
    }
    const [command] = this.pending.splice(i, 1);
    facts.role = "reply";
    facts.tag = tag;
    const status = TAGGED_STATUS.exec(text.slice(sp + 1));
    if (status) facts.status = status[1]!.toUpperCase();
    answered(facts, command!, ms);
    if (command!.verb === "STARTTLS" && facts.status === "OK") facts.tlsGoAhead = true;
  }
}
