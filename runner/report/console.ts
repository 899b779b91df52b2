// The terminal reporter: a line per finished test while the run goes on,
// then every failure in the Hurl shape (by id, whatever order they finished
// in), a summary table per protocol, a stopped run's marks (interrupted,
// incomplete), and as the very last line `N passed, N failed, N skipped`
// (plus `, N errors`, `, N not run`… when non-zero) for scripts and humans to read.
// Colour is decided by the caller (a TTY without NO_COLOR), never here.
// -v streams each test's dialogue as it runs (as recorded: secrets already
// redacted); --quiet prints only the failures and the summary; tests stopped
// before their first step by one cause (a port down) get one line, not one each.

import type { Protocol } from "../model/ast.ts";
import type { LiveEvents, RunEvent } from "../model/events.ts";
import { isExpectedDeviation, isNotRun, type TestResult, type TranscriptLine } from "../model/result.ts";
import { byId } from "./format/order.ts";
import { gateSection, plural, runMarks, statsSection, summaryLine } from "./format/run-sections.ts";
import { expectedActual, failureText, PLAIN, type Colors } from "./format/failure-text.ts";
import { terminalSafe } from "./format/terminal-safe.ts";
import { formatTranscript } from "./format/transcript.ts";
import type { Reporter, TextSink } from "./reporter.ts";

export interface ConsoleOptions {
  out: TextSink;
  colors?: Colors;
  cwd: string;
  /** Transcript lines shown under each failure. */
  transcriptLines?: number;
  /** --stats: print the protocol statistics run-end carries. */
  stats?: boolean;
  /** "verbose" (-v): each test's dialogue as it runs; "quiet": failures and the summary only. */
  verbosity?: Verbosity;
}

export type Verbosity = "quiet" | "normal" | "verbose";

/** The ids a collapsed block names; the JSON and HTML reports list them all. */
const MAX_LISTED_IDS = 10;

const PROTOCOL_ORDER: Protocol[] = ["smtp", "pop3", "imap", "lmtp"];

export class ConsoleReporter implements Reporter {
  readonly name = "console";
  readonly printsToConsole = true;
  private readonly c: Colors;
  private readonly results: TestResult[] = [];
  private readonly verbosity: Verbosity;
  /** Failures before the first step already shown once, by status and message; later ones print nothing while the run goes on. */
  private readonly unstarted = new Map<string, number>();
  /** -v: titles from the plan, for each dialogue's heading. */
  private readonly titles = new Map<string, string>();
  /** -v: the test whose dialogue streams live; tests running beside it (--jobs) keep theirs until they end. */
  private live: string | undefined;
  private readonly held = new Map<string, TranscriptLine[]>();

  /** -v streams wire lines; no step events are ever printed. */
  readonly liveEvents: LiveEvents;

  constructor(private readonly options: ConsoleOptions) {
    this.c = options.colors ?? PLAIN;
    this.verbosity = options.verbosity ?? "normal";
    this.liveEvents = { steps: false, wire: this.verbosity === "verbose" };
  }

  onEvent(e: RunEvent): void {
    switch (e.type) {
      case "run-begin": {
        const endpoints = Object.entries(e.target.endpoints)
          .map(([p, ep]) => `${p} ${ep.socket ?? ep.port}${ep.tls === "none" ? "" : `/${ep.tls}`}`)
          .join(", ");
        const shard = e.shard ? ` (shard ${e.shard.index}/${e.shard.total})` : "";
        for (const t of e.plan) this.titles.set(t.id, t.title);
        if (this.verbosity === "quiet") break;
        this.print(`Running ${plural(e.plan.length, "test")}${shard} against ${e.target.name} (${e.target.host}: ${endpoints})`);
        break;
      }
      case "test-begin":
        if (this.verbosity !== "verbose") break;
        if (this.live === undefined) {
          this.live = e.id;
          this.print(this.dialogueHeading(e.id));
        } else this.held.set(e.id, []);
        break;
      case "wire":
        if (this.verbosity !== "verbose") break;
        if (e.id === this.live) this.print(this.wireLine(e.line));
        else this.held.get(e.id)?.push(e.line);
        break;
      case "test-end":
        this.results.push(e.result);
        if (this.verbosity === "verbose") this.endDialogue(e.result.id);
        if (this.verbosity !== "quiet" && this.firstOfItsCause(e.result)) this.print(this.progressLine(e.result));
        break;
      case "run-error":
        this.print(`${this.c.red(this.c.bold("run error:"))} ${e.message}`);
        if (e.stack) this.print(this.c.dim(e.stack));
        break;
      case "run-end":
        this.printEnd(e);
        break;
      default:
        break;
    }
  }

  private dialogueHeading(id: string): string {
    return `  ${this.c.bold(">")} ${id}${this.titles.has(id) ? this.c.dim(`: ${this.titles.get(id)}`) : ""}`;
  }

  private wireLine(line: TranscriptLine): string {
    const [text] = formatTranscript([line], "    ", 5);
    return line.dir === "C" ? this.c.cyan(text!) : line.dir === "*" ? this.c.dim(text!) : text!;
  }

  /** A test beside the live one prints its dialogue whole when it ends. */
  private endDialogue(id: string): void {
    if (id === this.live) {
      this.live = undefined;
      return;
    }
    const lines = this.held.get(id);
    this.held.delete(id);
    if (!lines) return;
    this.print(this.dialogueHeading(id));
    for (const line of lines) this.print(this.wireLine(line));
  }

  /**
   * False for a test that failed before its first step the way one already
   * shown did: a wrong port would otherwise print the same line for every
   * test. The first repeat says so once; the end counts them all.
   */
  private firstOfItsCause(r: TestResult): boolean {
    if (!r.failure || r.failure.step !== 0 || isExpectedDeviation(r) || (r.status !== "failed" && r.status !== "error")) return true;
    const key = `${r.status}\u0000${r.failure.message}`;
    const seen = this.unstarted.get(key) ?? 0;
    this.unstarted.set(key, seen + 1);
    if (seen === 1 && this.verbosity !== "quiet") {
      this.print(this.c.dim(`  … more tests cannot start for the same reason; they are counted at the end, not listed here`));
    }
    return seen === 0;
  }

  private progressLine(r: TestResult): string {
    const c = this.c;
    const ms = c.dim(`(${r.durationMs} ms)`);
    if (isExpectedDeviation(r)) {
      return `  ${c.yellow("~")} ${r.id} ${ms} ${c.yellow(`deviation (${r.deviation!.ref}): ${r.deviation!.reason}`)}`;
    }
    switch (r.status) {
      case "passed":
        if (r.deviation?.fixed) return `  ${c.green("✓")} ${r.id} ${ms} ${c.yellow(`deviation fixed: listed in ${r.deviation.source}, remove the entry`)}`;
        return `  ${c.green("✓")} ${r.id} ${ms}`;
      case "failed":
        return `  ${c.red("✗")} ${r.id} ${ms} ${c.red(terminalSafe(r.failure?.message ?? ""))}`;
      case "error":
        return `  ${c.red("!")} ${r.id} ${ms} ${c.red(terminalSafe(r.failure?.message ?? r.warnings[0] ?? "runner error"))}`;
      case "skipped":
        if (isNotRun(r)) return `  ${c.yellow("-")} ${r.id} ${c.yellow(r.skipReason ?? "not run")}`;
        return `  ${c.yellow("-")} ${r.id} ${c.yellow(`skipped: ${r.skipReason ?? ""}`)}`;
    }
  }

  private printEnd(end: Extract<RunEvent, { type: "run-end" }>): void {
    const { summary, durationMs } = end;
    const bad = this.results.filter((r) => (r.status === "failed" || r.status === "error") && !isExpectedDeviation(r)).sort(byId);
    this.print("");
    for (const block of groupUnstarted(bad)) {
      if (block.length > 1) {
        // Many tests stopped by the same cause before their first step (a protocol down): say it once.
        const f = block[0]!.failure!;
        this.print(`${this.c.bold(this.c.red(block[0]!.status === "error" ? "ERROR" : "FAIL"))} ${block.length} tests could not start: ${terminalSafe(f.message)}`);
        for (const line of expectedActual(f, this.c)) this.print(line);
        const more = block.length > MAX_LISTED_IDS ? `, … and ${block.length - MAX_LISTED_IDS} more (every id is in the JSON and HTML reports)` : "";
        this.print(`  tests:    ${block.slice(0, MAX_LISTED_IDS).map((r) => r.id).join(", ")}${more}`);
      } else {
        const lines = failureText(block[0]!, {
          cwd: this.options.cwd,
          colors: this.c,
          transcriptLines: this.options.transcriptLines ?? 12,
        });
        this.print(lines.join("\n"));
      }
      this.print("");
    }
    // Expected deviations: one line each (the JSON and JUnit reports keep their failure text and transcript).
    const deviations = this.results.filter(isExpectedDeviation).sort(byId);
    if (deviations.length > 0) {
      this.print(this.c.bold(`Expected deviations (${deviations.length}), as listed in the expectations files:`));
      for (const r of deviations) this.print(`  ${r.id}: ${r.deviation!.ref}: ${r.deviation!.reason} (${terminalSafe(r.failure?.message ?? r.status)})`);
      this.print("");
    }
    const fixed = this.results.filter((r) => r.deviation?.fixed).sort(byId);
    for (const r of fixed) this.print(this.c.yellow(`warning: ${r.id} passed but is listed as a deviation in ${r.deviation!.source}; remove the entry`));
    if (fixed.length > 0) this.print("");
    if (this.verbosity !== "quiet") {
      this.print(this.table());
      this.print("");
    }
    this.print(`Finished in ${(durationMs / 1000).toFixed(2)} s`);
    if (summary.errors > 0) this.print(this.c.red(plural(summary.errors, "error")));
    const sections = [...(this.options.stats && end.stats ? statsSection(end.stats) : []), ...(end.gate ? gateSection(end.gate, this.c) : [])];
    if (sections.length > 0) this.print(sections.join("\n") + "\n");
    // A stopped run says so right above the counts, with the exit code CI will see.
    for (const mark of runMarks(end)) this.print(this.c.red(this.c.bold(`${mark[0]!.toUpperCase()}${mark.slice(1)}; exit code ${end.exitCode}`)));
    // The last line stays plain text in this exact form: scripts read it.
    this.print(summaryLine(summary));
  }

  private table(): string {
    // The deviations and not-run columns appear only in runs that have them, so other runs read as before.
    const withDeviations = this.results.some(isExpectedDeviation);
    const withNotRun = this.results.some(isNotRun);
    const head = ["protocol", "total", "passed", "failed", "skipped", "errors", ...(withDeviations ? ["deviations"] : []), ...(withNotRun ? ["not run"] : [])];
    const rows: string[][] = [];
    const counted = (rs: TestResult[], s: TestResult["status"]) => rs.filter((r) => r.status === s && !isExpectedDeviation(r) && !isNotRun(r)).length;
    const count = (rs: TestResult[]) => [
      rs.length,
      counted(rs, "passed"),
      counted(rs, "failed"),
      counted(rs, "skipped"),
      counted(rs, "error"),
      ...(withDeviations ? [rs.filter(isExpectedDeviation).length] : []),
      ...(withNotRun ? [rs.filter(isNotRun).length] : []),
    ];
    for (const p of PROTOCOL_ORDER) {
      const rs = this.results.filter((r) => r.protocol === p);
      if (rs.length > 0) rows.push([p, ...count(rs).map(String)]);
    }
    rows.push(["all", ...count(this.results).map(String)]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
    return [this.c.bold(fmt(head)), ...rows.map(fmt)].join("\n");
  }

  private print(text: string): void {
    this.options.out.write(text + "\n");
  }
}

/**
 * Splits failures into blocks: tests that failed before their first step
 * (step 0) with the same message form one block, every other test its own.
 * Blocks keep the id order of their first test.
 */
function groupUnstarted(sorted: readonly TestResult[]): TestResult[][] {
  const blocks: TestResult[][] = [];
  const byMessage = new Map<string, TestResult[]>();
  for (const r of sorted) {
    if (r.failure && r.failure.step === 0) {
      const key = `${r.status}\u0000${r.failure.message}`;
      const block = byMessage.get(key);
      if (block) {
        block.push(r);
        continue;
      }
      byMessage.set(key, [r]);
      blocks.push(byMessage.get(key)!);
    } else blocks.push([r]);
  }
  return blocks;
}
