// Profile files: YAML read with positions, every mistake collected and
// thrown at once as a ProfileError (file:line:col, did-you-mean) before any
// connection opens. `--profile NAME` names a shipped profile in profiles/,
// anything with a slash or a .yaml/.yml ending is a file.
// Standards: RFC 2119 (levels).

import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Level, Protocol } from "../model/ast.ts";
import type { SuiteError } from "../model/failure.ts";
import { sortByPosition } from "../suite/load.ts";
import { NodeReader, type KeySet, type Slot } from "../suite/node-reader.ts";
import { LEVELS, PROTOCOLS } from "../suite/vocabulary.ts";
import { parseYaml } from "../suite/yaml-document.ts";
import { formatSuiteErrors } from "../suite/format.ts";
import { DEFAULT_PASS_MARK, DEFAULT_WEIGHTS, type Profile, type Weights } from "./profile.ts";

export const PROFILE_KEYS: KeySet = { required: ["name", "title", "select"], optional: ["description", "exclude", "weights", "pass-mark", "unadvertised"] };
export const SELECT_KEYS: KeySet = { required: [], optional: ["protocols", "ids", "tags", "levels"] };
export const EXCLUDE_KEYS: KeySet = { required: [], optional: ["ids", "tags"] };
export const WEIGHT_KEYS: KeySet = { required: [], optional: [...LEVELS] };
export const UNADVERTISED_POLICIES = ["ignore", "fail"] as const;
/** Weights are small integers: a profile is read by a teacher, and 0-100 covers every sensible ratio. */
const MAX_WEIGHT = 100;
const PROFILE_NAME = /^[a-z0-9][a-z0-9._-]*$/;

export class ProfileError extends Error {
  constructor(
    readonly errors: SuiteError[],
    sources: ReadonlyMap<string, string> = new Map(),
  ) {
    super(formatSuiteErrors(errors, sources));
    this.name = "ProfileError";
  }
}

/** `smtp-basics` → <profilesDir>/smtp-basics.yaml; a path is taken as given (relative to cwd). */
export function resolveProfile(nameOrFile: string, profilesDir: string, cwd: string): string {
  if (nameOrFile.includes("/") || nameOrFile.includes(path.sep) || /\.ya?ml$/i.test(nameOrFile)) return path.resolve(cwd, nameOrFile);
  return path.join(profilesDir, `${nameOrFile}.yaml`);
}

/** Names of the profiles shipped in `profilesDir`, for "did you mean" and `--help`. */
export async function shippedProfiles(profilesDir: string): Promise<string[]> {
  const { readdir } = await import("node:fs/promises");
  const names = existsSync(profilesDir) ? await readdir(profilesDir) : [];
  return names.filter((n) => n.endsWith(".yaml")).map((n) => n.slice(0, -5)).sort();
}

export async function loadProfile(file: string): Promise<Profile> {
  let text: string;
  try {
    text = (await readFile(file, "utf8")).replace(/^\uFEFF/, "");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ProfileError([{ file, line: 0, col: 0, message: code === "ENOENT" ? "no such profile file" : (e as Error).message }]);
  }
  return parseProfile(file, text);
}

export function parseProfile(file: string, text: string): Profile {
  const { source, errors } = parseYaml(file, text);
  if (errors.length > 0) throw new ProfileError(errors, new Map([[file, text]]));
  const reader = new NodeReader(source);
  const fail = () => new ProfileError(sortByPosition(reader.errors), new Map([[file, text]]));
  const root = reader.slot(source.doc.contents, "the profile");
  if (reader.isEmpty(root)) {
    reader.error(0, "empty profile: expected 'name', 'title' and 'select'");
    throw fail();
  }
  const entries = reader.map(root, "a profile", PROFILE_KEYS);
  if (entries === undefined) throw fail();
  const name = entries.has("name") ? reader.word(entries.get("name")!) : undefined;
  if (name !== undefined && !PROFILE_NAME.test(name)) reader.error(entries.get("name")!.node, `'name' must match ${PROFILE_NAME.source} (it names report folders), got '${name}'`);
  const title = entries.has("title") ? reader.word(entries.get("title")!) : undefined;
  const description = entries.has("description") ? reader.string(entries.get("description")!) : undefined;
  const select = entries.has("select") ? readFilter(reader, entries.get("select")!) : undefined;
  const exclude = entries.has("exclude") ? readExclude(reader, entries.get("exclude")!) : { ids: [], tags: [] };
  const weights = entries.has("weights") ? readWeights(reader, entries.get("weights")!) : DEFAULT_WEIGHTS;
  const passMark = entries.has("pass-mark") ? readPercent(reader, entries.get("pass-mark")!) : DEFAULT_PASS_MARK;
  const unadvertised = entries.has("unadvertised") ? reader.oneOf(entries.get("unadvertised")!, UNADVERTISED_POLICIES) : "ignore";
  if (reader.errors.length > 0 || !name || !title || !select || !exclude || !weights || passMark === undefined || !unadvertised) throw fail();
  return { name, title, ...(description !== undefined ? { description } : {}), file, select, exclude, weights, passMark, unadvertised };
}

function readFilter(reader: NodeReader, slot: Slot): Profile["select"] | undefined {
  const entries = reader.map(slot, "'select'", SELECT_KEYS);
  if (entries === undefined) return undefined;
  const protocols = entries.has("protocols") ? readEnumList<Protocol>(reader, entries.get("protocols")!, PROTOCOLS) : [];
  const levels = entries.has("levels") ? readEnumList<Level>(reader, entries.get("levels")!, LEVELS) : [];
  const ids = entries.has("ids") ? readPatterns(reader, entries.get("ids")!) : [];
  const tags = entries.has("tags") ? reader.stringList(entries.get("tags")!, { nonEmpty: true }) : [];
  if (!protocols || !levels || !ids || !tags) return undefined;
  return { protocols, levels, ids, tags };
}

function readExclude(reader: NodeReader, slot: Slot): Profile["exclude"] | undefined {
  const entries = reader.map(slot, "'exclude'", EXCLUDE_KEYS);
  if (entries === undefined) return undefined;
  const ids = entries.has("ids") ? readPatterns(reader, entries.get("ids")!) : [];
  const tags = entries.has("tags") ? reader.stringList(entries.get("tags")!, { nonEmpty: true }) : [];
  if (!ids || !tags) return undefined;
  return { ids, tags };
}

function readEnumList<T extends string>(reader: NodeReader, slot: Slot, values: readonly T[]): T[] | undefined {
  const items = reader.list(slot, { nonEmpty: true });
  if (items === undefined) return undefined;
  const out = items.map((item) => reader.oneOf(item, values));
  return out.every((v) => v !== undefined) ? (out as T[]) : undefined;
}

/** Id patterns are JavaScript regular expressions, unanchored, as `--grep` takes them. */
function readPatterns(reader: NodeReader, slot: Slot): RegExp[] | undefined {
  const items = reader.list(slot, { nonEmpty: true });
  if (items === undefined) return undefined;
  const out: RegExp[] = [];
  let ok = true;
  for (const item of items) {
    const source = reader.word(item);
    if (source === undefined) {
      ok = false;
      continue;
    }
    try {
      out.push(new RegExp(source));
    } catch (e) {
      reader.error(item.node, `${item.name} is not a valid regular expression: ${(e as Error).message}`);
      ok = false;
    }
  }
  return ok ? out : undefined;
}

function readWeights(reader: NodeReader, slot: Slot): Weights | undefined {
  const entries = reader.map(slot, "'weights'", WEIGHT_KEYS);
  if (entries === undefined) return undefined;
  const weights: Weights = { ...DEFAULT_WEIGHTS };
  let ok = true;
  for (const level of LEVELS) {
    const s = entries.get(level);
    if (s === undefined) continue;
    const w = reader.integer(s, 0, MAX_WEIGHT);
    if (w === undefined) ok = false;
    else weights[level] = w;
  }
  return ok ? weights : undefined;
}

function readPercent(reader: NodeReader, slot: Slot): number | undefined {
  const node = slot.node as { value?: unknown } | null;
  if (node && typeof node.value === "number" && Number.isFinite(node.value) && node.value >= 0 && node.value <= 100) return node.value;
  reader.error(slot.node, `${slot.name} must be a percentage from 0 to 100, got ${reader.describe(slot.node)}`);
  return undefined;
}
