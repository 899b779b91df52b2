// Runs one TestCase against a live server and returns its TestResult:
// setup → steps → cleanup (only when all passed) → finally (always; its
// failures become warnings). Emits step-begin / wire / step-end; the caller
// emits test-begin / test-end. Server misbehaviour becomes a Failure with a
// class; an exception of any other type is our bug and propagates.
// Standards: none (runner semantics; see the protocol drivers for RFCs).

import type { Span, Step, TestCase } from "../model/ast.ts";
import type { RunEvent } from "../model/events.ts";
import { FAILURE_CLASSES, type Failure } from "../model/failure.ts";
import { testIdentity, type StepResult, type TestResult } from "../model/result.ts";
import type { Target } from "../model/target.ts";
import { DEFAULT_READ_LIMITS, type ReadLimits } from "../session/connection.ts";
import { Session } from "./session.ts";
import { StepFailure, TestAborted } from "../session/step-failure.ts";
import { describeStep, executeStep, sleep } from "./steps.ts";
import { Transcript } from "../session/transcript.ts";
import { buildVariables, Variables } from "../session/variables.ts";

export { buildVariables };

export interface TestEnv {
  target: Target;
  /** Per-step budget in ms (a test's own timeoutMs overrides it). */
  timeoutMs: number;
  /** Unique per run: ${run.token}. */
  runToken: string;
  emit: (event: RunEvent) => void;
  /** Aborting stops the test at its next wait; it is then reported as skipped ("run aborted"). */
  signal?: AbortSignal;
  /** Read bounds; DEFAULT_READ_LIMITS when absent (tests shrink them). */
  limits?: Partial<ReadLimits>;
}

type Phase = StepResult["phase"];

/** A step failure located in the suite: where, which step, after which command. */
interface Located {
  failure: StepFailure;
  step: Step;
  index: number;
  iteration?: { at: number; of: number };
  /** Set when the step failed inside a retry that gave up. */
  retry?: { attempts: number; ms: number };
}

class PhaseFailed extends Error {
  constructor(readonly located: Located) {
    super(located.failure.message);
  }
}

/** The steps nested in a repeat or retry. */
function innerSteps(step: Step): Step[] {
  return step.kind === "repeat" || step.kind === "retry" ? step.steps : [];
}

/** Steps as written, counting a repeat's or retry's inner steps after it (Failure.step numbering). */
function writtenCount(steps: Step[]): number {
  return steps.reduce((n, s) => n + 1 + writtenCount(innerSteps(s)), 0);
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

  /** Run a phase; throws PhaseFailed at the first failing step and records the rest as skipped. */
  async phase(phase: Phase, steps: Step[]): Promise<void> {
    let index = 1;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      const title = this.title(step);
      this.env.emit({ type: "step-begin", id: this.test.id, phase, index, title });
      const started = Date.now();
      let failed: PhaseFailed | undefined;
      this.attempts = undefined;
      try {
        await this.step(step, index, started);
      } catch (error) {
        if (error instanceof StepFailure) failed = new PhaseFailed({ failure: error, step, index });
        else if (error instanceof PhaseFailed) failed = error;
        else throw error;
      }
      const result: StepResult = { phase, index, title, status: failed ? "failed" : "passed", durationMs: Date.now() - started };
      if (step.kind === "retry" && this.attempts !== undefined) result.attempts = this.attempts;
      this.results.push(result);
      this.env.emit({ type: "step-end", id: this.test.id, step: result });
      if (failed) {
        let next = index + 1 + writtenCount(innerSteps(step));
        for (const rest of steps.slice(i + 1)) {
          this.results.push({ phase, index: next, title: this.title(rest), status: "skipped", durationMs: 0 });
          next += 1 + writtenCount(innerSteps(rest));
        }
        throw failed;
      }
      index += 1 + writtenCount(innerSteps(step));
    }
  }

  private title(step: Step): string {
    return this.session.redactTitle(describeStep(step));
  }

  /** Not async itself: a plain step hands back executeStep's promise, one async frame less per step. */
  private step(step: Step, index: number, startedAt?: number): Promise<void> {
    if (this.env.signal?.aborted) return Promise.reject(new TestAborted());
    if (step.kind === "repeat") return this.repeat(step, index);
    if (step.kind === "retry") return this.retry(step, index);
    return executeStep(this.session, step, this.budgetMs, this.env.signal, startedAt);
  }

  private async repeat(step: Extract<Step, { kind: "repeat" }>, index: number): Promise<void> {
    for (let at = 1; at <= step.times; at++) {
      this.vars.bind(step.as, String(at));
      await this.nested(step.steps, index, { at, of: step.times });
    }
  }

  /** Nested steps numbered after their parent; a failure is located at the failing child. */
  private async nested(steps: Step[], index: number, iteration?: Located["iteration"]): Promise<void> {
    let inner = index + 1;
    for (const child of steps) {
      try {
        await this.step(child, inner);
      } catch (error) {
        if (error instanceof StepFailure) {
          throw new PhaseFailed({ failure: error, step: child, index: inner, ...(iteration ? { iteration } : {}) });
        }
        throw error;
      }
      inner += 1 + writtenCount(innerSteps(child));
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
    const note = (text: string): void => this.transcript.record(names[0] ?? step.on, "*", text);
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) {
        for (const name of names) this.session.close(name);
        note(`retry: attempt ${attempt} of step ${index}, ${Date.now() - began} ms after the first`);
      }
      this.attempts = attempt;
      try {
        await this.nested(step.steps, index);
        this.attempts = attempt;
        return;
      } catch (error) {
        if (!(error instanceof PhaseFailed)) throw error;
        const elapsed = Date.now() - began;
        if (elapsed + step.everyMs >= step.withinMs) {
          note(`retry: attempt ${attempt} failed; giving up after ${elapsed} ms (window ${step.withinMs} ms)`);
          this.attempts = attempt;
          throw new PhaseFailed({ ...error.located, retry: { attempts: attempt, ms: elapsed } });
        }
        note(`retry: attempt ${attempt} failed at step ${error.located.index} (${error.located.failure.message}); next attempt in ${step.everyMs} ms`);
      }
      await sleep(step.everyMs, this.env.signal);
    }
  }
}

function toFailure(located: Located, phase: Failure["phase"], session: Session): Failure {
  const { failure, step, index, iteration, retry } = located;
  const suffix =
    (iteration ? ` (repeat iteration ${iteration.at} of ${iteration.of})` : "") +
    (retry ? ` (retry gave up after ${retry.attempts} attempt${retry.attempts === 1 ? "" : "s"} in ${retry.ms} ms)` : "");
  const command = session.lastCommand(step.on);
  return {
    class: failure.failureClass,
    message: `${failure.message}${suffix}`,
    phase,
    step: index,
    position: positionOf(step),
    expected: failure.expected ?? describeStep(step),
    actual: failure.actual,
    ...(command !== undefined ? { command } : {}),
  };
}

export async function runTest(test: TestCase, env: TestEnv): Promise<TestResult> {
  const startedAt = Date.now();
  const transcript = new Transcript(
    startedAt,
    (line) => env.emit({ type: "wire", id: test.id, line }),
    env.target.users.map((u) => u.password),
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
        if (!(error instanceof PhaseFailed)) throw error;
        failure = toFailure(error.located, phase, session);
        break;
      }
    }
    if (!env.signal?.aborted) {
      try {
        await run.phase("finally", test.finally);
      } catch (error) {
        if (!(error instanceof PhaseFailed)) throw error;
        const { failure: f, index } = error.located;
        warnings.push(`finally step ${index}: ${f.message} (actual: ${f.actual})`);
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
