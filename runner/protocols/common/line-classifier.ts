// What every protocol's line classifier shares: the queue of commands awaiting
// their reply, literal octets to skip in each direction, and the rule that the
// first line of a reply answers the oldest command (the greeting when none).
// Each protocol's line-classifier.ts adds its reply grammar on top.
// Standards: RFC 5321 §4.2, RFC 1939 §3 (one reply per command, in order; RFC 2920 / RFC 2449 pipelining).

import type { WireNote } from "../../model/result.ts";
import type { LineClassifier, LineFacts } from "../../session/transcript.ts";

export interface PendingCommand {
  verb: string;
  /** When the command (or its latest continuation line) was sent. */
  ms: number;
  /** IMAP tag. */
  tag?: string;
  /** The rest of the command line. */
  args: string;
}

export abstract class DialogueClassifier implements LineClassifier {
  protected readonly pending: PendingCommand[] = [];
  protected greeted = false;
  /** Octets of a literal still to come from the client / the server. */
  protected clientLiteral = 0;
  private serverLiteral = 0;

  line(dir: "C" | "S", text: string, ms: number, octets: number, facts: LineFacts): void {
    if (dir === "C") {
      if (this.clientLiteral > 0) {
        this.clientLiteral -= octets;
        facts.role = "literal";
        return;
      }
      this.client(text, ms, facts);
      return;
    }
    if (this.serverLiteral > 0) {
      this.serverLiteral -= octets;
      facts.role = "literal";
      return;
    }
    this.server(text, ms, facts);
  }

  note(note: WireNote): void {
    if (note.kind === "literal") this.serverLiteral = note.octets;
  }

  /** Each adds its facts to `facts` (the transcript line itself: no facts object per line), in the order a report shows them. */
  protected abstract client(text: string, ms: number, facts: LineFacts): void;
  protected abstract server(text: string, ms: number, facts: LineFacts): void;

  /** The server asked for more (SMTP 334, POP3 "+"): the next client line answers that command. */
  protected continuation: PendingCommand | undefined;

  /**
   * A client line outside literals and message content: the SASL response a
   * continuation asked for (timed as a new turn of that command), or a command.
   */
  protected commandOrResponse(text: string, ms: number, facts: LineFacts): void {
    const continued = this.continuation;
    if (continued) {
      this.continuation = undefined;
      this.command(continued.verb, ms, continued.args);
      facts.role = "response";
      facts.verb = continued.verb;
      return;
    }
    // The verb is the text up to the first space, the arguments all after it (no array of words per line).
    const space = text.indexOf(" ");
    const verb = upperCase(space === -1 ? text : text.slice(0, space));
    this.command(verb, ms, space === -1 ? "" : text.slice(space + 1));
    facts.role = "command";
    facts.verb = verb;
  }

  /** A command line: queued until the first line of its reply. */
  protected command(verb: string, ms: number, args: string, tag?: string): PendingCommand {
    const command: PendingCommand = tag !== undefined ? { verb, ms, args, tag } : { verb, ms, args };
    this.pending.push(command);
    return command;
  }

  /** The first line of an SMTP or POP3 reply: the greeting, or the answer to the oldest pending command. */
  protected replyStarts(facts: LineFacts, ms: number): PendingCommand | undefined {
    if (!this.greeted && this.pending.length === 0) {
      this.greeted = true;
      facts.greeting = true;
      return undefined;
    }
    this.greeted = true;
    const command = this.pending.shift();
    if (command) answered(facts, command, ms);
    return command;
  }
}

/** `word` in upper case; the same string when it is already (most verbs as sent): no new string per line. */
export function upperCase(word: string): string {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    // a–z, or anything past ASCII: toUpperCase decides.
    if ((c >= 0x61 && c <= 0x7a) || c > 0x7f) return word.toUpperCase();
  }
  return word;
}

/** Mark a reply's first line with the command it answers and how long that took. */
export function answered(facts: LineFacts, command: PendingCommand, ms: number): void {
  facts.verb = command.verb;
  facts.waitedMs = Math.max(0, ms - command.ms);
}
