// What each protocol folder provides to the executor: greeting, TLS upgrade,
// send, expect, SASL and "read any reply" for one connection. runner/exec/
// dispatches steps through this interface and knows no protocol syntax.
// Standards: RFC 5321, RFC 1939, RFC 3501 (one driver each).

import type { AuthStep, DataStep, ExpectStep, SendStep, Span } from "../model/ast.ts";
import type { Connection } from "../session/connection.ts";
import type { Variables } from "../session/variables.ts";
import type { Deadline } from "../../wire/deadline.ts";

export interface StepContext {
  conn: Connection;
  /** Budget of the current step. */
  deadline: Deadline;
  vars: Variables;
  /** Where the running step is written, for messages about the suite itself. */
  span: Span;
  /** Resolve a template with this connection's view of the variables. */
  resolve(template: string): string;
  /** Resolve a regex template: inserted values are escaped to match literally. */
  resolveRegex(template: string): string;
}

export interface ProtocolDriver {
  /** Read the greeting and require the protocol's success form (220, +OK, * OK / PREAUTH). */
  greeting(ctx: StepContext): Promise<void>;
  /** Automatic upgrade for a `tls: starttls` endpoint, right after the greeting. */
  upgrade(ctx: StepContext): Promise<void>;
  /**
   * The `starttls` step: STARTTLS / STLS, its success reply, then the handshake.
   * `inject`: a command line sent in the same TCP write right after the upgrade
   * command, never awaited (the STARTTLS command injection check).
   */
  starttls(ctx: StepContext, inject?: string): Promise<void>;
  send(ctx: StepContext, step: SendStep): Promise<void>;
  expect(ctx: StepContext, step: ExpectStep): Promise<void>;
  auth(ctx: StepContext, step: AuthStep): Promise<void>;
  /** SMTP only; other drivers throw (the loader rejects the step for them). */
  data(ctx: StepContext, step: DataStep): Promise<void>;
  /** Read one complete reply of whatever kind (expect-closed lets complete replies pass). */
  readAny(ctx: StepContext): Promise<void>;
}

/** What a capability probe reads, as upper-case keywords (see runner/exec/capabilities.ts). */
export interface CapabilityProbe {
  /**
   * On a connection past its greeting (and past STARTTLS when `upgraded`),
   * collect what the server advertises. `user` logs in where the protocol
   * advertises more afterwards (IMAP).
   */
  (ctx: StepContext, options: { starttls: boolean; user?: { login: string; password: string } }): Promise<Set<string>>;
}
