// What the parsed-suite cache (cache.ts) keys its entries by besides the
// files themselves: the loader's own code. A hash over the text of every
// module load.ts is made of (its relative imports, followed to the end) and
// the version of the yaml package that parses for it, so any change to the
// loader, however small, is a different key and no entry written by another
// loader is ever read. A compiled build records its fingerprint beside the
// suites it precomputed (the same build wrote both); the sources compute it.
// Standards: none (suite language cache).

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Relative module specifiers of static imports, re-exports and import() calls. */
const RELATIVE_IMPORT = /\b(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g;

let computed: string | undefined;

/** The loader's fingerprint, computed once per process. */
export function loaderFingerprint(): string {
  return (computed ??= computeFingerprint(fileURLToPath(new URL(`./load${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url))));
}

/** sha256 over the import closure of `entry` (each module's path relative to it and its text) and the yaml version. */
export function computeFingerprint(entry: string): string {
  const hash = createHash("sha256");
  hash.update(`yaml ${yamlVersion()}\n`);
  const base = path.dirname(entry);
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      // A specifier in a comment that names no file: not part of the loader.
      continue;
    }
    hash.update(`${path.relative(base, file)}\n${text.length}\n${text}\n`);
    for (const m of text.matchAll(RELATIVE_IMPORT)) queue.push(path.resolve(path.dirname(file), m[1]!));
  }
  return hash.digest("hex");
}

function yamlVersion(): string {
  try {
    return (createRequire(import.meta.url)("yaml/package.json") as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}
