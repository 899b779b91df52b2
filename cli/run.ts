// `mailconform run [paths…]` and `mailconform list`: flags → RunOptions →
// runConformance. Only the decisions that belong to a terminal live here:
// default suite paths, colour, Ctrl-C and SIGTERM; where the target comes from is
// target-flags.ts, shared with `stress`.
// Start-up: the runner's modules load only after the target has started (a
// one-test run against the bundled server is mostly the loading of code, on
// two threads at once).

import type { Shard } from "../runner/plan/shard.ts";
import type { ExitCode } from "../runner/model/result.ts";
import type { ReportRequest } from "../runner/report/registry.ts";
import type { RunDeps } from "../runner/run/deps.ts";
import pc from "picocolors";
import { BUNDLED_SUITES } from "./package-root.ts";
import type { FailOn } from "../runner/model/gate.ts";
import type { Baseline } from "../runner/gate/baseline.ts";
import type { GateOptions } from "../runner/gate/gate.ts";
import { BUNDLED_JOBS, startReferenceTargetThread } from "./reference-target.ts";
import { UsageError } from "./arguments.ts";
import { namesTarget, type TargetCommandFlags } from "./target-options.ts";
import type { TargetSource } from "../runner/run/target-source.ts";
import { abortOnSignals } from "./interrupt.ts";
import { DEFAULT_JOBS } from "../runner/run/defaults.ts";

// main.ts declares `run` with these, without loading the runner.
export { DEFAULT_JOBS, DEFAULT_TIMEOUT_MS } from "../runner/run/defaults.ts";


export interface RunFlags extends TargetCommandFlags {
  grep?: string;
  tag: string[];
  /** Unset: BUNDLED_JOBS against the bundled server, DEFAULT_JOBS against any other target. */
  jobs?: number;
  bail?: boolean;
  list?: boolean;
  shard?: Shard;
  reportJson?: string;
  reportJunit?: string;
  reportAllure?: string;
  reportEvents?: string;
  reportCtrf?: string;
  reportHtml?: string;
  reportPcap?: string;
  verbose?: boolean;
  quiet?: boolean;
  stats?: boolean;
  failOn?: FailOn;
  minScore?: number;
  baseline?: string;
  failOnRegression?: boolean;
  /** --expect-deviations FILE (repeatable): known deviations of the target. */
  expectDeviations?: string[];
  timeout: number;
}

export function reportRequests(flags: RunFlags): ReportRequest[] {
  const out: ReportRequest[] = [];
  if (flags.reportJson) out.push({ name: "json", destination: flags.reportJson });
  if (flags.reportJunit) out.push({ name: "junit", destination: flags.reportJunit });
  if (flags.reportAllure) out.push({ name: "allure", destination: flags.reportAllure });
  if (flags.reportEvents) out.push({ name: "events", destination: flags.reportEvents });
  if (flags.reportCtrf) out.push({ name: "ctrf", destination: flags.reportCtrf });
  if (flags.reportHtml) out.push({ name: "html", destination: flags.reportHtml });
  if (flags.reportPcap) out.push({ name: "pcap", destination: flags.reportPcap });
  return out;
}

/** In GitHub Actions: annotations and the step summary, on top of whatever else was asked for. */
export function ciReportRequests(env: NodeJS.ProcessEnv): ReportRequest[] {
  return env.GITHUB_ACTIONS === "true" ? [{ name: "github", destination: env.GITHUB_STEP_SUMMARY ?? "" }] : [];
}

/** The gate, when any gating flag is given; the baseline is read now, so a bad one stops the run before it starts. */
export async function gateFrom(flags: RunFlags): Promise<GateOptions | undefined> {
  if (flags.failOnRegression && flags.baseline === undefined) throw new UsageError("--fail-on-regression needs --baseline FILE");
  if (flags.failOn === undefined && flags.minScore === undefined && flags.baseline === undefined) return undefined;
  let baseline: Baseline | undefined;
  if (flags.baseline !== undefined) {
    const { BaselineError, loadBaseline } = await import("../runner/gate/baseline.ts");
    try {
      baseline = await loadBaseline(flags.baseline);
    } catch (e) {
      if (e instanceof BaselineError) throw new UsageError(e.message);
      throw e;
    }
  }
  return {
    failOn: flags.failOn ?? "any",
    ...(flags.minScore !== undefined ? { minScore: flags.minScore } : {}),
    ...(baseline ? { baseline } : {}),
    failOnRegression: flags.failOnRegression ?? false,
  };
}

/** Colour only on a terminal, and never when NO_COLOR is set (no-color.org); CI alone does not turn it on. */
export function wantsColour(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

/**
 * A started target begun now rather than when the run asks for it: the
 * bundled server starts on its own thread while this one loads the suites.
 * `stop` releases it if the run never took it (a suite error, nothing matched).
 */
export function startEarly(source: TargetSource): { source: TargetSource; stop(): Promise<void> } {
  if (source.kind !== "started") return { source, stop: async () => {} };
  const starting = source.start();
  // Handled here too: a start that fails while the suites load must not end the process as an unhandled rejection.
  starting.catch(() => {});
  let taken = false;
  return {
    source: {
      kind: "started",
      start: () => {
        taken = true;
        return starting;
      },
    },
    stop: async () => {
      if (taken) return;
      taken = true;
      // A start that failed has nothing to stop; its error is the run's only if the run takes it.
      const acquired = await starting.catch(() => undefined);
      await acquired?.release();
    },
  };
}

export async function runCommand(paths: string[], flags: RunFlags, deps?: RunDeps): Promise<ExitCode> {
  // No target named: the bundled server, without loading the runner's target code (target-flags.ts) to see that.
  const source: TargetSource =
    flags.list || !namesTarget(flags) ? { kind: "started", start: () => startReferenceTargetThread() } : (await import("./target-flags.ts")).targetSourceFrom(flags);
  const gate = flags.list ? undefined : await gateFrom(flags);
  // Started before the runner's modules load: the bundled server's thread loads its code while this one loads the runner's.
  const early = flags.list ? undefined : startEarly(source);
  // The probes and the test engine, which the run imports on first use once its target is up (runner/run/deps.ts):
  // imported now, while the target starts (this thread would otherwise wait for the bundled server's thread, then load them).
  // An import that fails here fails again where it is used, and is reported there.
  if (early !== undefined) void Promise.all([import("../runner/exec/capabilities.ts"), import("../runner/exec/run-test.ts")]).catch(() => {});
  const target = early?.source ?? source;
  const controller = new AbortController();
  const cleanup = new AbortController();
  const again = (signal: string) => (signal === "SIGINT" ? "Ctrl-C" : "SIGTERM");
  // First Ctrl-C or SIGTERM: start nothing more, stop running tests, sweep the account, write the reports, exit 130 / 143.
  // A second one stops the sweep (which says what it left) but still writes the reports; a third kills.
  const stopListening = abortOnSignals(
    controller,
    (signal) =>
      process.stderr.write(`\nmailconform: ${signal}: stopping running tests, removing what the run left in the account and writing the reports, which mark the run interrupted (${again(signal)} again to skip the clean-up)\n`),
    {
      controller: cleanup,
      say: (signal) => process.stderr.write(`\nmailconform: ${signal} again: skipping the clean-up; the reports are still written (${again(signal)} once more to kill)\n`),
    },
  );
  try {
    const [{ runConformance }, { defaultDeps }, { PLAIN }] = await Promise.all([
      import("../runner/run/run.ts"),
      import("../runner/run/deps.ts"),
      import("../runner/report/format/failure-text.ts"),
    ]);
    return await runConformance(
      {
        paths: paths.length > 0 ? paths : [BUNDLED_SUITES],
        target,
        grep: flags.grep,
        tags: flags.tag,
        shard: flags.shard,
        jobs: flags.jobs ?? (target.kind === "started" ? BUNDLED_JOBS : DEFAULT_JOBS),
        bail: flags.bail ?? false,
        list: flags.list ?? false,
        timeoutMs: flags.timeout,
        reports: [...reportRequests(flags), ...ciReportRequests(process.env)],
        stats: flags.stats ?? false,
        verbosity: flags.verbose ? "verbose" : flags.quiet ? "quiet" : "normal",
        ...(gate ? { gate } : {}),
        ...(flags.expectDeviations && flags.expectDeviations.length > 0 ? { deviationFiles: flags.expectDeviations } : {}),
        cwd: process.cwd(),
        out: process.stdout,
        err: process.stderr,
        colors: wantsColour(process.stdout, process.env) ? pc.createColors(true) : PLAIN,
        signal: controller.signal,
        cleanupSignal: cleanup.signal,
      },
      deps ?? defaultDeps,
    );
  } finally {
    stopListening();
    await early?.stop();
  }
}
