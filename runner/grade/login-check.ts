// The grading pre-check: before a target's tests, each protocol's greeting
// and each user's login are tried once (the dialogues in ./login-check/*.yaml,
// run by the ordinary engine). A login that fails is reported as such —
// "login failed for alice (IMAP)" — and the tests that need that login are
// not run, so a wrong password costs seconds, not the protocol's whole budget.
// Standards: RFC 1939 §7 (USER/PASS), RFC 3501 §6.2.3 (LOGIN).

import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Protocol, TestCase } from "../model/ast.ts";
import type { TestResult } from "../model/result.ts";
import type { Target } from "../model/target.ts";
import { protocolsOf } from "../plan/select.ts";
import type { RunDeps } from "../run/deps.ts";

/** In id order, like every run: IMAP, then POP3. */
const CHECK_FILES = ["imap", "pop3"].map((p) => fileURLToPath(new URL(`./login-check/${p}.yaml`, import.meta.url)));

/** Which user a check logs in as: login-check.<protocol>.user-<n>, n counted from 1. */
const CHECK_ID = /^login-check\.(pop3|imap)\.user-(\d+)$/;

/** The command a login failure answers: USER, PASS or LOGIN (an IMAP tag first). */
const LOGIN_COMMAND = /^(?:\S+ )?(?:USER|PASS|LOGIN)\b/i;

export interface LoginFailure {
  protocol: Protocol;
  /** Index into the target's users (0 = main user). */
  user: number;
  login: string;
  /** "login failed for alice (IMAP)". */
  summary: string;
  /** The server's answer or what went wrong, one line. */
  detail: string;
}

export interface LoginCheckOptions {
  target: Target;
  /** Protocols the profile tests on this target. */
  protocols: readonly Protocol[];
  timeoutMs: number;
  /** The whole check stops after this long; a login it did not finish is not reported (the tests will tell). */
  withinMs: number;
  signal?: AbortSignal;
}

/** The check dialogues, loaded once per class. */
export async function loadLoginChecks(deps: Pick<RunDeps, "loadSuites">): Promise<TestCase[]> {
  const { suites, errors } = await deps.loadSuites(CHECK_FILES);
  if (errors.length > 0) throw new Error(`the grading pre-check is broken: ${errors.map((e) => `${e.file}:${e.line}:${e.col}: ${e.message}`).join("; ")}`);
  return suites.flatMap((s) => s.tests);
}

/** Every login of the target's users on `protocols` that failed; a greeting failure is left to the run's probe (unreachable). */
export async function checkLogins(all: readonly TestCase[], options: LoginCheckOptions, deps: Pick<RunDeps, "runTest">): Promise<LoginFailure[]> {
  const { target } = options;
  const checks = all
    .filter((t) => options.protocols.includes(t.protocol) && target.endpoints[t.protocol] !== undefined && (t.usersNeeded ?? 0) <= target.users.length);
  const runToken = `check${randomBytes(3).toString("hex")}`;
  const failures: LoginFailure[] = [];
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const timer = setTimeout(() => controller.abort(), options.withinMs);
  try {
    // One login at a time: a server may refuse every login from an address while a failed one is
    // being penalised (Dovecot's auth_penalty, the reference server), which side by side would
    // make a right password look wrong.
    for (const test of checks) {
      if (controller.signal.aborted) break;
      const result = await deps.runTest(test, { target, timeoutMs: options.timeoutMs, runToken, emit: () => {}, signal: controller.signal });
      const failure = loginFailure(test, result, target);
      if (failure) failures.push(failure);
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
  return failures;
}

function loginFailure(test: TestCase, result: TestResult, target: Target): LoginFailure | undefined {
  const f = result.failure;
  const m = CHECK_ID.exec(test.id);
  if (!f || !m || f.command === undefined || !LOGIN_COMMAND.test(f.command)) return undefined;
  const user = Number(m[2]) - 1;
  const login = target.users[user]?.login ?? `user ${user + 1}`;
  return { protocol: test.protocol, user, login, summary: `login failed for ${login} (${test.protocol.toUpperCase()})`, detail: f.message };
}

/** Tests a failed login makes pointless: they touch the protocol and need that user (or a later one). Reason per test id. */
export function blockedByLogin(tests: readonly TestCase[], failures: readonly LoginFailure[]): Map<string, string> {
  const blocked = new Map<string, string>();
  for (const test of tests) {
    const needed = test.usersNeeded ?? 0;
    const protocols = protocolsOf(test);
    const hit = failures.find((f) => protocols.includes(f.protocol) && f.user < needed);
    if (hit) blocked.set(test.id, `not run: ${hit.summary} in the pre-check (${hit.detail})`);
  }
  return blocked;
}
