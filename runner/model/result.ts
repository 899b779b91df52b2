// The outcome of one test and of a run: what every report is built from.

import type { Level, Protocol, TestCase } from "./ast.ts";
import type { Failure, TestStatus } from "./failure.ts";

/** One line of the wire transcript (the lecture's "Protokollmitschnitt"). */
export interface TranscriptLine {
  /** Connection name within the test ("main", "b", ...). */
  connection: string;
  /** C: client to server, S: server to client, "*": runner note (TLS handshake, close). */
  dir: "C" | "S" | "*";
  /** Milliseconds since the test began. */
  ms: number;
  /** The line without CRLF; non-printable bytes escaped (\r, \x00); secrets redacted. */
  text: string;
}

export interface StepResult {
  phase: "setup" | "steps" | "cleanup" | "finally";
  index: number;
  /** Short human description: "send EHLO client.example", "expect 250". */
  title: string;
  status: "passed" | "failed" | "skipped";
  durationMs: number;
  /** A retry step: how many attempts it made (1 when the first passed). */
  attempts?: number;
}

/**
 * A test listed in an expectations file (--expect-deviations) as a known
 * deviation of the target from the RFC. `fixed` is false when the test failed
 * as listed (an expected deviation: reported apart, never a pass, not counted
 * as failed) and true when it passed although listed (the file is stale).
 */
export interface Deviation {
  /** The RFC section the target deviates from, e.g. "RFC 1939 §4". */
  ref: string;
  /** One line: why the target fails this test. */
  reason: string;
  /** Where the entry is written: "interop/expectations/dovecot.yaml:12:5". */
  source: string;
  fixed: boolean;
}

/** The fields of a result that come from the test as written; the engine and the orchestrator both start from these. */
export function testIdentity(test: TestCase): Pick<TestResult, "id" | "title" | "protocol" | "file" | "line" | "refs" | "level" | "tags"> {
  return {
    id: test.id,
    title: test.title,
    protocol: test.protocol,
    file: test.file,
    line: test.span.line,
    refs: test.refs,
    level: test.level,
    tags: test.tags,
  };
}

/** A failed or errored test its expectations file lists: reported apart, never failing the run (one rule for every report). */
export function isExpectedDeviation(r: Pick<TestResult, "status" | "deviation">): boolean {
  return r.deviation !== undefined && !r.deviation.fixed && (r.status === "failed" || r.status === "error");
}

/**
 * Why a test was skipped, as a type the grading reads (the wording in
 * skipReason is for humans and may change): the server does not advertise a
 * required capability; the target has no endpoint for a protocol the test
 * uses; the target names too few users; the run stopped before the test
 * started (--bail, interrupt, a grading budget); the run was aborted while
 * the test ran.
 */
export type SkipKind = "unadvertised" | "no-endpoint" | "too-few-users" | "not-run" | "aborted";

export const SKIP_KINDS: readonly SkipKind[] = ["unadvertised", "no-endpoint", "too-few-users", "not-run", "aborted"];

export interface TestResult {
  id: string;
  title: string;
  protocol: Protocol;
  file: string;
  line: number;
  refs: string[];
  level: Level;
  tags: string[];
  status: TestStatus;
  durationMs: number;
  /** Why a test was skipped ("server does not advertise STARTTLS"). */
  skipReason?: string;
  /** Set with skipReason: which kind of skip, for grading. */
  skipKind?: SkipKind;
  failure?: Failure;
  /** Set when the test is listed as a known deviation of the target; status keeps what happened. */
  deviation?: Deviation;
  /** Failures in `finally` steps: recorded, never change the status. */
  warnings: string[];
  steps: StepResult[];
  transcript: TranscriptLine[];
}

export interface Summary {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  errors: number;
  /** Failed or errored tests listed as expected deviations: not in `failed` / `errors`; absent when none. */
  deviations?: number;
}

/** 0 all passed, 1 conformance failures, 2 invalid suite or usage, 3 target unreachable, 4 nothing matched. */
export type ExitCode = 0 | 1 | 2 | 3 | 4;
