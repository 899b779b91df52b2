// Reads what a target advertises for one protocol — EHLO keywords, CAPA tags,
// CAPABILITY atoms (before and after login) — so the orchestrator can skip
// tests whose `requires` are missing. Never throws for server behaviour:
// an unreachable or broken server is { ok: false, reason, class }.
// Standards: RFC 5321 §4.1.1.1, RFC 2449 §5, RFC 3501 §6.1.1 (see the per-protocol probes).

import type { Protocol, Template } from "../model/ast.ts";
import type { FailureClass } from "../model/failure.ts";
import type { Target } from "../model/target.ts";
import { DRIVERS } from "../protocols/registry.ts";
import { Deadline } from "../../wire/deadline.ts";
import { Connection, DEFAULT_READ_LIMITS } from "../session/connection.ts";
import { StepFailure } from "../session/step-failure.ts";
import { Transcript } from "../session/transcript.ts";
import { Variables } from "../session/variables.ts";

export type CapabilityResult =
  | { ok: true; advertised: Set<string> }
  | { ok: false; reason: string; class: FailureClass };

const PROBE_SPAN = { file: "<capability probe>", line: 0, col: 0 };

/**
 * Upper-case keywords: EHLO keywords plus "AUTH=<mech>" per SASL mechanism;
 * POP3 CAPA tags plus "SASL=<mech>"; IMAP CAPABILITY atoms before and after
 * LOGIN with the main user. `timeoutMs` bounds each phase (connect, each exchange).
 */
export async function probeCapabilities(target: Target, protocol: Protocol, timeoutMs: number): Promise<CapabilityResult> {
  const endpoint = target.endpoints[protocol];
  if (!endpoint) return { ok: false, reason: `target "${target.name}" has no ${protocol} endpoint`, class: "connection" };
  const transcript = new Transcript(Date.now(), () => {}, target.users.map((u) => u.password));
  const vars = new Variables({}, target.users);
  let conn: Connection | undefined;
  try {
    const deadline = new Deadline(timeoutMs);
    conn = await Connection.open({
      name: "probe",
      host: target.host,
      port: endpoint.port,
      implicitTls: endpoint.tls === "implicit",
      insecure: target.insecure,
      ...(target.tlsCa !== undefined ? { caFile: target.tlsCa } : {}),
      transcript,
      limits: DEFAULT_READ_LIMITS,
      deadline,
    });
    const ctx = { conn, deadline, vars, span: PROBE_SPAN, resolve: (t: Template) => vars.resolve(t, PROBE_SPAN), resolveRegex: (t: Template) => vars.resolve(t, PROBE_SPAN, 0, true) };
    const session = DRIVERS[protocol].open(conn);
    await session.greeting(ctx);
    const user = target.users[0];
    const advertised = await session.capabilities(
      { ...ctx, deadline: new Deadline(timeoutMs * 3) },
      { starttls: endpoint.tls === "starttls", ...(user ? { user: { login: user.login, password: user.password } } : {}) },
    );
    return { ok: true, advertised };
  } catch (error) {
    if (error instanceof StepFailure) {
      const { message, actual } = error.failure;
      return { ok: false, reason: `${message}${actual ? ` (got: ${actual})` : ""}`, class: error.failure.class };
    }
    throw error;
  } finally {
    conn?.destroy();
  }
}
