// The import rules of STYLE.md as one table, as Playwright's DEPS.list does:
// every source folder names the folders it may import, and a folder without
// a rule fails, so a new folder is given one on the day it appears. A second
// check fails on any import cycle between files and prints it. Imports are
// read with TypeScript's own scanner: static, dynamic and type-only alike.

import { expect } from "chai";
import { describe, it } from "mocha";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
/** Where the product's source lives; test/ may import anything and is not checked. */
const ROOTS = ["wire", "runner", "reference-server", "cli", "bench", "soak", "bin", "mutants"];
/** Folders whose sub-folders are folders of their own here; any other sub-folder belongs to its parent. */
const SPLIT = new Set(["runner", "reference-server", "runner/protocols", "runner/report"]);

// ---- The table -------------------------------------------------------------

const RUNNER_PROTOCOLS = ["runner/protocols/smtp", "runner/protocols/pop3", "runner/protocols/imap"];
const SERVER_PROTOCOLS = ["reference-server/smtp", "reference-server/pop3", "reference-server/imap"];
const RUNNER = [
  "runner/model", "runner/schema", "runner/source", "runner/suite", "runner/session", "runner/protocols/common", ...RUNNER_PROTOCOLS,
  "runner/protocols", "runner/exec", "runner/plan", "runner/target", "runner/profile", "runner/report/format",
  "runner/report", "runner/report/scoreboard", "runner/stats", "runner/gate", "runner/run", "runner/grade",
  "runner/coverage", "runner/record", "runner/stress", "runner/cleanup",
];
const SERVER = [
  "reference-server/config", "reference-server/tls", "reference-server/users", "reference-server/store",
  "reference-server/core", "reference-server/auth", ...SERVER_PROTOCOLS, "reference-server",
];
/** Drivers of the whole product (the command line, benchmarks, long runs): both sides, never each other. */
const EVERYTHING = ["wire", ...RUNNER, ...SERVER];

/** Folder → the folders its modules may import (its own sub-folders are part of it). */
const RULES: Record<string, readonly string[]> = {
  // The ground floor both sides share: pure codecs.
  "wire": [],

  // The runner, one way down: suite → plan → exec → protocols → session → wire.
  "runner/model": [],
  "runner/schema": [],
  // The suite files' text, read once, and the one caret renderer: the loader and the reporters share them.
  "runner/source": [],
  // Loading compiles each protocol's expectations with that protocol's own grammar: suite sits above the drivers.
  "runner/suite": [...RUNNER_PROTOCOLS, "runner/protocols/common", "runner/source", "runner/model", "wire"],
  "runner/session": ["runner/model", "wire"],
  "runner/protocols/common": ["runner/session", "runner/model", "wire"],
  ...Object.fromEntries(RUNNER_PROTOCOLS.map((p) => [p, ["runner/protocols/common", "runner/session", "runner/model", "wire"]])),
  // The registry of the three drivers.
  "runner/protocols": [...RUNNER_PROTOCOLS, "runner/protocols/common", "runner/session", "runner/model", "wire"],
  // The engine dispatches through the driver interface and knows no protocol's syntax.
  "runner/exec": ["runner/protocols", "runner/protocols/common", "runner/session", "runner/model", "wire"],
  "runner/plan": ["runner/model"],
  "runner/target": ["runner/suite", "runner/model"],
  "runner/profile": ["runner/suite", "runner/model"],
  // Reporters never see sockets, nor wire/: report/format/printable.ts escapes the decoded text they get.
  "runner/report/format": ["runner/source", "runner/model"],
  "runner/report": ["runner/report/format", "runner/model"],
  "runner/report/scoreboard": ["runner/report/format", "runner/model"],
  "runner/stats": ["runner/model"],
  "runner/gate": ["runner/profile", "runner/model"],
  // The orchestrator: everything of the runner it drives, nothing above it.
  "runner/run": ["runner/suite", "runner/plan", "runner/target", "runner/exec", "runner/session", "runner/report", "runner/report/format",
    "runner/gate", "runner/stats", "runner/profile", "runner/cleanup", "runner/model"],
  "runner/grade": ["runner/run", "runner/plan", "runner/profile", "runner/report", "runner/stats", "runner/model"],
  "runner/coverage": ["runner/model"],
  // The recording proxy classifies both directions with the drivers' own line classifiers.
  "runner/record": ["runner/protocols", "runner/session", "runner/model", "wire"],
  // The load generator talks through the session's line clients, not the conformance engine.
  "runner/stress": ["runner/session", "runner/model", "wire"],
  // The after-run sweep (leave the account as found) talks through the session's line clients, as stress does.
  "runner/cleanup": ["runner/session", "runner/model", "wire"],

  // The reference server: codec → driver (core) with a per-protocol table → store.
  "reference-server/config": [],
  "reference-server/tls": ["reference-server/config"],
  "reference-server/users": ["reference-server/config"],
  "reference-server/store": ["wire"],
  "reference-server/core": ["reference-server/config", "reference-server/tls", "reference-server/users", "reference-server/store", "wire"],
  "reference-server/auth": ["reference-server/core", "reference-server/users", "reference-server/config", "wire"],
  ...Object.fromEntries(SERVER_PROTOCOLS.map((p) => [p, ["reference-server/core", "reference-server/auth", "reference-server/users",
    "reference-server/store", "reference-server/config", "wire"]])),
  // serve.ts: starts the listeners.
  "reference-server": SERVER.filter((f) => f !== "reference-server").concat("wire"),

  // The only places that know both the runner and the server.
  "cli": EVERYTHING,
  "bin": ["cli"],
  "bench": [...EVERYTHING, "cli"],
  "soak": [...EVERYTHING, "cli"],
  // The mutation runner drives the command line in child processes and reads only its JSON report.
  "mutants": [],
};

// ---- Reading the imports ---------------------------------------------------

interface Edge {
  from: string;
  to: string;
}

const posix = path.posix;

/** The folder a repo path counts under: its top folder, split further where SPLIT says. */
function folderOf(file: string): string {
  const parts = posix.dirname(file).split("/");
  let folder = parts[0]!;
  for (let i = 1; i < parts.length && SPLIT.has(folder); i++) folder += "/" + parts[i];
  return folder;
}

function sourceFiles(): string[] {
  return ROOTS.filter((root) => existsSync(path.join(REPO, root))).flatMap((root) =>
    readdirSync(path.join(REPO, root), { recursive: true, encoding: "utf8" })
      .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith(".d.ts"))
      .map((f) => posix.join(root, f.split(path.sep).join("/"))),
  );
}

/** Every relative import (static, dynamic, type-only, re-export) of every source file, resolved to a repo path. */
function readEdges(files: readonly string[]): Edge[] {
  const out: Edge[] = [];
  for (const from of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(path.join(REPO, from), "utf8"), true, true);
    for (const { fileName } of importedFiles) {
      if (fileName.startsWith(".")) out.push({ from, to: posix.normalize(posix.join(posix.dirname(from), fileName)) });
    }
  }
  return out;
}

const FILES = sourceFiles();
const EDGES = readEdges(FILES);
const line = (e: Edge) => `${e.from} -> ${e.to}`;

/**
 * One loop through each knot of the graph (a strongly connected component of
 * more than one file, or a file importing itself), found by Tarjan's algorithm;
 * `size` counts the files the knot ties together, which may be more than one loop shows.
 */
function cycles(edges: readonly Edge[]): { loop: string[]; size: number }[] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (next.get(v) ?? []).includes(v)) found.push(component);
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return found.map((component) => oneLoop(component, next));
}

/** One concrete loop through a component, first file repeated at the end: a -> b -> c -> a. */
function oneLoop(component: readonly string[], next: ReadonlyMap<string, string[]>): { loop: string[]; size: number } {
  const inside = new Set(component);
  const start = [...component].sort()[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of next.get(v) ?? []) {
      if (w === start) {
        const loop = [v];
        while (loop[0] !== start) loop.unshift(cameFrom.get(loop[0]!)!);
        return { loop: [...loop, start], size: component.length };
      }
      if (inside.has(w) && !cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return { loop: [start, start], size: component.length };
}

// ---- The checks ------------------------------------------------------------

describe("architecture: the import table (STYLE.md, DEPS-style)", function () {
  it("reads the imports it checks, and each one names a file that exists", function () {
    // Guards the checks below against passing on an empty or half-read graph.
    expect(FILES.length).to.be.greaterThan(300);
    expect(EDGES.length).to.be.greaterThan(1000);
    const dangling = EDGES.filter((e) => !existsSync(path.join(REPO, e.to))).map(line);
    expect(dangling, "imports of files that do not exist").to.deep.equal([]);
  });

  it("gives every source folder a rule, and every rule a real folder", function () {
    const folders = [...new Set(FILES.map(folderOf))].sort();
    const missing = folders.filter((f) => !(f in RULES));
    expect(missing, `folders without a rule in test/architecture/imports.test.ts: ${missing.join(", ")}`).to.deep.equal([]);
    const named = [...new Set([...Object.keys(RULES), ...Object.values(RULES).flat()])];
    const ghosts = named.filter((f) => !existsSync(path.join(REPO, f)) || !statSync(path.join(REPO, f)).isDirectory());
    expect(ghosts, "rules naming folders that do not exist").to.deep.equal([]);
  });

  describe("each folder imports only what its rule allows", function () {
    for (const [folder, allowed] of Object.entries(RULES)) {
      it(`${folder} -> ${allowed.length === 0 ? "nothing outside itself" : allowed.length > 12 ? `${allowed.length} folders` : allowed.join(", ")}`, function () {
        const bad = EDGES.filter((e) => folderOf(e.from) === folder && folderOf(e.to) !== folder && !allowed.includes(folderOf(e.to))).map(line);
        expect(bad, `${folder} may import only ${allowed.join(", ") || "itself"}`).to.deep.equal([]);
      });
    }
  });

  describe("the table keeps the rules STYLE.md sets", function () {
    // These read the table, not the code: loosening a rule that matters fails here, not in review.
    const rule = (folder: string) => RULES[folder] ?? [];
    const under = (f: string, top: string) => f === top || f.startsWith(top + "/");

    it("allows no loop between folders", function () {
      const edges = Object.entries(RULES).flatMap(([from, tos]) => tos.map((to) => ({ from, to })));
      expect(cycles(edges).map((c) => c.loop.join(" -> "))).to.deep.equal([]);
    });

    it("wire/ imports nothing", function () {
      expect(rule("wire")).to.deep.equal([]);
    });

    it("only cli/ (and bench/, soak/) know both the runner and the reference server", function () {
      const both = Object.keys(RULES).filter((f) => rule(f).some((t) => under(t, "runner")) && rule(f).some((t) => under(t, "reference-server")));
      expect(both.sort()).to.deep.equal(["bench", "cli", "soak"]);
    });

    it("the runner never imports cli/ or reference-server/; the server imports only wire/ outside itself", function () {
      for (const f of Object.keys(RULES).filter((f) => under(f, "runner"))) expect(rule(f).filter((t) => !under(t, "runner") && t !== "wire"), f).to.deep.equal([]);
      for (const f of Object.keys(RULES).filter((f) => under(f, "reference-server"))) {
        expect(rule(f).filter((t) => !under(t, "reference-server") && t !== "wire"), f).to.deep.equal([]);
      }
    });

    it("report/ and plan/ see the model only (report/ its own sub-folders too, and the suite texts of runner/source)", function () {
      for (const f of ["runner/plan", "runner/report", "runner/report/format", "runner/report/scoreboard"]) {
        expect(rule(f).filter((t) => t !== "runner/model" && t !== "runner/source" && !under(t, "runner/report")), f).to.deep.equal([]);
      }
      expect(rule("runner/source")).to.deep.equal([]);
    });

    it("protocol drivers and the session never reach up into exec/, run/ or cli/", function () {
      for (const f of ["runner/session", "runner/protocols", "runner/protocols/common", ...RUNNER_PROTOCOLS]) {
        expect(rule(f).filter((t) => ["runner/exec", "runner/run", "cli"].includes(t)), f).to.deep.equal([]);
      }
    });

    it("a protocol folder never imports another, on either side", function () {
      for (const group of [RUNNER_PROTOCOLS, SERVER_PROTOCOLS]) {
        for (const p of group) expect(rule(p).filter((t) => group.includes(t)), p).to.deep.equal([]);
      }
    });

    it("the store imports no protocol, core or auth module", function () {
      expect(rule("reference-server/store").filter((t) => [...SERVER_PROTOCOLS, "reference-server/core", "reference-server/auth"].includes(t))).to.deep.equal([]);
    });
  });
});

describe("architecture: no import cycle between files", function () {
  it("finds none (static, dynamic and type-only imports alike)", function () {
    const found = cycles(EDGES).map(({ loop, size }) => loop.join(" -> ") + (size > loop.length - 1 ? ` (a knot of ${size} files)` : ""));
    expect(found, "import cycles").to.deep.equal([]);
  });
});
