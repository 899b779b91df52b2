// The parsed-suite cache: a clean suite loads from its entry exactly as the
// parser reads it (the bundled suites whole, compared field by field), and
// an entry is used only while the suite's text, its fixtures and the loader
// are what they were: an edit, a changed fixture, another loader, a
// corrupt or truncated entry are misses that parse again. Suites with
// errors are never stored, and their messages are the parser's.

import { expect } from "chai";
import { after, afterEach, before, describe, it } from "mocha";
import { cp, mkdtemp, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../../cli/main.ts";
import { SuiteCache, cacheDisabled, userCacheDir } from "../../../runner/suite/cache.ts";
import { loadSuites } from "../../../runner/suite/load.ts";
import { precomputeSuiteCache } from "../../../runner/suite/precompute.ts";

const SUITES = fileURLToPath(new URL("../../../suites/", import.meta.url));

const GOOD = `protocol: smtp
title: T
tests:
  - id: cache.one
    title: one
    refs: [RFC 5321 §4.2]
    level: MUST
    quote: The server MUST answer.
    steps:
      - expect: 220
      - send: EHLO client.example
      - expect: 250
      - send: DATA
      - data: { file: fixtures/message.eml }
      - expect: 250
`;
const FIXTURE = "Subject: hi\r\n\r\nbody\r\n";

let scratch: string;

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "mailconform-cache-"));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A folder with one suite and its fixture, and an empty cache folder beside it. */
async function workspace(suite = GOOD): Promise<{ dir: string; file: string; fixture: string; cacheDir: string; cache: () => SuiteCache }> {
  const dir = await mkdtemp(path.join(scratch, "w-"));
  const file = path.join(dir, "suites", "s.yaml");
  const fixture = path.join(dir, "suites", "fixtures", "message.eml");
  await mkdir(path.dirname(fixture), { recursive: true });
  await writeFile(file, suite);
  await writeFile(fixture, FIXTURE);
  const cacheDir = path.join(dir, "cache");
  return { dir, file, fixture, cacheDir, cache: () => new SuiteCache([{ dir: cacheDir, writable: true }], "loader-a") };
}

async function isHit(cache: SuiteCache, file: string): Promise<boolean> {
  return (await cache.lookup(file, await readFile(file, "utf8"))).hit !== undefined;
}

/** The loaded suites with every lazy field read, as plain data. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe("suite cache: hits", () => {
  it("stores a clean suite and loads it from the entry, the same AST as the parser's", async () => {
    const w = await workspace();
    const fresh = await loadSuites([w.file], { cache: null });
    expect(fresh.errors).to.deep.equal([]);
    expect(await isHit(w.cache(), w.file)).to.equal(false);
    await loadSuites([w.file], { cache: w.cache() });
    expect(await readdir(w.cacheDir)).to.have.length(1);
    expect(await isHit(w.cache(), w.file)).to.equal(true);
    const cached = await loadSuites([w.file], { cache: w.cache() });
    expect(cached.errors).to.deep.equal([]);
    expect(cached.files).to.deep.equal(fresh.files);
    expect(plain(cached.suites)).to.deep.equal(plain(fresh.suites));
    // Same keys in the same order (reports serialise tests), the fixture path absolute as the parser made it.
    expect(JSON.stringify(cached.suites)).to.equal(JSON.stringify(fresh.suites));
    expect(JSON.stringify(cached.suites)).to.include(JSON.stringify(w.fixture));
  });

  it("gives back the name the file is shown by, whichever it was stored under", async () => {
    const w = await workspace();
    await loadSuites([w.file], { cache: w.cache() });
    const relative = path.relative(process.cwd(), w.file);
    const cached = await loadSuites([relative], { cache: w.cache() });
    const fresh = await loadSuites([relative], { cache: null });
    expect(cached.suites[0]!.file).to.equal(relative);
    expect(cached.suites[0]!.tests[0]!.steps[0]!.span.file).to.equal(relative);
    expect(JSON.stringify(cached.suites)).to.equal(JSON.stringify(fresh.suites));
  });

  it("reads a test's steps only when asked, then as plain data that can be replaced", async () => {
    const w = await workspace();
    await loadSuites([w.file], { cache: w.cache() });
    const test = (await loadSuites([w.file], { cache: w.cache() })).suites[0]!.tests[0]!;
    expect(Object.getOwnPropertyDescriptor(test, "steps")!.get).to.be.a("function");
    expect(test.steps.map((s) => s.kind)).to.deep.equal(["expect", "send", "expect", "send", "data", "expect"]);
    expect(Object.getOwnPropertyDescriptor(test, "steps")!.value).to.equal(test.steps);
    test.cleanup = [];
    expect(test.cleanup).to.deep.equal([]);
  });

  it("loads every bundled suite from a package store exactly as the parser does, wherever the package is moved", async function () {
    // Parses every bundled suite twice: seconds on a loaded machine.
    this.timeout(120_000);
    const built = await mkdtemp(path.join(scratch, "pkg-"));
    await cp(SUITES, path.join(built, "suites"), { recursive: true });
    const storeDir = path.join(built, "dist", "suites-cache");
    const { stored, errors } = await precomputeSuiteCache([path.join(built, "suites")], built, storeDir);
    expect(errors).to.equal(0);
    // Installed elsewhere: the entries hold no path of the folder they were built in.
    const moved = `${built}-installed`;
    await cp(built, moved, { recursive: true });
    await rm(built, { recursive: true, force: true });
    const loader = (await readFile(path.join(moved, "dist", "suites-cache", "LOADER"), "utf8")).trim();
    const store = new SuiteCache([{ dir: path.join(moved, "dist", "suites-cache"), root: moved, writable: false }], loader);
    const files = (await readdir(path.join(moved, "suites"), { recursive: true })).filter((f) => f.endsWith(".yaml"));
    let hits = 0;
    for (const f of files) if (await isHit(store, path.join(moved, "suites", f))) hits++;
    expect(hits).to.equal(stored);
    expect(stored).to.be.at.least(60);
    const cached = await loadSuites([path.join(moved, "suites")], { cache: store });
    const fresh = await loadSuites([path.join(moved, "suites")], { cache: null });
    expect(cached.errors).to.deep.equal([]);
    expect(JSON.stringify(cached.suites)).to.equal(JSON.stringify(fresh.suites));
  });
});

describe("suite cache: misses", () => {
  it("parses again after an edit, even one that keeps the size and the modification time", async () => {
    const w = await workspace();
    await loadSuites([w.file], { cache: w.cache() });
    const before = await stat(w.file);
    await writeFile(w.file, GOOD.replace("title: one", "title: two"));
    await utimes(w.file, before.atime, before.mtime);
    expect((await stat(w.file)).size).to.equal(before.size);
    expect(await isHit(w.cache(), w.file)).to.equal(false);
    const loaded = await loadSuites([w.file], { cache: w.cache() });
    expect(loaded.suites[0]!.tests[0]!.title).to.equal("two");
    expect(await isHit(w.cache(), w.file)).to.equal(true);
  });

  it("parses again when a fixture the suite names changes or disappears", async () => {
    const w = await workspace();
    await loadSuites([w.file], { cache: w.cache() });
    await writeFile(w.fixture, FIXTURE.replace("hi", "ho"));
    expect(await isHit(w.cache(), w.file)).to.equal(false);
    await loadSuites([w.file], { cache: w.cache() });
    expect(await isHit(w.cache(), w.file)).to.equal(true);
    await rm(w.fixture);
    expect(await isHit(w.cache(), w.file)).to.equal(false);
    const loaded = await loadSuites([w.file], { cache: w.cache() });
    expect(loaded.suites).to.deep.equal([]);
    expect(loaded.errors.map((e) => `${e.line}:${e.col}: ${e.message}`)).to.deep.equal([
      `14:23: fixture 'fixtures/message.eml' not found: fixture paths are relative to the suite file (${path.join(path.dirname(w.file), "fixtures", "message.eml")})`,
    ]);
  });

  it("never reads an entry another loader wrote", async () => {
    const w = await workspace();
    await loadSuites([w.file], { cache: w.cache() });
    expect(await isHit(new SuiteCache([{ dir: w.cacheDir, writable: true }], "loader-b"), w.file)).to.equal(false);
  });

  it("ignores a corrupt or truncated entry, parses, and writes it again", async () => {
    const w = await workspace();
    const fresh = await loadSuites([w.file], { cache: null });
    await loadSuites([w.file], { cache: w.cache() });
    const [name] = await readdir(w.cacheDir);
    const entry = path.join(w.cacheDir, name!);
    const good = await readFile(entry);
    const flipped = Buffer.from(good);
    flipped[good.length - 10] ^= 0x01;
    for (const bad of [flipped, good.subarray(0, good.length - 1), Buffer.from("not an entry"), Buffer.alloc(0)]) {
      await writeFile(entry, bad);
      expect(await isHit(w.cache(), w.file)).to.equal(false);
      const loaded = await loadSuites([w.file], { cache: w.cache() });
      expect(JSON.stringify(loaded.suites)).to.equal(JSON.stringify(fresh.suites));
      expect(await readFile(entry)).to.deep.equal(good);
    }
  });

  it("stores nothing for a suite with errors, and reports them as the parser does", async () => {
    const w = await workspace();
    await loadSuites([w.file], { cache: w.cache() });
    const bad = GOOD.replace("level: MUST", "level: MUSTY");
    await writeFile(w.file, bad);
    const withCache = await loadSuites([w.file], { cache: w.cache() });
    const without = await loadSuites([w.file], { cache: null });
    expect(withCache.errors).to.have.length.greaterThan(0);
    expect(withCache.errors).to.deep.equal(without.errors);
    expect(withCache.errors[0]).to.include({ file: w.file, line: 7, col: 12 });
    expect(await isHit(w.cache(), w.file)).to.equal(false);
    expect(await readdir(w.cacheDir)).to.have.length(1);
  });

  it("is no cache, silently, when its folder cannot be written", async () => {
    const w = await workspace();
    const blocked = path.join(w.dir, "a-file");
    await writeFile(blocked, "");
    const cache = new SuiteCache([{ dir: path.join(blocked, "cache"), writable: true }], "loader-a");
    const loaded = await loadSuites([w.file], { cache });
    expect(loaded.errors).to.deep.equal([]);
    expect(loaded.suites).to.have.length(1);
  });
});

describe("suite cache: where it lives and how it is turned off", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ["XDG_CACHE_HOME", "MAILCONFORM_NO_CACHE"]) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it("uses $XDG_CACHE_HOME/mailconform/suites, else ~/.cache/mailconform/suites (a relative XDG_CACHE_HOME is ignored)", () => {
    expect(userCacheDir({ XDG_CACHE_HOME: "/var/cache/me" })).to.equal(path.join("/var/cache/me", "mailconform", "suites"));
    expect(userCacheDir({ XDG_CACHE_HOME: "relative" })).to.match(/[\\/]\.cache[\\/]mailconform[\\/]suites$/);
    expect(userCacheDir({})).to.match(/[\\/]\.cache[\\/]mailconform[\\/]suites$/);
  });

  it("is off under MAILCONFORM_NO_CACHE=1, on under 0 or empty", () => {
    expect(cacheDisabled({ MAILCONFORM_NO_CACHE: "1" })).to.equal(true);
    expect(SuiteCache.fromEnvironment({ MAILCONFORM_NO_CACHE: "1" })).to.equal(undefined);
    expect(cacheDisabled({ MAILCONFORM_NO_CACHE: "0" })).to.equal(false);
    expect(cacheDisabled({ MAILCONFORM_NO_CACHE: "" })).to.equal(false);
    expect(cacheDisabled({})).to.equal(false);
  });

  it("fills the user's cache from the command line, and --no-cache leaves it untouched", async () => {
    const w = await workspace();
    delete process.env.MAILCONFORM_NO_CACHE;
    const entries = (xdg: string) => readdir(path.join(w.dir, xdg, "mailconform", "suites")).catch(() => []);
    process.env.XDG_CACHE_HOME = path.join(w.dir, "filled");
    expect(await main(["validate", w.file])).to.equal(0);
    expect(await entries("filled")).to.have.length(1);
    process.env.XDG_CACHE_HOME = path.join(w.dir, "untouched");
    expect(await main(["validate", "--no-cache", w.file])).to.equal(0);
    expect(await entries("untouched")).to.deep.equal([]);
  });
});
