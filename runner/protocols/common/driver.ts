// What each protocol provides to the executor: a driver that opens a protocol
// session on a connection. The session keeps that connection's protocol state
// (IMAP tags and queues, the POP3 greeting) and does greeting, TLS upgrade,
// send, expect, SASL, "read any reply" and the capability probe. runner/exec/
// dispatches steps through these interfaces and knows no protocol syntax.
// Standards: RFC 5321, RFC 1939, RFC 3501 (one driver each).

import type { AuthStep, DataStep, ExpectStep, SendStep, Span, Template } from "../../model/ast.ts";
import type { Connection } from "../../session/connection.ts";
import type { Variables } from "../../session/variables.ts";
import type { Deadline } from "../../../wire/deadline.ts";

export interface StepContext {
  conn: Connection;
  /** Budget of the current step. */
  deadline: Deadline;
  vars: Variables;
  /** Where the running step is written, for messages about the suite itself. */
  span: Span;
  /** Resolve a template with this connection's view of the variables. */
  resolve(template: Template): string;
  /** Resolve a regex template: inserted values are escaped to match literally. */
  resolveRegex(template: Template): string;
}

export interface ProtocolDriver {
  /** The protocol session of a connection just opened; every later step on it goes through the session. */
  open(conn: Connection): ProtocolSession;
}

/** What a capability probe is told: upgrade first (a STARTTLS endpoint), and whom to log in as where the protocol advertises more afterwards (IMAP). */
export interface ProbeOptions {
  starttls: boolean;
  user?: { login: string; password: string };
}

/** One connection's protocol session; `ctx.conn` is always the connection it was opened on. */
export interface ProtocolSession {
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
  /** SMTP only; other sessions throw (the loader rejects the step for them). */
  data(ctx: StepContext, step: DataStep): Promise<void>;
  /** Read one complete reply of whatever kind (expect-closed lets complete replies pass). */
  readAny(ctx: StepContext): Promise<void>;
  /**
   * On a connection past its greeting, collect what the server advertises, as
   * upper-case keywords (see runner/exec/capabilities.ts).
   */
  capabilities(ctx: StepContext, options: ProbeOptions): Promise<Set<string>>;
}
