// The bundled suites' entries of the parsed-suite cache, written at build
// time (bin/build-dist.js) into the compiled package, so an installed
// mailconform never parses YAML for its own suites: every suite under the
// given paths that loads cleanly is stored, keyed by its path under the
// package root, with the fingerprint of the loader that read it.
// Standards: none (build).

import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { LOADER_FILE, SuiteCache } from "./cache.ts";
import { loadSuites } from "./load.ts";
import { loaderFingerprint } from "./loader-fingerprint.ts";

/** Stores into `dir` the entries of the clean suites under `paths`; returns the suite files stored and the errors of the others. */
export async function precomputeSuiteCache(paths: string[], root: string, dir: string): Promise<{ stored: number; errors: number }> {
  const cache = new SuiteCache([{ dir, root, writable: true }], loaderFingerprint());
  await mkdir(dir, { recursive: true });
  const { suites, errors } = await loadSuites(paths, { cache });
  await writeFile(path.join(dir, LOADER_FILE), `${cache.loader}\n`);
  return { stored: suites.length, errors: errors.length };
}
