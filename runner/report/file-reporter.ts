// What the reporters that write one file at the end share (JSON, JUnit, CTRF,
// HTML): they collect run-begin, every test's result, run errors and run-end
// from the stream, and write their file once, on close, after run-end.

import { mkdirSync } from "node:fs";
import path from "node:path";
import { NO_LIVE_EVENTS, type RunEvent } from "../model/events.ts";
import type { TestResult } from "../model/result.ts";
import type { Reporter } from "./reporter.ts";

export type RunBegin = Extract<RunEvent, { type: "run-begin" }>;
export type RunEnd = Extract<RunEvent, { type: "run-end" }>;
export interface RunError {
  message: string;
  stack?: string;
}

/** The whole run as a file reporter received it. */
export interface CollectedRun {
  begin: RunBegin;
  end: RunEnd;
  results: readonly TestResult[];
  runErrors: readonly RunError[];
}

export interface FileReportOptions {
  file: string;
  /** Paths in the report are relative to this folder. */
  cwd: string;
}

export abstract class FileReporter implements Reporter {
  abstract readonly name: string;
  readonly printsToConsole = false;
  /** The file holds each test's result, which carries its steps and transcript: nothing read live. */
  readonly liveEvents = NO_LIVE_EVENTS;
  /** How the report is called in the error when the stream was incomplete ("JSON", "JUnit", …). */
  protected abstract readonly kind: string;
  private begin?: RunBegin;
  private end?: RunEnd;
  private readonly results: TestResult[] = [];
  private readonly runErrors: RunError[] = [];

  constructor(protected readonly options: FileReportOptions) {}

  onEvent(e: RunEvent): void {
    if (e.type === "run-begin") this.begin = e;
    else if (e.type === "test-end") this.results.push(e.result);
    else if (e.type === "run-error") this.runErrors.push(e.stack ? { message: e.message, stack: e.stack } : { message: e.message });
    else if (e.type === "run-end") this.end = e;
  }

  close(): void {
    if (!this.begin || !this.end) throw new Error(`the run ended without run-begin and run-end; no ${this.kind} report written`);
    mkdirSync(path.dirname(path.resolve(this.options.file)), { recursive: true });
    this.write({ begin: this.begin, end: this.end, results: this.results, runErrors: this.runErrors });
  }

  /** Write the report file (its folder exists). */
  protected abstract write(run: CollectedRun): void;
}
