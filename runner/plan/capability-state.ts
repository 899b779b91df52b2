// Which advertised list a test's `requires` is checked against: a server may
// offer a capability only before TLS (STARTTLS), only after it (AUTH on
// submission), or only after login (UIDPLUS on Dovecot), so each requirement
// is matched in the state where the test uses it. Pure functions over the
// AST and the probe's per-state lists; the orchestrator turns the answer into a skip.
// Standards: RFC 3207 §4.2, RFC 2595 §4, RFC 2449 §5, RFC 3501 §6.2.1 and §7.2.1 (lists change with TLS and login).

import { innerSteps, type CapabilityState, type Step, type TestCase, type TlsMode } from "../model/ast.ts";
import type { SkipKind } from "../model/result.ts";
import type { AdvertisedSets } from "../model/target.ts";
import { capabilityName, isNegated, missingCapabilities, skipReasonForCapabilities, skipReasonForPresentCapabilities } from "./select.ts";

/** Session order: a state later in the list is reached through the ones before it. */
export const CAPABILITY_STATE_ORDER: readonly CapabilityState[] = ["before-tls", "after-starttls", "after-login"];

/** The upgrade commands: offered before TLS and never after it (RFC 3207 §4.2, RFC 2595 §4, RFC 3501 §6.2.1). */
const UPGRADES = new Set(["STARTTLS", "STLS"]);

/** Capabilities about authenticating: what counts is the list the client reads just before it logs in. */
function aboutLogin(capability: string): boolean {
  const c = capability.toUpperCase();
  return ["AUTH", "SASL", "SASL-IR", "LOGINDISABLED", "LOGIN-REFERRALS", "USER", "APOP", "AUTH-RESP-CODE"].includes(c) || c.startsWith("AUTH=") || c.startsWith("SASL=");
}

/** Commands that authenticate a session, in any of the three protocols. */
const LOGIN_VERBS = new Set(["LOGIN", "AUTHENTICATE", "PASS", "APOP", "AUTH"]);

function walk(steps: readonly Step[], visit: (step: Step) => void): void {
  for (const step of steps) {
    visit(step);
    walk(innerSteps(step), visit);
  }
}

/** A `starttls` step on the main connection. */
function upgradesItself(test: TestCase): boolean {
  let found = false;
  for (const phase of [test.setup, test.steps]) walk(phase, (step) => (found ||= step.kind === "starttls" && step.on === "main"));
  return found;
}

/** How far the test's own protocol sessions get: through STARTTLS / STLS, through a login. */
export function reachedStates(test: TestCase): { upgrades: boolean; logsIn: boolean } {
  const ownProtocol = new Set(["main", ...test.connections.filter((c) => c.protocol === test.protocol).map((c) => c.name)]);
  let upgrades = test.connections.some((c) => c.protocol === test.protocol && c.tls === "starttls");
  let logsIn = false;
  for (const phase of [test.setup, test.steps, test.cleanup]) {
    walk(phase, (step) => {
      if (!ownProtocol.has(step.on)) return;
      if (step.kind === "starttls") upgrades = true;
      if (step.kind === "auth" && step.outcome === "success") logsIn = true;
      if (step.kind === "send" && LOGIN_VERBS.has(step.line.text.trimStart().split(/\s/, 1)[0]!.toUpperCase())) logsIn = true;
    });
  }
  return { upgrades, logsIn };
}

/**
 * The state in which `test` needs `capability`: STARTTLS / STLS before TLS;
 * else `requires-in:` as written; else a login capability in the last state
 * before logging in, any other in the last state the test reaches.
 */
export function stateFor(test: TestCase, requirement: string, reached = reachedStates(test)): CapabilityState {
  const capability = capabilityName(requirement);
  if (UPGRADES.has(capability.toUpperCase())) return "before-tls";
  if (test.requiresIn !== undefined) return test.requiresIn;
  if (aboutLogin(capability)) return reached.upgrades ? "after-starttls" : "before-tls";
  return reached.logsIn ? "after-login" : reached.upgrades ? "after-starttls" : "before-tls";
}

/** The list of `state`, or of the nearest earlier state the probe read (SMTP has no list after login). */
export function advertisedIn(sets: AdvertisedSets, state: CapabilityState): ReadonlySet<string> {
  for (let i = CAPABILITY_STATE_ORDER.indexOf(state); i >= 0; i--) {
    const set = sets[CAPABILITY_STATE_ORDER[i]!];
    if (set !== undefined) return set;
  }
  return new Set();
}

const PHRASE: Record<CapabilityState, string> = { "before-tls": "", "after-starttls": " after STARTTLS", "after-login": " after login" };

/**
 * Why `test` is skipped for its requirements, or undefined when each is
 * advertised in its state. `endpointTls`: the endpoint of the test's protocol;
 * on a `tls: starttls` endpoint every connection starts upgraded (unless the
 * test declares it otherwise), so the state before TLS is never reached —
 * only the runner's own STARTTLS needs it — and a test that upgrades its
 * main connection itself cannot run there.
 */
export function capabilitySkip(test: TestCase, sets: AdvertisedSets, endpointTls: TlsMode | undefined): { reason: string; kind: SkipKind } | undefined {
  // A test may keep its main connection plain on such an endpoint (`main: { tls: none }`) and upgrade it itself.
  const mainTls = test.connections.find((c) => c.name === "main")?.tls ?? endpointTls;
  if (mainTls === "starttls" && upgradesItself(test)) {
    return { reason: `the target's ${test.protocol} endpoint is tls: starttls, so every connection is upgraded before the test begins; this test issues STARTTLS itself`, kind: "no-endpoint" };
  }
  if (test.requires.length === 0) return undefined;
  const reached = reachedStates(test);
  const missingByState = new Map<CapabilityState, string[]>();
  const presentByState = new Map<CapabilityState, string[]>();
  for (const requirement of test.requires) {
    let state = stateFor(test, requirement, reached);
    // The runner's own upgrade needs STARTTLS offered before TLS; everything else is read on the upgraded connection.
    if (mainTls === "starttls" && state === "before-tls" && !UPGRADES.has(capabilityName(requirement).toUpperCase())) state = "after-starttls";
    if (missingCapabilities({ requires: [requirement] }, advertisedIn(sets, state)).length === 0) continue;
    const byState = isNegated(requirement) ? presentByState : missingByState;
    byState.set(state, [...(byState.get(state) ?? []), capabilityName(requirement)]);
  }
  const phrase = (byState: Map<CapabilityState, string[]>) =>
    CAPABILITY_STATE_ORDER.filter((s) => byState.has(s)).map((s) => `${byState.get(s)!.join(", ")}${PHRASE[s]}`).join("; ");
  const reasons = [
    ...(missingByState.size > 0 ? [skipReasonForCapabilities([phrase(missingByState)])] : []),
    ...(presentByState.size > 0 ? [skipReasonForPresentCapabilities([phrase(presentByState)])] : []),
  ];
  if (reasons.length === 0) return undefined;
  return { reason: reasons.join("; "), kind: "unadvertised" };
}
