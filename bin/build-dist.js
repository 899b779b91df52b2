#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm ci` and `npm pack` build too): the
// product's TypeScript compiled into dist/ by tsconfig.build.json, with the
// data files the code reads next to itself (JSON schemas) copied alongside.
// Standards: none (build).
//
// The bundled suites are loaded once by the compiled loader and stored as
// dist/suites-cache (runner/suite/precompute.ts): an installed package never
// parses YAML for its own suites.
//
// dist/ is built aside and swapped in whole, so a `mailconform` started during
// a build never loads half of it. dist/BUILT is dated to the build's START:
// bin/mailconform.js, in a checkout, runs the sources instead whenever one
// is newer, including an edit made while tsc was running.

import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The folders compiled (tsconfig.build.json's include); their other files are data the code reads. */
export const SOURCE_DIRS = ["wire", "cli", "runner", "reference-server"];

const started = new Date();
const dist = path.join(ROOT, "dist");
const building = path.join(ROOT, `dist.building-${process.pid}`);
rmSync(building, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
try {
  execFileSync(process.execPath, [tsc, "-p", path.join(ROOT, "tsconfig.build.json"), "--outDir", building], { stdio: "inherit" });
} catch {
  rmSync(building, { recursive: true, force: true });
  process.stderr.write("build-dist: tsc failed; dist/ left as it was\n");
  process.exit(1);
}

for (const dir of SOURCE_DIRS) {
  for (const entry of readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith(".ts")) continue;
    const from = path.join(entry.parentPath, entry.name);
    cpSync(from, path.join(building, path.relative(ROOT, from)));
  }
}

// The compiled loader itself writes the entries, so they carry the fingerprint of the code they are read by.
// A suite with errors is left out (it is parsed, and reported, when run); the build does not fail on it.
const { precomputeSuiteCache } = await import(pathToFileURL(path.join(building, "runner", "suite", "precompute.js")).href);
const { stored, errors } = await precomputeSuiteCache([path.join(ROOT, "suites")], ROOT, path.join(building, "suites-cache"));
if (errors > 0) process.stderr.write(`build-dist: ${errors} suite error(s); those files are not in dist/suites-cache (mailconform validate suites lists them)\n`);
process.stdout.write(`build-dist: ${stored} bundled suite files precomputed into dist/suites-cache\n`);

const stamp = path.join(building, "BUILT");
writeFileSync(stamp, "Compiled by bin/build-dist.js; dated to the start of the build.\n");
utimesSync(stamp, started, started);

const old = path.join(ROOT, `dist.old-${process.pid}`);
if (existsSync(dist)) renameSync(dist, old);
renameSync(building, dist);
rmSync(old, { recursive: true, force: true });
