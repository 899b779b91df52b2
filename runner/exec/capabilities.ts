// Reads what a target advertises for one protocol, in each state a session
// passes through — before TLS, after STARTTLS / STLS, after login — and, for
// IMAP, where the user's mailboxes live, so the orchestrator can skip tests
// whose `requires` are missing in the state they need them and bind
// ${imap.prefix} / ${imap.delimiter}, and says with the pseudo-capability
// HIERARCHY whether mailbox names can have levels. Never throws for server
// behaviour: an unreachable or broken server is { ok: false, reason, class }.
// Standards: RFC 5321 §4.1.1.1, RFC 3207 §4.2, RFC 2449 §5, RFC 2595 §4, RFC 3501 §6.1.1, §7.2.1, RFC 2342 (see the per-protocol probes).

import type { Protocol, Template } from "../model/ast.ts";
import type { FailureClass } from "../model/failure.ts";
import type { AdvertisedSets, ImapNamespace, Target } from "../model/target.ts";
import type { ProbeFindings, ProbeOptions } from "../protocols/common/driver.ts";
import { DRIVERS } from "../protocols/registry.ts";
import { Deadline } from "../../wire/deadline.ts";
import { Connection, DEFAULT_READ_LIMITS } from "../session/connection.ts";
import { StepFailure } from "../session/step-failure.ts";
import { Transcript } from "../session/transcript.ts";
import { Variables } from "../session/variables.ts";

export type CapabilityResult =
  | {
      ok: true;
      /** Every keyword of every state: what the server offers at some point of a session. */
      advertised: Set<string>;
      /** Per state; a state the probe could not reach is absent (the matcher falls back to the one before). */
      states: AdvertisedSets;
      /** IMAP, when the probe could log in: the personal namespace. */
      namespace?: ImapNamespace;
    }
  | { ok: false; reason: string; class: FailureClass };

const PROBE_SPAN = { file: "<capability probe>", line: 0, col: 0 };

/**
 * IMAP pseudo-capability, after login: the user's mailboxes have a hierarchy
 * delimiter — the target file's, else the one the probe read, else the
 * assumed "/" (runner/session/variables.ts). A NIL delimiter (a flat
 * namespace, RFC 3501 §6.3.8) leaves it out, so tests that create child
 * mailboxes (`requires: [HIERARCHY]`) are skipped there, not failed.
 */
export const HIERARCHY = "HIERARCHY";

/**
 * Upper-case keywords per state: EHLO keywords plus "AUTH=<mech>" per SASL
 * mechanism; POP3 CAPA tags plus "SASL=<mech>" (and APOP for a greeting
 * timestamp); IMAP CAPABILITY atoms. Where the server offers STARTTLS the
 * probe upgrades to read the list after it; it logs in with the main user to
 * read the list after login. An upgrade that fails on an endpoint where it is
 * optional (a certificate the runner does not trust) costs only that state:
 * the login is then probed again without TLS. `timeoutMs` bounds each phase.
 */
export async function probeCapabilities(target: Target, protocol: Protocol, timeoutMs: number, runToken?: string): Promise<CapabilityResult> {
  const endpoint = target.endpoints[protocol];
  if (!endpoint) return { ok: false, reason: `target "${target.name}" has no ${protocol} endpoint`, class: "connection" };
  const found: ProbeFindings = { states: {} };
  const starttlsEndpoint = endpoint.tls === "starttls";
  const failed = await probeOnce(target, protocol, timeoutMs, starttlsEndpoint ? "endpoint" : "offered", found, runToken);
  const before = found.states["before-tls"];
  // Every test's connection upgrades on a STARTTLS endpoint: a probe that cannot is a server no test can reach.
  if (failed !== undefined && (before === undefined || (starttlsEndpoint && found.states["after-starttls"] === undefined))) return failed;
  const upgradeFailed = failed !== undefined && (before!.has("STARTTLS") || before!.has("STLS")) && found.states["after-starttls"] === undefined;
  if (upgradeFailed) {
    // The optional upgrade failed: read the state after login in plaintext, keeping what the first pass saw before TLS.
    const plain: ProbeFindings = { states: {} };
    await probeOnce(target, protocol, timeoutMs, "never", plain, runToken);
    if (plain.states["after-login"]) found.states["after-login"] = plain.states["after-login"];
    if (plain.namespace) found.namespace = plain.namespace;
  }
  const afterLogin = found.states["after-login"];
  if (protocol === "imap" && afterLogin !== undefined && (endpoint.delimiter ?? found.namespace?.delimiter) !== "") {
    found.states["after-login"] = new Set([...afterLogin, HIERARCHY]);
  }
  const advertised = new Set(Object.values(found.states).flatMap((set) => [...set]));
  return { ok: true, advertised, states: found.states, ...(found.namespace ? { namespace: found.namespace } : {}) };
}

/** One probe session; what it read is in `found`. Returns the failure that ended it early, if any. */
async function probeOnce(
  target: Target,
  protocol: Protocol,
  timeoutMs: number,
  upgrade: ProbeOptions["upgrade"],
  found: ProbeFindings,
  runToken?: string,
): Promise<(CapabilityResult & { ok: false }) | undefined> {
  const endpoint = target.endpoints[protocol]!;
  const transcript = new Transcript(Date.now(), undefined, target.users.map((u) => u.password));
  const vars = new Variables({}, target.users);
  let conn: Connection | undefined;
  try {
    const deadline = new Deadline(timeoutMs);
    conn = await Connection.open({
      name: "probe",
      host: target.host,
      port: endpoint.port,
      ...(endpoint.socket !== undefined ? { socketPath: endpoint.socket } : {}),
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
    await session.capabilities({ ...ctx, deadline: new Deadline(timeoutMs * 3) }, { upgrade, ...(user ? { user: { login: user.login, password: user.password } } : {}), ...(runToken !== undefined ? { runToken } : {}) }, found);
    return undefined;
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
