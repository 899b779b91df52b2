// IDLE: "+ idling", then every change to the selected mailbox is sent as it
// happens (a delivery by SMTP shows up at once) until the client sends DONE.
// The autologout timer still runs; clients re-issue IDLE within 29 minutes.
// The wait for DONE is the session driver's (LineAwaited): an idling session
// holds no read in progress, only its mailbox's wake-up (10,000 sessions in
// IDLE must fit in memory, issue 18).
// Standards: RFC 2177 §3, RFC 3501 §5.4.

import type { Command, CommandRow, LineAwaited } from "../../core/command-table.ts";
import { LINE_TOO_LONG, type ReadLine } from "../../core/connection.ts";
import { ClientError } from "../../core/errors.ts";
import { noArgs } from "../grammar/command-args.ts";
import type { MailboxView } from "../mailbox/view.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { complete, continuation } from "../vocabulary.ts";

export const idle: CommandRow<ImapSession, ImapState> = {
  verb: "IDLE",
  states: AUTHENTICATED,
  handle(s, command) {
    noArgs(command);
    continuation(s, "idling");
    const idling = new Idling(s, command);
    if (s.view) idling.watch(s.view);
    return idling;
  },
};

/** One IDLE command, from "+ idling" to DONE. */
class Idling implements LineAwaited<ImapSession> {
  readonly timeoutMs: number;
  failure: unknown = undefined;
  private active = true;
  /** Updates being sent: DONE's tagged OK waits for them, so responses never interleave. */
  private delivering: Promise<void> | null = null;

  constructor(
    private readonly session: ImapSession,
    private readonly command: Command,
  ) {
    this.timeoutMs = session.context.config.imap.idleTimeoutMs;
  }

  /** Send the mailbox's changes as they happen, until DONE (or the session's end). */
  watch(view: MailboxView): void {
    void view.changed().then(() => this.changed(view));
  }

  private async changed(view: MailboxView): Promise<void> {
    if (!this.active || this.session.view !== view) return;
    this.delivering = view.deliverUpdates(this.session, { expunges: true });
    try {
      await this.delivering;
    } catch (error) {
      // The command fails with it, through the driver, as when IDLE's own loop threw (RFC 3501 §7.1.5: BYE for a deleted mailbox).
      this.active = false;
      this.failure = error;
      this.session.conn.interrupt();
      return;
    } finally {
      this.delivering = null;
    }
    this.session.conn.flush();
    if (this.active) this.watch(view);
  }

  async line(s: ImapSession, input: ReadLine): Promise<void> {
    this.active = false;
    await this.delivering?.catch(() => undefined);
    if (this.failure !== undefined) throw this.failure;
    if (input === LINE_TOO_LONG || input.bytes.toString("latin1").toUpperCase() !== "DONE") {
      throw new ClientError("syntax", "expected DONE to end IDLE");
    }
    await complete(s, this.command, "idle terminated");
  }
}
