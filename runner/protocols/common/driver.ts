// What each protocol provides to the executor: a driver that opens a protocol
// session on a connection. The session keeps that connection's protocol state
// (IMAP tags and queues, the POP3 greeting) and does greeting, TLS upgrade,
// send, expect, SASL, "read any reply" and the capability probe. runner/exec/
// dispatches steps through these interfaces and knows no protocol syntax.
// Standards: RFC 5321, RFC 1939, RFC 3501 (one driver each).

import type { AuthStep, CapabilityState, DataStep, ExpectStep, LocateStep, SendStep, Span, Template } from "../../model/ast.ts";
import type { ImapNamespace } from "../../model/target.ts";
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

/**
 * What a capability probe is told. `upgrade`: "endpoint" on a `tls: starttls`
 * endpoint (the upgrade must succeed); "offered" upgrades when the server
 * advertises STARTTLS / STLS, to read what it offers afterwards; "never".
 * `user`: whom to log in as, to read what is offered after authentication.
 */
export interface ProbeOptions {
  upgrade: "endpoint" | "offered" | "never";
  user?: { login: string; password: string };
  /** The run's token: a scratch mailbox the probe makes carries it, so the after-run sweep finds a leftover. */
  runToken?: string;
}

/**
 * What a probe found, filled in as it goes: a probe that fails midway keeps
 * the states it read before (runner/exec/capabilities.ts decides what that means).
 */
export interface ProbeFindings {
  states: { [S in CapabilityState]?: Set<string> };
  /** IMAP: the personal namespace, read after login. */
  namespace?: ImapNamespace;
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
  /** Nothing (not a settled promise) when the command went out at once: the executor then has nothing to await. */
  send(ctx: StepContext, step: SendStep): Promise<void> | void;
  expect(ctx: StepContext, step: ExpectStep): Promise<void>;
  /**
   * A one-of step: read ONE reply and return the index of the first of
   * `expects` it matches, binding that one's captures only; `labels` name the
   * alternatives in the failure when it matches none (common/one-of.ts).
   */
  expectOneOf(ctx: StepContext, expects: ExpectStep["expect"][], labels: string[]): Promise<number>;
  auth(ctx: StepContext, step: AuthStep): Promise<void>;
  /** SMTP only; other sessions throw (the loader rejects the step for them). */
  data(ctx: StepContext, step: DataStep): Promise<void>;
  /** POP3 only, absent elsewhere (the loader rejects the step for other protocols): find a message by its header. */
  locate?(ctx: StepContext, step: LocateStep): Promise<void>;
  /** Read one complete reply of whatever kind (expect-closed lets complete replies pass). */
  readAny(ctx: StepContext): Promise<void>;
  /**
   * On a connection past its greeting, collect what the server advertises in
   * each state the probe reaches, as upper-case keywords, into `found` (see
   * runner/exec/capabilities.ts). Ends the session (QUIT / LOGOUT).
   */
  capabilities(ctx: StepContext, options: ProbeOptions, found: ProbeFindings): Promise<void>;
}
