// One entry of the parsed-suite cache (cache.ts) as bytes: the AST of one
// suite file that loaded without an error, with what it was made from.
//
//   <sha256 hex of everything after this line>\n
//   <key: JSON, one line>\n
//   <header: JSON, one line>\n
//   <body of test 1><body of test 2>…   (JSON each, lengths in the header)
//
// The key says what the AST was made from (cache.ts compares it with the
// files before reading further). The header holds the suite, every test's fields but its steps, and the id
// sites; each test's setup, steps, cleanup and finally stay JSON text until
// first read (a one-test run parses one test's steps, not 1,200). Names that
// depend on where the file is are written as markers and put back on
// reading: the name the file is shown by in spans, and the fixture paths
// under the suite's folder. So an entry is valid under any name of the file
// and, for a package's own suites, wherever the package is installed.
// Standards: none (suite language cache).

import { createHash } from "node:crypto";
import path from "node:path";
import type { SuiteFile, TestCase } from "../model/ast.ts";
import type { IdSite } from "./unique-ids.ts";

/** The layout above; a new layout is a new number, and entries of another are misses. */
export const ENTRY_FORMAT = 1;

/** What an entry's AST was made from; compared with the files as they are now before the AST is used. */
export interface EntryKey {
  format: number;
  /** loader-fingerprint.ts: the loader's code. */
  loader: string;
  /** sha256 of the suite file's text. */
  source: string;
  /** Each fixture the suite names: its path relative to the suite's folder and the sha256 of its content. */
  fixtures: [path: string, sha256: string][];
}

export interface CachedSuite {
  suite: SuiteFile;
  ids: IdSite[];
}

/** The test fields kept as JSON text until read. */
const LAZY_FIELDS = ["setup", "steps", "cleanup", "finally"] as const;

/** In JSON text: `"file":"\u0001"` is the shown name; a `"path":"\u0002…"` value continues the suite's folder. */
const FILE_MARK = "\u0001";
const DIR_MARK = "\u0002";
const FILE_NEEDLE = `"file":${JSON.stringify(FILE_MARK)}`;
const DIR_NEEDLE = `"path":"${JSON.stringify(DIR_MARK).slice(1, -1)}`;

const CHECKSUM_LINE = 64 + 1;

/** The entry's bytes; throws (nothing to store) when the AST holds a value the markers would not give back. */
export function encodeEntry(key: EntryKey, shown: string, read: CachedSuite): Buffer {
  const dir = path.dirname(path.resolve(shown)) + path.sep;
  const marked = function (this: unknown, name: string, value: unknown): unknown {
    if (name === "file" && typeof value === "string") {
      if (value.startsWith(FILE_MARK)) throw new Error("unstorable file name");
      return value === shown ? FILE_MARK : value;
    }
    if (name === "path" && typeof value === "string") {
      if (value.startsWith(DIR_MARK)) throw new Error("unstorable path");
      return value.startsWith(dir) ? DIR_MARK + value.slice(dir.length) : value;
    }
    return value;
  };
  const bodies = read.suite.tests.map((test) => Buffer.from(JSON.stringify(LAZY_FIELDS.map((field) => test[field]), marked), "utf8"));
  // The lazy fields keep their place among the others (JSON key order, as the loader made it).
  const heads = read.suite.tests.map((test) => ({ ...test, ...Object.fromEntries(LAZY_FIELDS.map((field) => [field, 0])) }));
  const header = JSON.stringify({ suite: { ...read.suite, tests: heads }, ids: read.ids, bodies: bodies.map((b) => b.length) }, marked);
  const rest = Buffer.concat([Buffer.from(`${JSON.stringify(key)}\n${header}\n`, "utf8"), ...bodies]);
  return Buffer.concat([Buffer.from(`${sha256(rest)}\n`, "latin1"), rest]);
}

/** The key an entry was written under, and a reader of its AST; undefined when the bytes are not an intact entry. */
export function openEntry(bytes: Buffer): { key: EntryKey; read(shown: string): CachedSuite } | undefined {
  if (bytes.length < CHECKSUM_LINE || bytes[CHECKSUM_LINE - 1] !== 0x0a) return undefined;
  const rest = bytes.subarray(CHECKSUM_LINE);
  if (bytes.toString("latin1", 0, CHECKSUM_LINE - 1) !== sha256(rest)) return undefined;
  // JSON escapes line ends inside strings, and no UTF-8 sequence holds the byte 0x0a: the first two are the lines' ends.
  const keyEnd = rest.indexOf(0x0a);
  const headerEnd = keyEnd < 0 ? -1 : rest.indexOf(0x0a, keyEnd + 1);
  if (headerEnd < 0) return undefined;
  let key: EntryKey;
  try {
    key = JSON.parse(rest.toString("utf8", 0, keyEnd)) as EntryKey;
  } catch {
    return undefined;
  }
  if (key?.format !== ENTRY_FORMAT) return undefined;
  return {
    key,
    read: (shown) => {
      const restore = placer(shown);
      const header = JSON.parse(restore(rest.toString("utf8", keyEnd + 1, headerEnd))) as { suite: SuiteFile; ids: IdSite[]; bodies: number[] };
      if (header.bodies.length !== header.suite.tests.length) throw new Error("suite cache entry: bodies do not match the header");
      let at = headerEnd + 1;
      for (const [i, test] of header.suite.tests.entries()) {
        // Decoded when first read: a test that is not run costs its bytes, not its objects.
        BODIES.set(test, { bytes: rest.subarray(at, at + header.bodies[i]!), restore });
        Object.defineProperties(test, LAZY_DESCRIPTORS);
        at += header.bodies[i]!;
      }
      if (at !== rest.length) throw new Error("suite cache entry: bodies do not match the header");
      return { suite: header.suite, ids: header.ids };
    },
  };
}

/** Puts the shown name and the suite's folder back into marked JSON text. */
function placer(shown: string): (json: string) => string {
  const file = `"file":${JSON.stringify(shown)}`;
  const dir = `"path":"${JSON.stringify(path.dirname(path.resolve(shown)) + path.sep).slice(1, -1)}`;
  // Functions, not strings: a replacement string would read `$&` in a file name as a pattern.
  return (json) => json.replaceAll(FILE_NEEDLE, () => file).replaceAll(DIR_NEEDLE, () => dir);
}

/** The unread body of each test taken from an entry. */
const BODIES = new WeakMap<TestCase, { bytes: Buffer; restore: (json: string) => string }>();

/** Reads the test's body once; its lazy fields become plain data properties, in the places they had. */
function materialise(test: TestCase): void {
  const body = BODIES.get(test)!;
  BODIES.delete(test);
  const values = JSON.parse(body.restore(body.bytes.toString("utf8"))) as unknown[];
  LAZY_FIELDS.forEach((field, i) => Object.defineProperty(test, field, { value: values[i], enumerable: true, configurable: true, writable: true }));
}

/** Getters and setters shared by every cached test (one set, not four closures a test). */
const LAZY_DESCRIPTORS: PropertyDescriptorMap = Object.fromEntries(
  LAZY_FIELDS.map((field) => [
    field,
    {
      enumerable: true,
      configurable: true,
      get(this: TestCase) {
        materialise(this);
        return this[field];
      },
      set(this: TestCase, value: unknown) {
        materialise(this);
        Object.defineProperty(this, field, { value, enumerable: true, configurable: true, writable: true });
      },
    },
  ]),
);

export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
