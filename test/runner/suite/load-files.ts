// Writes suite texts into a fresh temporary folder and loads them, so each
// spec states its YAML inline and reads errors as "file:line:col: message".

import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { SuiteError } from "../../../runner/model/failure.ts";
import { formatSuiteError } from "../../../runner/suite/format.ts";
import { loadSuites, type LoadResult } from "../../../runner/suite/load.ts";

export interface Loaded extends LoadResult {
  dir: string;
  /** Errors as one-liners with paths relative to the folder. */
  lines: string[];
}

/** `files` maps relative paths to their text; loads the whole folder. */
export async function loadFiles(files: Record<string, string>): Promise<Loaded> {
  const dir = await mkdtemp(path.join(tmpdir(), "mailconform-suite-"));
  try {
    for (const [name, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), text);
    }
    // Parsed every time, and no entry left in the user's cache for a folder deleted below.
    const result = await loadSuites([dir], { cache: null });
    return { ...result, dir, lines: result.errors.map((e) => oneLine(e, dir)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function oneLine(e: SuiteError, dir: string): string {
  return formatSuiteError({ ...e, file: path.relative(dir, e.file) });
}

/**
 * An AST part with its compiled templates and IMAP patterns shown as written
 * (an untagged pattern without its "* "): for comparing with what a suite says.
 */
export function written(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(written);
  if (value === null || typeof value !== "object") return value;
  if ("parts" in value && "text" in value) return (value as { text: string }).text;
  if ("tokens" in value && "text" in value) return written((value as { text: unknown }).text);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, written(v)]));
}
