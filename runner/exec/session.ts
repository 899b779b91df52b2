// The named connections of one test: "main" and those declared in
// test.connections, each opened on first use (or by a `connect` step) with
// its protocol, TLS mode and user; reads and checks the greeting and does the
// automatic STARTTLS of a `starttls` endpoint. Destroys every socket at the end.
// Standards: RFC 5321 §3.1, RFC 1939 §4, RFC 3501 §7.1 (greetings); RFC 3207, RFC 2595 (STARTTLS).

import type { ConnectionSpec, Protocol, Span, Step, TestCase, TlsMode } from "../model/ast.ts";
import type { Target } from "../model/target.ts";
import type { ProtocolDriver, StepContext } from "../protocols/driver.ts";
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

  resolve(template: string): string {
    return this.vars.resolve(template, this.span, this.conn.userIndex);
  }

  resolveRegex(template: string): string {
    return this.vars.resolve(template, this.span, this.conn.userIndex, true);
  }
}

/** Steps that read the greeting themselves when they open a connection. */
const READING_STEPS = new Set<Step["kind"]>(["expect", "expect-closed", "expect-silence"]);

export class Session {
  private readonly open = new Map<string, Connection>();
  private readonly retired: Connection[] = [];
  /** spec() per connection name: asked on every step, and test.connections never changes. */
  private readonly specs = new Map<string, { protocol: Protocol; tls?: TlsMode; user: number }>();

  constructor(private readonly options: SessionOptions) {}

  spec(name: string): { protocol: Protocol; tls?: TlsMode; user: number } {
    let spec = this.specs.get(name);
    if (!spec) {
      spec = this.declaredSpec(name);
      this.specs.set(name, spec);
    }
    return spec;
  }

  private declaredSpec(name: string): { protocol: Protocol; tls?: TlsMode; user: number } {
    const declared: ConnectionSpec | undefined = this.options.test.connections.find((c) => c.name === name);
    if (declared) return { protocol: declared.protocol, ...(declared.tls ? { tls: declared.tls } : {}), user: declared.user ?? 0 };
    return { protocol: this.options.test.protocol, user: 0 };
  }

  driver(conn: Connection): ProtocolDriver {
    return DRIVERS[this.spec(conn.name).protocol];
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
    return this.open.get(name)?.lastCommand ?? this.retired.findLast((c) => c.name === name)?.lastCommand;
  }

  /** The open, usable connection `name`, if there is one (no await: the common case of every step). */
  ready(name: string): Connection | undefined {
    const existing = this.open.get(name);
    return existing && existing.usable ? existing : undefined;
  }

  /** The open connection `name`, opening it first if needed; a reading step leaves the greeting to itself. */
  async use(name: string, step: Step, budgetMs: number): Promise<Connection> {
    const existing = this.ready(name);
    if (existing) return existing;
    return this.connect(name, !READING_STEPS.has(step.kind), step.span, budgetMs);
  }

  /** Open `name` now (closing an earlier connection of that name); one deadline covers connect, TLS and greeting. */
  async connect(name: string, readGreeting: boolean, span: Span, budgetMs: number): Promise<Connection> {
    this.close(name, false);
    const { target, transcript, limits, signal } = this.options;
    const spec = this.spec(name);
    const endpoint = target.endpoints[spec.protocol];
    if (!endpoint) {
      throw new StepFailure("connection", `target "${target.name}" has no ${spec.protocol} endpoint`, `a ${spec.protocol} endpoint`, "none configured");
    }
    const tls = spec.tls ?? endpoint.tls;
    const deadline = new Deadline(budgetMs);
    transcript.record(name, "*", `connecting to ${target.host}:${endpoint.port} (${spec.protocol}, tls ${tls})`);
    const conn = await Connection.open({
      name,
      host: target.host,
      port: endpoint.port,
      implicitTls: tls === "implicit",
      insecure: target.insecure,
      ...(target.tlsCa !== undefined ? { caFile: target.tlsCa } : {}),
      transcript,
      limits,
      deadline,
      ...(signal ? { signal } : {}),
    });
    conn.userIndex = spec.user;
    this.open.set(name, conn);
    const ctx = this.context(conn, deadline, span);
    // A starttls endpoint must be past its greeting before the upgrade, whoever asked.
    if (readGreeting || tls === "starttls") await DRIVERS[spec.protocol].greeting(ctx);
    if (tls === "starttls") await DRIVERS[spec.protocol].upgrade(ctx);
    return conn;
  }

  /** Client-side close; `record` false when a reconnect replaces it. */
  close(name: string, record = true): void {
    const conn = this.open.get(name);
    if (!conn) return;
    this.open.delete(name);
    this.retired.push(conn);
    if (record || conn.usable) conn.close();
  }

  destroyAll(): void {
    for (const conn of [...this.open.values(), ...this.retired]) conn.destroy();
    this.open.clear();
    this.retired.length = 0;
  }
}
