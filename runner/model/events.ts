// The runner's event stream: one versioned union of plain JSON objects. The
// engine emits; reporters subscribe and derive nothing — status, failure class
// and exit code arrive in the events. Saved as JSON lines it can be replayed.

import type { Protocol } from "./ast.ts";
import type { ExitCode, Incompleteness, Interruption, StepResult, Summary, TestResult, TranscriptLine } from "./result.ts";
import type { Target } from "./target.ts";
import type { GateVerdict } from "./gate.ts";
import type { RunStats } from "./stats.ts";

export const EVENT_VERSION = 1;

/**
 * Which of a test's own events someone reads while the test runs: its step
 * events (step-begin, step-end) and its wire lines. The runner builds no
 * event nobody reads (a default run's reporters read only test-end, whose
 * result holds the same steps and transcript); absent means both.
 */
export interface LiveEvents {
  steps: boolean;
  wire: boolean;
}

export const ALL_LIVE_EVENTS: LiveEvents = { steps: true, wire: true };
export const NO_LIVE_EVENTS: LiveEvents = { steps: false, wire: false };

export interface PlannedTest {
  id: string;
  title: string;
  protocol: Protocol;
  file: string;
}

export type RunEvent =
  | { type: "run-begin"; version: typeof EVENT_VERSION; startedAt: string; target: Omit<Target, "users"> & { users: string[] }; plan: PlannedTest[]; shard?: { index: number; total: number } }
  | { type: "file-begin"; file: string }
  | { type: "test-begin"; id: string }
  | { type: "step-begin"; id: string; phase: StepResult["phase"]; index: number; title: string }
  /** One transcript line as recorded: its text, and its typed facts (octets, verb, code/status/tag, note). */
  | { type: "wire"; id: string; line: TranscriptLine }
  | { type: "step-end"; id: string; step: StepResult }
  | { type: "test-end"; result: TestResult }
  | { type: "file-end"; file: string }
  | { type: "run-error"; message: string; stack?: string }
  /** `interrupted`: the run was stopped (its not-run tests are in summary.notRun); `incomplete`: a merged report lacks shards. */
  | { type: "run-end"; summary: Summary; exitCode: ExitCode; durationMs: number; finishedAt: string; stats?: RunStats; gate?: GateVerdict; interrupted?: Interruption; incomplete?: Incompleteness };
