// Expectations files (--expect-deviations): the tests a real server is known
// to fail, each with the RFC section it deviates from and a one-line reason.
// Read with positions like suites, so a wrong entry is reported at
// file:line:col; ids are checked against the loaded tests by checkDeviationIds.
// Standards: none (runner input format; see interop/expectations/).

import { readFile } from "node:fs/promises";
import type { Node } from "yaml";
import type { TestCase } from "../model/ast.ts";
import type { SuiteError } from "../model/failure.ts";

export interface DeviationEntry {
  id: string;
  ref: string;
  reason: string;
  file: string;
  line: number;
  col: number;
}

const ENTRY_KEYS = ["id", "ref", "reason"] as const;

export async function loadDeviations(file: string): Promise<{ entries: DeviationEntry[]; errors: SuiteError[] }> {
  const entries: DeviationEntry[] = [];
  const errors: SuiteError[] = [];
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    return { entries, errors: [{ file, line: 1, col: 1, message: `cannot read expectations file: ${(e as Error).message}` }] };
  }
  // The YAML parser loads here, not with the run: a run without expectations never needs it.
  const { isMap, isScalar, isSeq, LineCounter, parseDocument } = await import("yaml");
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const at = (node: Node | null | undefined, message: string): void => {
    const pos = lc.linePos(node?.range?.[0] ?? 0);
    errors.push({ file, line: pos.line, col: pos.col, message });
  };
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = lc.linePos(e.pos[0]);
      errors.push({ file, line: pos.line, col: pos.col, message: `YAML: ${e.message.split("\n")[0]}` });
    }
    return { entries, errors };
  }
  const root = doc.contents;
  if (!isMap(root) || root.items.length !== 1 || !isScalar(root.items[0]!.key) || root.items[0]!.key.value !== "deviations") {
    at(root, "an expectations file is a map with one key, 'deviations': a list of { id, ref, reason }");
    return { entries, errors };
  }
  const list = root.items[0]!.value as Node | null;
  if (list === null || (isScalar(list) && list.value === null)) return { entries, errors }; // `deviations: []` or empty: none known
  if (!isSeq(list)) {
    at(list, "'deviations' must be a list of { id, ref, reason }");
    return { entries, errors };
  }
  const seen = new Map<string, DeviationEntry>();
  for (const item of list.items as Node[]) {
    if (!isMap(item)) {
      at(item, "each deviation is a map { id, ref, reason }");
      continue;
    }
    const values: Partial<Record<(typeof ENTRY_KEYS)[number], string>> = {};
    let ok = true;
    for (const pair of item.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (!(ENTRY_KEYS as readonly string[]).includes(key)) {
        at(pair.key as Node, `unknown key '${key}' in a deviation; expected id, ref, reason`);
        ok = false;
        continue;
      }
      const value = pair.value as Node | null;
      if (!isScalar(value) || typeof value.value !== "string" || value.value.trim() === "") {
        at(value ?? (pair.key as Node), `'${key}' must be a non-empty string`);
        ok = false;
        continue;
      }
      values[key as (typeof ENTRY_KEYS)[number]] = value.value;
    }
    const missing = ENTRY_KEYS.filter((k) => values[k] === undefined && !item.items.some((p) => isScalar(p.key) && p.key.value === k));
    if (missing.length > 0) {
      at(item, `a deviation is missing ${missing.map((k) => `'${k}'`).join(", ")}`);
      ok = false;
    }
    if (!ok) continue;
    const idNode = item.items.find((p) => isScalar(p.key) && p.key.value === "id")!.value as Node;
    const pos = lc.linePos(idNode.range?.[0] ?? 0);
    const entry: DeviationEntry = { id: values.id!, ref: values.ref!, reason: values.reason!, file, line: pos.line, col: pos.col };
    const first = seen.get(entry.id);
    if (first) {
      errors.push({ file, line: entry.line, col: entry.col, message: `deviation '${entry.id}' is listed twice (first at line ${first.line})` });
      continue;
    }
    seen.set(entry.id, entry);
    entries.push(entry);
  }
  return { entries, errors };
}

/**
 * Every listed id must name a loaded test, so a typo or a renamed test cannot
 * hide a failure. Ids of a protocol no loaded suite covers are left alone: one
 * file (dovecot.yaml) serves a POP3-only run and an IMAP-only run alike.
 */
export function checkDeviationIds(entries: readonly DeviationEntry[], tests: readonly TestCase[]): SuiteError[] {
  const ids = new Set(tests.map((t) => t.id));
  const protocols = new Set(tests.map((t) => t.protocol as string));
  return entries
    .filter((e) => !ids.has(e.id) && protocols.has(e.id.split(".")[0]!))
    .map((e) => ({ file: e.file, line: e.line, col: e.col, message: `deviation '${e.id}' names no loaded test`, length: e.id.length }));
}
