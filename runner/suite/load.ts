// Entry point of the dialogue language: finds suite files under the given
// paths, reads each into the AST of runner/model/ast.ts and returns every
// error of every file, sorted by file and position. Hands the suites to
// runner/plan/ and runner/exec/, and each file's text to source/cache.ts for every
// later excerpt; nothing here opens a socket. A file that loaded cleanly
// before is taken from the parsed-suite cache (cache.ts) while it and its
// fixtures are unchanged; a file with errors is always parsed.
// Standards: none (suite language, docs/language.md).

import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Span, SuiteFile } from "../model/ast.ts";
import type { SuiteError } from "../model/failure.ts";
import { rememberSource } from "../source/cache.ts";
import { SuiteCache } from "./cache.ts";
import { duplicateIds, type IdSite } from "./unique-ids.ts";

export interface LoadResult {
  /** Files that loaded without any error, in path order. */
  suites: SuiteFile[];
  /** Every error of every file, by file (in path order) and position. */
  errors: SuiteError[];
  /** The files read, by their `file` name; their texts are in source/cache.ts, for carets under error positions. */
  files: string[];
}

const SUITE_EXTENSIONS = [".yaml", ".yml"];
/** Fixture folders hold content for suites, never suites. */
const SKIPPED_DIRS = new Set(["fixtures", "node_modules"]);

export interface LoadOptions {
  /** The parsed-suite cache; undefined: the one the environment asks for (SuiteCache.fromEnvironment), null: none. */
  cache?: SuiteCache | null;
}

export async function loadSuites(paths: string[], options: LoadOptions = {}): Promise<LoadResult> {
  const cache = options.cache === undefined ? SuiteCache.fromEnvironment() : (options.cache ?? undefined);
  const { files, errors } = await findSuiteFiles(paths);
  const readFiles: string[] = [];
  const suites: SuiteFile[] = [];
  const firstIds = new Map<string, Span>();
  const reads = await Promise.all(files.map((file) => loadOne(file, cache)));
  for (const { file, read, ioError } of reads) {
    if (ioError !== undefined) {
      errors.push(ioError);
      continue;
    }
    readFiles.push(file);
    const fileErrors = [...read.errors, ...duplicateIds(read.ids, firstIds)];
    errors.push(...sortByPosition(fileErrors));
    if (read.suite !== undefined && fileErrors.length === 0) suites.push(read.suite);
  }
  return { suites, errors, files: readFiles };
}

/** Suite files under `paths` (files as given, directories recursively), without duplicates, sorted by path. */
export async function findSuiteFiles(paths: string[]): Promise<{ files: string[]; errors: SuiteError[] }> {
  const found = new Map<string, string>();
  const errors: SuiteError[] = [];
  for (const given of paths) {
    let info;
    try {
      info = await stat(given);
    } catch (e) {
      errors.push({ file: given, line: 0, col: 0, message: ioMessage(e) });
      continue;
    }
    if (info.isDirectory()) await walk(path.normalize(given), found);
    else found.set(path.resolve(given), path.normalize(given));
  }
  const files = [...found.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, shown]) => shown);
  return { files, errors };
}

async function walk(dir: string, found: Map<string, string>): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith(".")) await walk(full, found);
    } else if (SUITE_EXTENSIONS.includes(path.extname(entry.name))) {
      found.set(path.resolve(full), full);
    }
  }
}

type OneRead =
  | { file: string; read: { suite?: SuiteFile; ids: IdSite[]; errors: SuiteError[] }; ioError?: undefined }
  | { file: string; read?: undefined; ioError: SuiteError };

async function loadOne(file: string, cache: SuiteCache | undefined): Promise<OneRead> {
  let text: string;
  try {
    text = (await readFile(file, "utf8")).replace(/^\uFEFF/, "");
  } catch (e) {
    return { file, ioError: { file, line: 0, col: 0, message: ioMessage(e) } };
  }
  rememberSource(file, text);
  const cached = await cache?.lookup(file, text);
  if (cached?.hit !== undefined) return { file, read: { ...cached.hit, errors: [] } };
  const { parseSuiteFile } = await import("./parse-file.ts");
  const { suite, ids, errors, fixtures } = await parseSuiteFile(file, text);
  if (suite !== undefined) await cached?.store({ suite, ids }, fixtures);
  return { file, read: suite === undefined ? { ids, errors } : { suite, ids, errors } };
}

export function sortByPosition(errors: SuiteError[]): SuiteError[] {
  const seen = new Set<string>();
  return [...errors]
    .sort((a, b) => a.line - b.line || a.col - b.col)
    .filter((e) => {
      const key = `${e.line}:${e.col}:${e.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

function ioMessage(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return (e as Error).message;
}
