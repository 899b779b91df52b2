// Why a test did not pass, and the one table that turns a failure class into
// a status and a JUnit element — no reporter decides this for itself.

import type { Span } from "./ast.ts";

/**
 * assertion: the server answered, but not as the RFC requires.
 * protocol-violation: the answer is malformed (mixed codes in a multiline reply, >512-octet POP3 line...).
 * timeout: no (complete) answer within the step's budget.
 * connection: could not connect, or the peer reset / closed unexpectedly.
 * tls: TLS handshake or certificate failure.
 */
export type FailureClass = "assertion" | "protocol-violation" | "timeout" | "connection" | "tls";

export type TestStatus = "passed" | "failed" | "skipped" | "error";

export const FAILURE_CLASSES: Record<FailureClass, { status: TestStatus; junit: "failure" | "error" }> = {
  assertion: { status: "failed", junit: "failure" },
  "protocol-violation": { status: "failed", junit: "failure" },
  timeout: { status: "failed", junit: "failure" },
  connection: { status: "error", junit: "error" },
  tls: { status: "error", junit: "error" },
};

export interface Failure {
  class: FailureClass;
  /** One line: "expected 250, got 501". */
  message: string;
  /** Which part of the test: setup, steps or cleanup. */
  phase: "setup" | "steps" | "cleanup";
  /** 1-based index of the failing step within its phase (repeat iterations flattened as written). */
  step: number;
  /** Where in the suite the failing expectation is written. */
  position: Span;
  /** What the step expected, in suite terms. */
  expected: string;
  /** What arrived (reply text, or a description like "connection closed"). */
  actual: string;
  /** The command last sent on that connection, after interpolation, secrets redacted. */
  command?: string;
}

/**
 * A Failure as the layer that saw it throws it (runner/session, the protocol
 * readers and matchers): runner/exec adds where it happened — phase, step,
 * position, command — and, when `expected` is absent, the step's own description.
 */
export type FailureCause = Pick<Failure, "class" | "message" | "actual"> & Partial<Pick<Failure, "expected">>;

/** A malformed suite, target or profile: found at load time, before any socket opens. */
export interface SuiteError {
  file: string;
  line: number;
  col: number;
  message: string;
  /** "did you mean" suggestion for a misspelt key or value. */
  suggestion?: string;
  /** Characters to underline from `col` (the key or value at fault); 1 when absent. */
  length?: number;
}
