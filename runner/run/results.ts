// Test results the orchestrator decides without running the test: skipped
// (capability not advertised, no endpoint, --bail), unreachable protocol, and
// a test the engine could not finish (our bug). Same shape as the engine's.

import type { Protocol, TestCase } from "../model/ast.ts";
import { FAILURE_CLASSES, type FailureClass } from "../model/failure.ts";
import { testIdentity, type SkipKind, type TestResult } from "../model/result.ts";
import type { Endpoint } from "../model/target.ts";

function base(test: TestCase): Omit<TestResult, "status"> {
  return {
    ...testIdentity(test),
    durationMs: 0,
    warnings: [],
    steps: [],
    transcript: [],
  };
}

export function skippedResult(test: TestCase, reason: string, kind: SkipKind): TestResult {
  return { ...base(test), status: "skipped", skipReason: reason, skipKind: kind };
}

/** The capability probe found the protocol unreachable: every test that needs it gets that verdict. */
export function unreachableResult(
  test: TestCase,
  protocol: Protocol,
  host: string,
  endpoint: Endpoint,
  probe: { reason: string; class: FailureClass },
): TestResult {
  const where = endpoint.socket ?? `${host}:${endpoint.port}`;
  return {
    ...base(test),
    status: FAILURE_CLASSES[probe.class].status,
    failure: {
      class: probe.class,
      message: `${protocol} server at ${where} unreachable: ${probe.reason}`,
      phase: "setup",
      step: 0,
      position: test.span,
      expected: `a ${protocol} server at ${where}${endpoint.tls === "none" ? "" : ` (${endpoint.tls} TLS)`}`,
      actual: probe.reason,
    },
  };
}

/** The engine threw or never settled: status error, the cause as a warning; a run-error carries the stack. */
export function brokenResult(test: TestCase, message: string, durationMs: number): TestResult {
  return { ...base(test), status: "error", durationMs, warnings: [`runner error: ${message}`] };
}
