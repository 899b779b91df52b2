// Runs one TestCase against a live server and returns its TestResult:
// setup → steps → cleanup (only when all passed) → finally (always; its
// failures become warnings). Emits step-begin / wire / step-end when someone
// reads them live (TestEnv.live); the caller emits test-begin / test-end. Server misbehaviour becomes a Failure with a
// class; an exception of any other type is our bug and propagates.
// Standards: none (runner semantics; see the protocol drivers for RFCs).

import { innerSteps, type Span, type Step, type TestCase } from "../model/ast.ts";
import { ALL_LIVE_EVENTS, type LiveEvents, type RunEvent } from "../model/events.ts";
import { FAILURE_CLASSES, type Failure } from "../model/failure.ts";
import { testIdentity, type StepResult, type TestResult, type TranscriptCaps } from "../model/result.ts";
import type { Target } from "../model/target.ts";
import { DEFAULT_READ_LIMITS, type ReadLimits } from "../session/connection.ts";
import { Session } from "./session.ts";
import { StepFailure, TestAborted } from "../session/step-failure.ts";
import { describeExpectation, describeStep, executeStep, expectOneOf, sleep } from "./steps.ts";
import { Transcript } from "../session/transcript.ts";
import { LINE_CLASSIFIERS } from "../protocols/line-classifiers.ts";
import { buildVariables, Variables } from "../session/variables.ts";

export { buildVariables };

export interface TestEnv {
  target: Target;
  /** Per-step budget in ms (a test's own timeoutMs overrides it). */
  timeoutMs: number;
  /** Unique per run: ${run.token}. */
  runToken: string;
  emit: (event: RunEvent) => void;
  /**
   * The step and wire events someone reads as the test runs (ReporterBus.liveEvents); all when absent.
   * The others are not built: the result carries the same steps and transcript (bench/runner-step.ts).
   */
  live?: LiveEvents;
  /** Aborting stops the test at its next wait; it is then reported as skipped ("run aborted"). */
  signal?: AbortSignal;
  /** Read bounds; DEFAULT_READ_LIMITS when absent (tests shrink them). */
  limits?: Partial<ReadLimits>;
  /** Octets of transcript kept; TEST_TRANSCRIPT_CAPS when absent (the orchestrator shrinks them past the run's budget). */
  transcriptCaps?: TranscriptCaps;
}

type Phase = StepResult["phase"];

/** A Failure in any phase: a finally step's is only a warning, never reported as the test's Failure. */
type PlacedFailure = Omit<Failure, "phase"> & { phase: Phase };

/**
 * A step failed: the report's Failure, placed once at the innermost failing
 * step (which step, where written, after which command) and carried up
 * through repeat and retry to its phase.
 */
class StepFailed extends Error {
  constructor(
    readonly failure: PlacedFailure,
    /** What the step threw: retry notes and finally warnings quote its own message. */
    readonly cause: StepFailure,
    /** failure.message as placed, before a retry's note: the last retry to give up names itself alone. */
    readonly placedMessage = failure.message,
  ) {
    super(failure.message);
  }
}

/** Steps as written, counting a repeat's or retry's inner steps after it (Failure.step numbering). */
function writtenCount(steps: Step[]): number {
  let n = 0;
  for (const s of steps) n += numbersTaken(s);
  return n;
}

/** The step numbers a step takes: its own, then its nested steps' (a plain step: one, without walking anything). */
function numbersTaken(step: Step): number {
  switch (step.kind) {
    case "repeat":
    case "retry":
    case "may-close":
    case "one-of":
    case "if":
      return 1 + writtenCount(innerSteps(step));
    default:
      return 1;
  }
}

/** The connection names a list of steps acts on, nested steps included, in first-use order. */
function connectionsUsed(steps: Step[], into = new Set<string>()): Set<string> {
  for (const s of steps) {
    into.add(s.on);
    connectionsUsed(innerSteps(s), into);
  }
  return into;
}

function positionOf(step: Step): Span {
  return step.kind === "expect" ? step.expect.span : step.span;
}

/**
 * Step titles, one string per distinct text: a run has few ("expect 250", "send QUIT") and every
 * step result keeps its own, so sharing them leaves the collector less to copy (bench/runner-step.ts).
 * Bounded, for a process that runs many suites.
 */
const SHARED_TITLES = new Map<string, string>();
const MAX_SHARED_TITLES = 10_000;

class TestRun {
  readonly results: StepResult[] = [];

  constructor(
    private readonly test: TestCase,
    private readonly env: TestEnv,
    private readonly session: Session,
    private readonly vars: Variables,
    private readonly budgetMs: number,
    private readonly transcript: Transcript,
  ) {}

  /** Attempts the last retry step took; read by phase() for its StepResult. */
  private attempts: number | undefined;
  /** The phase running: a failure is placed in it. */
  private current: Phase = "setup";

  /** Run a phase; throws StepFailed at the first failing step and records the rest as skipped. */
  async phase(phase: Phase, steps: Step[]): Promise<void> {
    this.current = phase;
    const { emit } = this.env;
    const liveSteps = (this.env.live ?? ALL_LIVE_EVENTS).steps;
    const id = this.test.id;
    let index = 1;
    // The clock is read once per wait, not per step (a read costs as much as a send here): a step starts
    // when the one before it ended, and a step done without waiting (a send) ends when it started.
    let now = Date.now();
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      const title = this.title(step);
      if (liveSteps) emit({ type: "step-begin", id, phase, index, title });
      const started = now;
      let failed: StepFailed | undefined;
      let running: Promise<void> | undefined;
      this.attempts = undefined;
      try {
        // What the step records before it first waits (a send's C: line) happened at its start: no clock read of its own.
        this.transcript.pinClock(started);
        try {
          running = this.step(step, index, started);
        } finally {
          this.transcript.unpinClock();
        }
        // A step done at once (a send) hands back no promise: no await, no microtask hop for it.
        if (running !== undefined) await running;
      } catch (error) {
        if (error instanceof StepFailure) failed = this.place(error, step, index);
        else if (error instanceof StepFailed) failed = error;
        else throw error;
      }
      if (running !== undefined || failed) now = Date.now();
      const result: StepResult = { phase, index, title, status: failed ? "failed" : "passed", durationMs: now - started };
      if (step.kind === "retry" && this.attempts !== undefined) result.attempts = this.attempts;
      this.results.push(result);
      if (liveSteps) emit({ type: "step-end", id, step: result });
      if (failed) {
        let next = index + numbersTaken(step);
        for (const rest of steps.slice(i + 1)) {
          this.results.push({ phase, index: next, title: this.title(rest), status: "skipped", durationMs: 0 });
          next += numbersTaken(rest);
        }
        throw failed;
      }
      index += numbersTaken(step);
    }
  }

  /** The Failure of `step`, which threw `error`: built here once, from what the thrower knew and where the step is. */
  private place(error: StepFailure, step: Step, index: number, iteration?: { at: number; of: number }): StepFailed {
    const { class: failureClass, message, expected, actual } = error.failure;
    const command = this.session.lastCommand(step.on);
    return new StepFailed(
      {
        class: failureClass,
        message: iteration ? `${message} (repeat iteration ${iteration.at} of ${iteration.of})` : message,
        phase: this.current,
        step: index,
        position: positionOf(step),
        expected: expected ?? describeStep(step),
        actual,
        ...(command !== undefined ? { command } : {}),
      },
      error,
    );
  }

  private title(step: Step): string {
    const title = this.session.redactTitle(describeStep(step));
    const shared = SHARED_TITLES.get(title);
    if (shared !== undefined) return shared;
    if (SHARED_TITLES.size < MAX_SHARED_TITLES) SHARED_TITLES.set(title, title);
    return title;
  }

  /**
   * Not async itself: a plain step hands back executeStep's promise, one async
   * frame less per step, or undefined when it is already done (a send).
   */
  private step(step: Step, index: number, startedAt?: number): Promise<void> | undefined {
    if (this.env.signal?.aborted) throw new TestAborted();
    if (step.kind === "repeat") return this.repeat(step, index);
    if (step.kind === "retry") return this.retry(step, index);
    if (step.kind === "may-close") return this.mayClose(step, index);
    if (step.kind === "one-of") return this.oneOf(step, index, startedAt);
    if (step.kind === "if") return this.ifSame(step, index);
    return executeStep(this.session, step, this.budgetMs, this.env.signal, startedAt);
  }

  private async repeat(step: Extract<Step, { kind: "repeat" }>, index: number): Promise<void> {
    for (let at = 1; at <= step.times; at++) {
      this.vars.bind(step.as, String(at));
      await this.nested(step.steps, index, { at, of: step.times });
    }
  }

  /** Nested steps numbered after their parent; a failure is located at the failing child. */
  private async nested(steps: Step[], index: number, iteration?: { at: number; of: number }): Promise<void> {
    let inner = index + 1;
    for (const child of steps) {
      try {
        const running = this.step(child, inner);
        if (running !== undefined) await running;
      } catch (error) {
        if (error instanceof StepFailure) throw this.place(error, child, inner, iteration);
        throw error;
      }
      inner += numbersTaken(child);
    }
  }

  /**
   * One reply, the first alternative it matches, then that alternative's
   * steps, numbered where they are written (after the earlier alternatives'
   * steps). The transcript says which alternative was taken, so a reader sees
   * why a follow-up check ran or did not.
   */
  private async oneOf(step: Extract<Step, { kind: "one-of" }>, index: number, startedAt?: number): Promise<void> {
    const taken = await expectOneOf(this.session, step, this.budgetMs, startedAt);
    const branch = step.branches[taken]!;
    const first = index + 1 + writtenCount(step.branches.slice(0, taken).flatMap((b) => b.then));
    const what = branch.then.length === 0 ? "no steps follow it" : `its step${branch.then.length === 1 ? "" : "s"} ${first}${branch.then.length === 1 ? "" : `–${first + writtenCount(branch.then) - 1}`} run`;
    this.transcript.record(step.on, "*", `one-of: the reply matched alternative ${taken + 1} of ${step.branches.length} (${describeExpectation(branch.expect)}); ${what}`);
    await this.nested(branch.then, first - 1);
  }

  /** Compares the two resolved values and runs `then` or `else`, noting which and why in the transcript. */
  private async ifSame(step: Extract<Step, { kind: "if" }>, index: number): Promise<void> {
    const [a, b] = step.same.map((t) => this.vars.resolve(t, step.span));
    const same = a === b;
    const steps = same ? step.then : step.else;
    const first = index + 1 + (same ? 0 : writtenCount(step.then));
    const shown = (text: string, value: string | undefined): string => this.transcript.redact(text === value ? `"${value}"` : `${text} = "${value}"`);
    const ran = steps.length === 0 ? `no '${same ? "then" : "else"}' steps` : `'${same ? "then" : "else"}' runs (step${steps.length === 1 ? "" : "s"} ${first}${steps.length === 1 ? "" : `–${first + writtenCount(steps) - 1}`})`;
    this.transcript.record(step.on, "*", `if: ${shown(step.same[0].text, a)} and ${shown(step.same[1].text, b)} are ${same ? "the same" : "different"}; ${ran}`);
    await this.nested(steps, first - 1);
  }

  /**
   * The steps, unless the server closes the watched connection first: a
   * connection failure after the server ended it is the allowed outcome, noted
   * in the transcript. Any other failure (a wrong reply before the close)
   * still fails.
   */
  private async mayClose(step: Extract<Step, { kind: "may-close" }>, index: number): Promise<void> {
    try {
      await this.nested(step.steps, index);
    } catch (error) {
      if (!(error instanceof StepFailed) || error.failure.class !== "connection" || !this.session.closedByServer(step.on)) throw error;
      this.transcript.record(step.on, "*", `the server closed the connection, which it may do here (step ${error.failure.step}: ${error.cause.message})`);
    }
  }

  /**
   * Attempts until the steps pass or the window closes. Each failed attempt
   * but the last is a "*" note in the transcript (what failed, when the next
   * try starts), and the connections the steps use are closed before the next
   * one, so it starts from a fresh greeting.
   */
  private async retry(step: Extract<Step, { kind: "retry" }>, index: number): Promise<void> {
    const began = Date.now();
    const names = [...connectionsUsed(step.steps)];
    const note = (text: string): void => {
      this.transcript.record(names[0] ?? step.on, "*", text);
    };
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) note(`retry: attempt ${attempt} of step ${index}, ${Date.now() - began} ms after the first`);
      this.attempts = attempt;
      try {
        await this.nested(step.steps, index);
        this.attempts = attempt;
        return;
      } catch (error) {
        if (!(error instanceof StepFailed)) throw error;
        const elapsed = Date.now() - began;
        if (elapsed + step.everyMs >= step.withinMs) {
          note(`retry: attempt ${attempt} failed; giving up after ${elapsed} ms (window ${step.withinMs} ms)`);
          this.attempts = attempt;
          const gaveUp = ` (retry gave up after ${attempt} attempt${attempt === 1 ? "" : "s"} in ${elapsed} ms)`;
          throw new StepFailed({ ...error.failure, message: error.placedMessage + gaveUp }, error.cause, error.placedMessage);
        }
        note(`retry: attempt ${attempt} failed at step ${error.failure.step} (${error.cause.message}); next attempt in ${step.everyMs} ms`);
        // Closed before the pause, not after: a failed attempt may hold a lock (a POP3 maildrop) that
        // whatever the test waits for needs in the meantime; the next attempt starts from a fresh greeting.
        for (const name of names) this.session.close(name);
      }
      await sleep(step.everyMs, this.env.signal);
    }
  }
}

export async function runTest(test: TestCase, env: TestEnv): Promise<TestResult> {
  const startedAt = Date.now();
  const transcript = new Transcript(
    startedAt,
    (env.live ?? ALL_LIVE_EVENTS).wire ? (line) => env.emit({ type: "wire", id: test.id, line }) : undefined,
    env.target.users.map((u) => u.password),
    LINE_CLASSIFIERS,
    env.transcriptCaps,
  );
  const vars = new Variables(buildVariables(env.target, test, env.runToken), env.target.users);
  const limits: ReadLimits = { ...DEFAULT_READ_LIMITS, ...env.limits };
  const session = new Session({ test, target: env.target, transcript, vars, limits, ...(env.signal ? { signal: env.signal } : {}) });
  const run = new TestRun(test, env, session, vars, test.timeoutMs ?? env.timeoutMs, transcript);
  const warnings: string[] = [];
  let failure: Failure | undefined;
  let aborted = false;

  try {
    for (const [phase, steps] of [["setup", test.setup], ["steps", test.steps], ["cleanup", test.cleanup]] as const) {
      try {
        await run.phase(phase, steps);
      } catch (error) {
        if (!(error instanceof StepFailed)) throw error;
        // The phase again, now as the type of a reported Failure (setup, steps or cleanup).
        failure = { ...error.failure, phase };
        break;
      }
    }
    if (!env.signal?.aborted) {
      try {
        await run.phase("finally", test.finally);
      } catch (error) {
        if (!(error instanceof StepFailed)) throw error;
        warnings.push(`finally step ${error.failure.step}: ${error.cause.message} (actual: ${error.failure.actual})`);
      }
    }
  } catch (error) {
    if (!(error instanceof TestAborted)) throw error;
    aborted = true;
  } finally {
    session.destroyAll();
  }

  const result: TestResult = {
    ...testIdentity(test),
    status: aborted ? "skipped" : failure ? FAILURE_CLASSES[failure.class].status : "passed",
    durationMs: Date.now() - startedAt,
    warnings,
    steps: run.results,
    transcript: transcript.lines(),
  };
  if (aborted) {
    result.skipReason = "run aborted";
    result.skipKind = "aborted";
  }
  else if (failure) result.failure = failure;
  return result;
}
