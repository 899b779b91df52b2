// The named connections of one test: "main" and those declared in
// test.connections, each opened on first use (or by a `connect` step) with
// its protocol session, TLS mode and user; reads and checks the greeting and does the
// automatic STARTTLS of a `starttls` endpoint — after the test's own greeting
// expectation when its first step reads the greeting. Destroys every socket at the end.
// Standards: RFC 5321 §3.1, RFC 1939 §4, RFC 3501 §7.1 (greetings); RFC 3207, RFC 2595 (STARTTLS).

import type { ConnectionSpec, Protocol, Span, Step, Template, TestCase, TlsMode } from "../model/ast.ts";
import { endpointFor, portFor, type Target } from "../model/target.ts";
import type { ProtocolSession, StepContext } from "../protocols/common/driver.ts";
import { DRIVERS } from "../protocols/registry.ts";
import { Deadline } from "../../wire/deadline.ts";
import { Connection, type ReadLimits } from "../session/connection.ts";
import { StepFailure } from "../session/step-failure.ts";
import type { Transcript } from "../session/transcript.ts";
import type { Variables } from "../session/variables.ts";

export interface SessionOptions {
  test: TestCase;
  target: Target;
  transcript: Transcript;
  vars: Variables;
  limits: ReadLimits;
  signal?: AbortSignal;
}

/**
 * The StepContext of one step: a class, not an object literal with arrow
 * functions, because one is made per step and per-step closures showed up in
 * the runner-step profile (bench/runner-step.ts).
 */
class ConnectionContext implements StepContext {
  constructor(
    readonly conn: Connection,
    readonly deadline: Deadline,
    readonly vars: Variables,
    readonly span: Span,
  ) {}

  resolve(template: Template): string {
    return this.vars.resolve(template, this.span, this.conn.userIndex);
  }

  resolveRegex(template: Template): string {
    return this.vars.resolve(template, this.span, this.conn.userIndex, true);
  }
}

/** An open connection and the protocol session its steps go through. */
export interface OpenConnection {
  conn: Connection;
  protocol: ProtocolSession;
}

/** Steps that read the greeting themselves when they open a connection. */
const READING_STEPS = new Set<Step["kind"]>(["expect", "one-of", "expect-closed", "expect-silence"]);

/**
 * Where a `starttls` connection opened without its greeting stands: "greeting"
 * until a step comes (a reading step reads the greeting itself), "upgrade"
 * once that step has; the next step of the connection finds the upgrade done.
 */
type PendingUpgrade = "greeting" | "upgrade";

export class Session {
  private readonly open = new Map<string, OpenConnection>();
  private readonly retired: Connection[] = [];
  private readonly pending = new Map<string, PendingUpgrade>();

  constructor(private readonly options: SessionOptions) {}

  /** How connection `name` is declared (test.connections), or the test's own protocol for "main". */
  private spec(name: string): { protocol: Protocol; tls?: TlsMode; user: number; endpoint?: "submission" } {
    const declared: ConnectionSpec | undefined = this.options.test.connections.find((c) => c.name === name);
    if (declared) return { protocol: declared.protocol, ...(declared.tls ? { tls: declared.tls } : {}), user: declared.user ?? 0, ...(declared.endpoint ? { endpoint: declared.endpoint } : {}) };
    return { protocol: this.options.test.protocol, user: 0 };
  }

  context(conn: Connection, deadline: Deadline, span: Span): StepContext {
    return new ConnectionContext(conn, deadline, this.options.vars, span);
  }

  /** A step title with the target's passwords blanked (a suite may spell one out). */
  redactTitle(title: string): string {
    return this.options.transcript.redact(title);
  }

  /** The last command sent on a connection, for Failure.command. */
  lastCommand(name: string): string | undefined {
    return this.open.get(name)?.conn.lastCommand ?? this.retired.findLast((c) => c.name === name)?.lastCommand;
  }

  /** The open, usable connection `name` with no upgrade owed, if there is one (no await: the common case of every step). */
  ready(name: string): OpenConnection | undefined {
    const existing = this.open.get(name);
    return existing && existing.conn.usable && !this.pending.has(name) ? existing : undefined;
  }

  /**
   * The open connection `name` for `step`, opening it first if needed; a
   * reading step leaves the greeting to itself. On a `starttls` endpoint the
   * automatic upgrade waits for such a step and is done before the next one,
   * so a test's greeting expectation reads the greeting from the wire.
   */
  async use(name: string, step: Step, budgetMs: number): Promise<OpenConnection> {
    const existing = this.open.get(name);
    const open = existing?.conn.usable ? existing : await this.connect(name, !READING_STEPS.has(step.kind), step.span, budgetMs);
    const pending = this.pending.get(name);
    if (pending === undefined) return open;
    if (pending === "greeting" && READING_STEPS.has(step.kind)) {
      this.pending.set(name, "upgrade");
      return open;
    }
    this.pending.delete(name);
    const ctx = this.context(open.conn, new Deadline(budgetMs), step.span);
    if (pending === "greeting") await open.protocol.greeting(ctx);
    await open.protocol.upgrade(ctx);
    return open;
  }

  /** Open `name` now (closing an earlier connection of that name); one deadline covers connect, TLS and greeting. */
  async connect(name: string, readGreeting: boolean, span: Span, budgetMs: number): Promise<OpenConnection> {
    this.close(name, false);
    const { target, transcript, limits, signal } = this.options;
    const spec = this.spec(name);
    const endpoint = endpointFor(target, spec.protocol, spec.endpoint);
    const endpointName = spec.endpoint ?? spec.protocol;
    if (!endpoint) {
      throw new StepFailure("connection", `target "${target.name}" has no ${endpointName} endpoint`, `a ${endpointName} endpoint`, "none configured");
    }
    const tls = spec.tls ?? endpoint.tls;
    const port = portFor(endpoint, tls);
    if (port === undefined) {
      // The plan skips such tests; a connection reached anyway says why instead of dialling the wrong port.
      throw new StepFailure("connection", `target "${target.name}" has no ${spec.protocol} port for tls: ${tls}`, `a ${spec.protocol} port speaking ${tls}`, "none configured");
    }
    const deadline = new Deadline(budgetMs);
    // A Unix-domain socket (an LMTP endpoint's `socket`) is noted as the host with port 0.
    transcript.note(name, { kind: "connect", host: endpoint.socket ?? target.host, port, protocol: spec.protocol, tls });
    const conn = await Connection.open({
      name,
      host: target.host,
      port,
      ...(endpoint.socket !== undefined ? { socketPath: endpoint.socket } : {}),
      implicitTls: tls === "implicit",
      insecure: target.insecure,
      ...(target.tlsCa !== undefined ? { caFile: target.tlsCa } : {}),
      transcript,
      limits,
      deadline,
      ...(signal ? { signal } : {}),
    });
    conn.userIndex = spec.user;
    const open: OpenConnection = { conn, protocol: DRIVERS[spec.protocol].open(conn) };
    this.open.set(name, open);
    if (tls === "starttls" && !readGreeting) {
      // The upgrade must come after the greeting, and the test's first step may read that itself (use()).
      this.pending.set(name, "greeting");
      return open;
    }
    const ctx = this.context(conn, deadline, span);
    if (readGreeting) await open.protocol.greeting(ctx);
    if (tls === "starttls") await open.protocol.upgrade(ctx);
    return open;
  }

  /** Whether the server has closed connection `name` (its end of the stream seen), as opposed to the client or never opened. */
  closedByServer(name: string): boolean {
    return this.open.get(name)?.conn.peerGone ?? false;
  }

  /** Client-side close; `record` false when a reconnect replaces it. */
  close(name: string, record = true): void {
    const conn = this.open.get(name)?.conn;
    if (!conn) return;
    this.open.delete(name);
    this.pending.delete(name);
    this.retired.push(conn);
    if (record || conn.usable) conn.close();
  }

  destroyAll(): void {
    for (const { conn } of this.open.values()) conn.destroy();
    for (const conn of this.retired) conn.destroy();
    this.open.clear();
    this.pending.clear();
    this.retired.length = 0;
  }
}
