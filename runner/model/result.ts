// The outcome of one test and of a run: what every report is built from.

import type { Level, Protocol } from "./ast.ts";
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
}

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
  failure?: Failure;
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
}

/** 0 all passed, 1 conformance failures, 2 invalid suite or usage, 3 target unreachable, 4 nothing matched. */
export type ExitCode = 0 | 1 | 2 | 3 | 4;
