// A baseline for --baseline: a previous JSON report (runner/schema/report.schema.json),
// reduced to each test's id, level and status. Read before the run, so a
// missing or foreign file is a usage error (exit 2) and never a surprise
// after every test has run.
// Standards: none.

import { readFile } from "node:fs/promises";
import type { Level } from "../model/ast.ts";
import type { TestStatus } from "../model/failure.ts";

export interface Baseline {
  file: string;
  tests: Map<string, { level: Level; status: TestStatus }>;
}

export class BaselineError extends Error {}

const STATUSES = new Set(["passed", "failed", "skipped", "error"]);
const LEVELS = new Set(["MUST", "SHOULD", "MAY"]);

export async function loadBaseline(file: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new BaselineError(`--baseline ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`--baseline ${file}: not JSON (${(e as Error).message}); expected a report written by --report-json`);
  }
  const tests = (doc as { tests?: unknown }).tests;
  if (typeof doc !== "object" || doc === null || (doc as { version?: unknown }).version !== 1 || !Array.isArray(tests)) {
    throw new BaselineError(`--baseline ${file}: not a mailconform JSON report (version 1 with a 'tests' list)`);
  }
  const out = new Map<string, { level: Level; status: TestStatus }>();
  tests.forEach((t: unknown, i: number) => {
    const { id, level, status } = (t ?? {}) as { id?: unknown; level?: unknown; status?: unknown };
    if (typeof id !== "string" || !LEVELS.has(level as string) || !STATUSES.has(status as string)) {
      throw new BaselineError(`--baseline ${file}: tests[${i}] lacks a string id, a level or a status`);
    }
    out.set(id, { level: level as Level, status: status as TestStatus });
  });
  return { file, tests: out };
}
