// The other parts of the runner the orchestrator calls into, as one
// injectable record: production code gets the real modules (loaded lazily,
// so `mailconform --help` or `validate` need not load the protocol engines),
// tests hand in fakes and exercise scheduling, skips and exit codes without
// opening a socket.

import type { Protocol, SuiteFile, TestCase } from "../model/ast.ts";
import type { LiveEvents, RunEvent } from "../model/events.ts";
import type { FailureClass, SuiteError } from "../model/failure.ts";
import type { TestResult, TranscriptCaps } from "../model/result.ts";
import type { AdvertisedSets, ImapNamespace, Target } from "../model/target.ts";
import type { TargetFlags } from "../target/flags.ts";

export type ProbeResult =
  | { ok: true; advertised: Set<string>; /** Per state (exec/capabilities.ts); absent: `advertised` in every state. */ states?: AdvertisedSets; namespace?: ImapNamespace }
  | { ok: false; reason: string; class: FailureClass };

export interface TestEnv {
  target: Target;
  timeoutMs: number;
  runToken: string;
  emit: (e: RunEvent) => void;
  /** The step and wire events the reporters read live (runner/exec/run-test.ts TestEnv.live); all when absent. */
  live?: LiveEvents;
  signal?: AbortSignal;
  /** Octets of transcript the test keeps (run/transcript-budget.ts); the engine's defaults when absent. */
  transcriptCaps?: TranscriptCaps;
}

/** The CLI's target flags, as runner/target/load.ts takes them. */
export type { TargetFlags } from "../target/flags.ts";

export interface RunDeps {
  loadSuites(paths: string[]): Promise<{ suites: SuiteFile[]; errors: SuiteError[] }>;
  formatSuiteError(e: SuiteError, source?: string): string | Promise<string>;
  loadTarget(file: string): Promise<Target>;
  targetFromFlags(flags: TargetFlags): Target | Promise<Target>;
  runTest(test: TestCase, env: TestEnv): Promise<TestResult>;
  probeCapabilities(target: Target, protocol: Protocol, timeoutMs: number, runToken?: string): Promise<ProbeResult>;
  /** After the run: remove what carries the run token from every user's account (runner/cleanup/); console lines. Absent: no sweep. */
  sweepAccounts?(target: Target, runToken: string, timeoutMs: number, context?: SweepContext): Promise<string[]>;
}

/** What the sweep needs to know of the run: whether its tests sent mail (wait for it), and the signal that stops the sweep. */
export interface SweepContext {
  delivered?: boolean;
  signal?: AbortSignal;
}

/**
 * A module imported on first use and kept: runTest is called once per test,
 * and every import() of even a loaded module costs a resolution (through the
 * TypeScript loader's thread when the sources run), which showed in the full
 * run's profile.
 */
function lazy<T>(load: () => Promise<T>): () => Promise<T> | T {
  let loaded: T | undefined;
  let loading: Promise<T> | undefined;
  return () => loaded ?? (loading ??= load().then((m) => (loaded = m)));
}

const runTestModule = lazy(() => import("../exec/run-test.ts"));
const capabilitiesModule = lazy(() => import("../exec/capabilities.ts"));

export const defaultDeps: RunDeps = {
  loadSuites: async (paths) => (await import("../suite/load.ts")).loadSuites(paths),
  formatSuiteError: async (e, source) => (await import("../suite/format.ts")).formatSuiteError(e, source),
  loadTarget: async (file) => (await import("../target/load.ts")).loadTarget(file),
  targetFromFlags: async (flags) => (await import("../target/load.ts")).targetFromFlags(flags),
  runTest: async (test, env) => (await runTestModule()).runTest(test, env),
  probeCapabilities: async (target, protocol, timeoutMs, runToken) => (await capabilitiesModule()).probeCapabilities(target, protocol, timeoutMs, runToken),
  sweepAccounts: async (target, runToken, timeoutMs, context) => {
    const { describeSweep, sweepRun } = await import("../cleanup/sweep.ts");
    return describeSweep(await sweepRun(target, runToken, { timeoutMs, ...context }));
  },
};
