// The mutation corpus: mutants/<protocol>.yaml read, checked and applied to
// source text. Every error names file:line and the mutant's id, so a broken
// corpus entry is fixed where it stands. Applying is the same function for
// `--check` and for a run: a mutant that checks clean applies the same way.
// Format: mutants/README.md. Standards: none (tooling).

import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap } from "yaml";

export const PROTOCOLS = ["smtp", "pop3", "imap"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/**
 * What a work copy holds (mutants/workcopy.ts): a mutant may change only
 * these, since the run in the copy sees nothing else.
 */
export const COPIED = ["bin", "cli", "runner", "wire", "reference-server", "suites", "profiles", "package.json", "tsconfig.json"];

export interface Edit {
  /** Path relative to the repo root, with `/`. */
  file: string;
  find: string;
  replace: string;
  /** 1-based; which occurrence of `find` changes (needed when it occurs several times). */
  occurrence?: number;
  /** Where its `find` is written, for messages. */
  where?: string;
}

export interface Mutant {
  id: string;
  protocol: Protocol;
  description: string;
  rfc: string;
  edits: Edit[];
  /** Why no client conversation can tell it from the original; such a mutant is not scored. */
  equivalent?: string;
  /** Where it is defined, for messages: `mutants/smtp.yaml:12`. */
  where: string;
}

export interface Corpus {
  mutants: Mutant[];
  /** Each one line: `file:line: id: what is wrong`. */
  errors: string[];
}

const MUTANT_KEYS = new Set(["id", "description", "rfc", "file", "find", "replace", "occurrence", "equivalent", "edits"]);
const EDIT_KEYS = new Set(["file", "find", "replace", "occurrence"]);

/**
 * Reads `<dir>/<protocol>.yaml` for each protocol (a missing or empty file is
 * an empty list) and checks every mutant against the sources under `root`.
 * `shown` turns an absolute path into the one printed in messages.
 */
export function loadCorpus(
  dir: string,
  root: string,
  shown: (file: string) => string = (f) => f,
  protocols: readonly Protocol[] = PROTOCOLS,
): Corpus {
  const mutants: Mutant[] = [];
  const errors: string[] = [];
  const seen = new Map<string, string>();
  for (const protocol of protocols) {
    const file = path.join(dir, `${protocol}.yaml`);
    if (!existsSync(file)) continue;
    for (const m of readFile(file, shown(file), protocol)) {
      if (typeof m === "string") {
        errors.push(m);
        continue;
      }
      const earlier = seen.get(m.id);
      if (earlier !== undefined) {
        errors.push(`${m.where}: ${m.id}: duplicate id (first at ${earlier})`);
        continue;
      }
      seen.set(m.id, m.where);
      const problems = applyEdits(m.edits, (f) => readSource(root, f)).errors;
      if (problems.length > 0) errors.push(...problems.map((p) => `${p.edit.where ?? m.where}: ${m.id}: ${p.message}`));
      else mutants.push(m);
    }
  }
  return { mutants, errors };
}

/** One corpus file's mutants in file order, each entry that cannot be read as its error line instead. */
function readFile(file: string, shownFile: string, protocol: Protocol): (Mutant | string)[] {
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, "utf8"), { lineCounter: lines, prettyErrors: false });
  const at = (node: Node | null | undefined) => `${shownFile}:${node?.range ? lines.linePos(node.range[0]).line : 1}`;
  if (doc.errors.length > 0) return doc.errors.map((e) => `${shownFile}:${lines.linePos(e.pos[0]).line}: not valid YAML: ${e.message.split("\n")[0]}`);
  if (doc.contents === null) return [];
  if (!isSeq(doc.contents)) return [`${at(doc.contents as Node)}: the file must be a YAML list of mutants`];
  return doc.contents.items.map((item) =>
    isMap(item) ? readMutant(item, protocol, at) : `${at(item as Node)}: a mutant must be a mapping (id, description, rfc, file, find, replace)`,
  );
}

/** A mutant from its mapping, or the first problem found as `file:line: id: message`. */
function readMutant(map: YAMLMap, protocol: Protocol, at: (node: Node | null | undefined) => string): Mutant | string {
  const idNode = map.get("id", true) as Node | undefined;
  const id = isScalar(idNode) && typeof idNode.value === "string" ? idNode.value : "(no id)";
  const fail = (node: Node | null | undefined, message: string) => `${at(node ?? map)}: ${id}: ${message}`;
  if (id === "(no id)") return fail(map, "missing id (a string)");
  if (!id.startsWith(`${protocol}.`)) return fail(idNode, `the id must start with "${protocol}." (the file's protocol)`);

  const unknown = unknownKey(map, MUTANT_KEYS);
  if (unknown) return fail(unknown, `unknown key "${String((unknown as { value?: unknown }).value)}"`);
  const text = (key: string, oneLine: boolean): string | undefined => {
    const v = map.get(key);
    return typeof v === "string" && v.trim() !== "" && (!oneLine || !v.trim().includes("\n")) ? v.trim() : undefined;
  };
  const description = text("description", true);
  if (description === undefined) return fail(map.get("description", true) as Node, "missing description (one line: what the bug is)");
  const rfc = text("rfc", true);
  if (rfc === undefined) return fail(map.get("rfc", true) as Node, "missing rfc (one line: the section it breaks, e.g. RFC 5321 §4.1.1.5)");
  let equivalent: string | undefined;
  if (map.has("equivalent")) {
    equivalent = text("equivalent", false);
    if (equivalent === undefined) return fail(map.get("equivalent", true) as Node, "equivalent must argue why, in words");
  }

  let edits: Edit[] | string;
  if (map.has("edits")) {
    const single = ["file", "find", "replace", "occurrence"].find((k) => map.has(k));
    if (single) return fail(map.get(single, true) as Node, `"${single}" beside "edits": put it inside one of the edits`);
    const list = map.get("edits", true);
    if (!isSeq(list) || list.items.length === 0) return fail(list as Node, "edits must be a non-empty list of { file, find, replace }");
    edits = [];
    for (const e of list.items) {
      if (!isMap(e)) return fail(e as Node, "each edit must be a mapping { file, find, replace, occurrence? }");
      const bad = unknownKey(e, EDIT_KEYS);
      if (bad) return fail(bad, `unknown key "${String((bad as { value?: unknown }).value)}" in an edit`);
      const edit = readEdit(e, (node, message) => fail(node ?? e, message), at);
      if (typeof edit === "string") return edit;
      edits.push(edit);
    }
  } else {
    const edit = readEdit(map, fail, at);
    if (typeof edit === "string") return edit;
    edits = [edit];
  }
  return { id, protocol, description, rfc, edits, ...(equivalent !== undefined ? { equivalent } : {}), where: at(map) };
}

function readEdit(map: YAMLMap, fail: (node: Node | null | undefined, message: string) => string, at: (node: Node | null | undefined) => string): Edit | string {
  const file = map.get("file");
  if (typeof file !== "string" || file === "") return fail(map.get("file", true) as Node, "missing file (a path relative to the repo root)");
  const normal = path.posix.normalize(file);
  if (path.isAbsolute(file) || normal.startsWith("..") || !COPIED.includes(normal.split("/")[0]!)) {
    return fail(map.get("file", true) as Node, `file must be inside ${COPIED.join(", ")} (what a work copy holds)`);
  }
  const find = map.get("find");
  if (typeof find !== "string" || find === "") return fail(map.get("find", true) as Node, "missing find (the exact text to change)");
  if (!map.has("replace")) return fail(map, "missing replace (what the text becomes; may be empty)");
  // `replace:` with nothing after it reads as null: the text is removed.
  const replace = map.get("replace") ?? "";
  if (typeof replace !== "string") return fail(map.get("replace", true) as Node, "replace must be text");
  if (replace === find) return fail(map.get("replace", true) as Node, "replace equals find: the mutant changes nothing");
  const occurrence = map.get("occurrence");
  if (occurrence !== undefined && !(Number.isInteger(occurrence) && (occurrence as number) >= 1)) {
    return fail(map.get("occurrence", true) as Node, "occurrence must be a whole number from 1");
  }
  return { file: normal, find, replace, ...(occurrence !== undefined ? { occurrence: occurrence as number } : {}), where: at(map.get("find", true) as Node) };
}

function unknownKey(map: YAMLMap, allowed: ReadonlySet<string>): Node | undefined {
  const pair = map.items.find((p) => !(isScalar(p.key) && allowed.has(String(p.key.value))));
  return pair?.key as Node | undefined;
}

function readSource(root: string, file: string): string | undefined {
  const full = path.join(root, file);
  return existsSync(full) && statSync(full).isFile() ? readFileSync(full, "utf8") : undefined;
}

/**
 * The mutated text of every file the edits touch, applied in order (a second
 * edit of a file sees the first one's result), or what stops them.
 */
export function applyEdits(
  edits: readonly Edit[],
  read: (file: string) => string | undefined,
): { texts: Map<string, string>; errors: { edit: Edit; message: string }[] } {
  const texts = new Map<string, string>();
  const errors: { edit: Edit; message: string }[] = [];
  for (const edit of edits) {
    const text = texts.get(edit.file) ?? read(edit.file);
    const fail = (message: string) => errors.push({ edit, message });
    if (text === undefined) {
      fail(`${edit.file} does not exist`);
      continue;
    }
    const at = occurrences(text, edit.find);
    const n = edit.occurrence;
    if (at.length === 0) fail(`find not found in ${edit.file}: ${JSON.stringify(firstLine(edit.find))}`);
    else if (n === undefined && at.length > 1) fail(`find occurs ${at.length} times in ${edit.file}; say which with occurrence: 1..${at.length}`);
    else if (n !== undefined && n > at.length) fail(`occurrence ${n}, but find occurs ${at.length} time(s) in ${edit.file}`);
    else {
      const start = at[(n ?? 1) - 1]!;
      texts.set(edit.file, text.slice(0, start) + edit.replace + text.slice(start + edit.find.length));
    }
  }
  return { texts, errors };
}

/** Start offsets of every (non-overlapping) occurrence of `find` in `text`. */
function occurrences(text: string, find: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(find); i !== -1; i = text.indexOf(find, i + find.length)) out.push(i);
  return out;
}

function firstLine(s: string): string {
  const line = s.split("\n")[0]!;
  return line.length > 60 || s.includes("\n") ? `${line.slice(0, 60)}…` : line;
}
