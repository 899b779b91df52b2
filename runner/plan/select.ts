// Which tests a run takes: --grep over id and title, --tag, and whether the
// target offers every protocol a test talks. Pure functions over the AST;
// the orchestrator (runner/run/) hands the result to shard and schedule.

import type { Protocol, TestCase } from "../model/ast.ts";
import { endpointFor, portFor, type Endpoint } from "../model/target.ts";

export interface Selection {
  /** Matched against the id and against the title; a test is taken when either matches. */
  grep?: RegExp;
  /** A test is taken when it carries at least one of these (repeating --tag widens, as Mocha's and Playwright's --grep alternatives do). */
  tags: string[];
}

export class SelectionError extends Error {}

/** Compile --grep the way a user means it: a JavaScript regex, case-sensitive, unanchored. */
export function compileGrep(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (e) {
    throw new SelectionError(`--grep ${JSON.stringify(source)} is not a valid regular expression: ${(e as Error).message}`);
  }
}

export function selectTests(tests: readonly TestCase[], selection: Selection): TestCase[] {
  const wanted = new Set(selection.tags.map((t) => t.toLowerCase()));
  return tests.filter((test) => {
    if (selection.grep && !selection.grep.test(test.id) && !selection.grep.test(test.title)) return false;
    if (wanted.size > 0 && !test.tags.some((t) => wanted.has(t.toLowerCase()))) return false;
    return true;
  });
}

/** Why a connection the test declares cannot be dialled in its TLS mode, if it cannot. */
function tlsPortProblem(test: TestCase, endpoints: Readonly<Partial<Record<Protocol, Endpoint>>>, submission: Endpoint | undefined): string | undefined {
  for (const spec of test.connections) {
    if (spec.endpoint === "submission" && submission === undefined) {
      return "target has no submission endpoint (RFC 6409; give 'submission' in the target)";
    }
    const endpoint = endpointFor({ endpoints, submission }, spec.protocol, spec.endpoint);
    if (endpoint === undefined || spec.tls === undefined || portFor(endpoint, spec.tls) !== undefined) continue;
    return spec.tls === "implicit"
      ? `target has no implicit-TLS port for ${spec.protocol} (RFC 8314; give implicit-port in the target or --${spec.protocol}s)`
      : `target's ${spec.protocol} endpoint speaks implicit TLS only; connection "${spec.name}" asks for tls: ${spec.tls}`;
  }
  return undefined;
}

/** Why a test that sends to a recipient failing after acceptance cannot run: the target names none. */
function failingRecipientProblem(test: TestCase, endpoints: Readonly<Partial<Record<Protocol, Endpoint>>>): string | undefined {
  const missing = (test.failingRecipientsNeeded ?? []).filter((p) => endpoints[p]?.failingRecipient === undefined);
  if (missing.length === 0) return undefined;
  return `target names no recipient whose delivery fails after acceptance (give ${missing.map((p) => `${p}: { failing-recipient: ADDRESS }`).join(" and ")} in the target)`;
}

/** Every protocol a test opens a connection with: its own plus any named connection's. */
export function protocolsOf(test: TestCase): Protocol[] {
  const all = new Set<Protocol>([test.protocol, ...test.connections.map((c) => c.protocol)]);
  return [...all].sort();
}

/**
 * Split tests into those the target can serve and those it cannot, because
 * it names no endpoint for a protocol they need, or no port for the TLS mode
 * a connection declares (`tls: implicit` without an implicit-TLS port). The
 * latter are skipped, not failed: a target without IMAP is a valid target
 * for the SMTP suites, one without port 465 for the STARTTLS tests.
 */
export function partitionByEndpoints(
  tests: readonly TestCase[],
  endpoints: Readonly<Partial<Record<Protocol, Endpoint>>>,
  submission?: Endpoint,
): { runnable: TestCase[]; skipped: { test: TestCase; reason: string }[] } {
  const runnable: TestCase[] = [];
  const skipped: { test: TestCase; reason: string }[] = [];
  for (const test of tests) {
    const missing = protocolsOf(test).filter((p) => endpoints[p] === undefined);
    const reason = missing.length > 0 ? `target has no ${missing.join(", ")} endpoint` : (tlsPortProblem(test, endpoints, submission) ?? failingRecipientProblem(test, endpoints));
    if (reason === undefined) runnable.push(test);
    else skipped.push({ test, reason });
  }
  return { runnable, skipped };
}

/**
 * The capabilities a test requires but the server did not advertise, compared
 * case-insensitively (EHLO keywords and IMAP atoms are case-insensitive,
 * RFC 5321 §2.4, RFC 3501 §9). A requirement without "=" is also met by a
 * valued atom of that name: APPENDLIMIT by APPENDLIMIT=26214400 (RFC 7889 §3).
 */
export function missingCapabilities(test: Pick<TestCase, "requires">, advertised: ReadonlySet<string>): string[] {
  const upper = new Set([...advertised].map((c) => c.toUpperCase()));
  const names = new Set([...upper].filter((c) => c.includes("=")).map((c) => c.slice(0, c.indexOf("="))));
  const isAdvertised = (r: string) => upper.has(r.toUpperCase()) || (!r.includes("=") && names.has(r.toUpperCase()));
  // "!SIZE": the test is for servers that do NOT advertise SIZE (what an unadvertised extension must not do).
  return test.requires.filter((r) => (isNegated(r) ? isAdvertised(capabilityName(r)) : !isAdvertised(r)));
}

/** `requires: ["!SIZE"]` asks for the absence of SIZE. */
export function isNegated(requirement: string): boolean {
  return requirement.startsWith("!");
}

/** The capability a requirement is about, without its "!". */
export function capabilityName(requirement: string): string {
  return isNegated(requirement) ? requirement.slice(1) : requirement;
}

/** A test that refers to more users than the target names is skipped, not failed: the target lacks them. */
export function skipReasonForUsers(test: TestCase, available: number): string | undefined {
  const needed = test.usersNeeded ?? 0;
  if (needed <= available) return undefined;
  return `target has ${available} user${available === 1 ? "" : "s"}; the test needs ${needed}`;
}

export function skipReasonForCapabilities(missing: readonly string[]): string {
  return `server does not advertise ${missing.join(", ")}`;
}

/** Why a test written for servers without a capability (`requires: ["!X"]`) is skipped. */
export function skipReasonForPresentCapabilities(present: readonly string[]): string {
  return `server advertises ${present.join(", ")} (the test checks a server without it)`;
}
