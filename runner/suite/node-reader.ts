// Typed reading of YAML nodes that never stops at the first problem: each
// accessor returns the value or undefined and records a positioned SuiteError
// (unknown keys at the key with a did-you-mean, missing keys at the parent,
// wrong types at the value). The suite and target readers are built on it.
// Standards: none (suite language, docs/language.md "Errors").

import { isAlias, isMap, isScalar, isSeq, visit, type Alias, type Document, type Node } from "yaml";
import type { Span } from "../model/ast.ts";
import type { SuiteError } from "../model/failure.ts";
import { didYouMean } from "./did-you-mean.ts";
import { positionAt, underlineLength, type YamlSource } from "./yaml-document.ts";

/** A value to read, how messages name it, and where to point when it is empty. */
export interface Slot {
  node: Node | null;
  /** "'title'", "item 2 of 'refs'" */
  name: string;
  /** Where an empty value is reported: the key that has no value. */
  at: Node | null;
}

export interface KeySet {
  required: readonly string[];
  optional: readonly string[];
}

export interface ErrorOptions {
  suggestion?: string;
  length?: number;
}

/** Each alias of a document and the node it names, found in one walk. */
const aliasTargets = new WeakMap<Document, Map<Alias, Node>>();

/**
 * What yaml's Alias.resolve() does — the last node before the alias that
 * carries its anchor — for all aliases at once: resolve() walks the whole
 * document per call, which made a suite of 400 aliases cost seconds.
 */
function targetsOf(doc: Document.Parsed): Map<Alias, Node> {
  let targets = aliasTargets.get(doc);
  if (targets !== undefined) return targets;
  targets = new Map();
  const anchored = new Map<string, Node>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) {
        const target = anchored.get(node.source);
        if (target !== undefined) targets!.set(node, target);
      } else if ((isScalar(node) || isMap(node) || isSeq(node)) && node.anchor) {
        anchored.set(node.anchor, node);
      }
    },
  });
  aliasTargets.set(doc, targets);
  return targets;
}

export class NodeReader {
  readonly errors: SuiteError[] = [];

  constructor(readonly source: YamlSource) {}

  offsetOf(node: Node | null): number {
    return node?.range?.[0] ?? 0;
  }

  span(node: Node | null): Span {
    return { file: this.source.file, ...positionAt(this.source, this.offsetOf(node)) };
  }

  /** The width of a node's first line, for carets under the whole key or value. */
  widthOf(node: Node | null): number {
    const range = node?.range;
    if (!range) return 1;
    // Maps and lists start with their first key or item: underline one char only.
    if (isMap(node) || isSeq(node)) return 1;
    return underlineLength(this.source.text, range[0], range[1]);
  }

  error(at: Node | null | number, message: string, options: ErrorOptions = {}): void {
    const offset = typeof at === "number" ? at : this.offsetOf(at);
    const { line, col } = positionAt(this.source, offset);
    const length = options.length ?? (typeof at === "number" ? 1 : this.widthOf(at));
    const e: SuiteError = { file: this.source.file, line, col, message, length };
    if (options.suggestion !== undefined) e.suggestion = options.suggestion;
    this.errors.push(e);
  }

  /** Follows an alias to its anchored node. */
  resolve(node: unknown): Node | null {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return targetsOf(this.source.doc).get(node) ?? null;
    return node as Node;
  }

  /** A slot for an item of a list or the document root. */
  slot(node: unknown, name: string): Slot {
    const resolved = this.resolve(node);
    return { node: resolved, name, at: resolved };
  }

  isEmpty(slot: Slot): boolean {
    return slot.node === null || (isScalar(slot.node) && slot.node.value === null);
  }

  describe(node: Node | null): string {
    if (node === null) return "nothing";
    if (isMap(node)) return "a map";
    if (isSeq(node)) return "a list";
    if (isScalar(node)) {
      const v = node.value;
      if (v === null) return "nothing";
      if (typeof v === "boolean") return `${v}`;
      if (typeof v === "number") return `the number ${node.source ?? v}`;
      if (typeof v === "string") return v.length > 30 ? `the string '${v.slice(0, 27)}...'` : `the string '${v}'`;
    }
    return "an unsupported YAML value";
  }

  /** Reports `slot` as having the wrong type; empty values are reported at their key. */
  wrongType(slot: Slot, expected: string): void {
    if (this.isEmpty(slot)) {
      this.error(slot.at ?? slot.node, `${slot.name} has no value; expected ${expected}`);
      return;
    }
    this.error(slot.node, `${slot.name} must be ${expected}, got ${this.describe(slot.node)}`);
  }

  /**
   * The entries of a map in written order. Unknown keys are reported at the
   * key (with `hint` for keys that belong elsewhere), missing required keys
   * at the map — except those in `reportedByCaller`, whose absence the caller
   * reports itself, with more to say than their name. Undefined when `slot`
   * is no map.
   */
  map(slot: Slot, what: string, keys: KeySet, hint?: (key: string) => string | undefined, reportedByCaller: readonly string[] = []): Map<string, Slot> | undefined {
    const node = slot.node;
    if (!isMap(node)) {
      this.wrongType(slot, "a map");
      return undefined;
    }
    const known = [...keys.required, ...keys.optional];
    const entries = new Map<string, Slot>();
    const suggested = new Set<string>();
    for (const pair of node.items) {
      const keyNode = this.resolve(pair.key);
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === "object") {
        this.error(keyNode, `keys in ${what} must be plain words`);
        continue;
      }
      const key = String(keyNode.value);
      if (!known.includes(key)) {
        const specific = hint?.(key);
        if (specific !== undefined) {
          this.error(keyNode, specific);
        } else {
          const suggestion = didYouMean(key, known);
          this.error(keyNode, `unknown key '${key}' in ${what}`, suggestion === undefined ? {} : { suggestion });
          if (suggestion !== undefined) suggested.add(suggestion);
        }
        continue;
      }
      entries.set(key, { node: this.resolve(pair.value), name: `'${key}'`, at: keyNode });
    }
    // A misspelt required key is one mistake: its "did you mean" already says it.
    const missing = keys.required.filter((k) => !entries.has(k) && !suggested.has(k) && !reportedByCaller.includes(k));
    if (missing.length === 1) this.error(node, `${what} is missing required key '${missing[0]}'`);
    if (missing.length > 1) this.error(node, `${what} is missing required keys ${missing.map((k) => `'${k}'`).join(", ")}`);
    return entries;
  }

  /**
   * The entries of a map whose keys are names the author chooses
   * (connections, captures); each key is checked against `keyPattern`.
   */
  dict(slot: Slot, what: string, keyPattern: RegExp, keyRule: string): { key: string; keyNode: Node; value: Slot }[] | undefined {
    const node = slot.node;
    if (!isMap(node)) {
      this.wrongType(slot, "a map");
      return undefined;
    }
    const out: { key: string; keyNode: Node; value: Slot }[] = [];
    for (const pair of node.items) {
      const keyNode = this.resolve(pair.key);
      const key = isScalar(keyNode) && keyNode.value !== null && typeof keyNode.value !== "object" ? String(keyNode.value) : undefined;
      if (key === undefined || keyNode === null) {
        this.error(keyNode, `keys in ${what} must be plain words`);
        continue;
      }
      if (!keyPattern.test(key)) {
        this.error(keyNode, `'${key}' is not a valid name in ${what}: ${keyRule}`);
        continue;
      }
      out.push({ key, keyNode, value: { node: this.resolve(pair.value), name: `'${key}'`, at: keyNode } });
    }
    return out;
  }

  string(slot: Slot): string | undefined {
    if (isScalar(slot.node) && typeof slot.node.value === "string") return slot.node.value;
    this.wrongType(slot, "a string");
    return undefined;
  }

  /** A string that must not be empty. */
  word(slot: Slot): string | undefined {
    const value = this.string(slot);
    if (value !== undefined && value.trim() === "") {
      this.error(slot.node, `${slot.name} must not be empty`);
      return undefined;
    }
    return value;
  }

  boolean(slot: Slot): boolean | undefined {
    if (isScalar(slot.node) && typeof slot.node.value === "boolean") return slot.node.value;
    this.wrongType(slot, "true or false");
    return undefined;
  }

  /** `true` where a flag-like action (`starttls: true`) allows nothing else. */
  justTrue(slot: Slot): boolean {
    if (isScalar(slot.node) && slot.node.value === true) return true;
    this.wrongType(slot, "true");
    return false;
  }

  integer(slot: Slot, min: number, max: number): number | undefined {
    const node = slot.node;
    if (!isScalar(node) || typeof node.value !== "number" || !Number.isInteger(node.value)) {
      this.wrongType(slot, `a whole number from ${min} to ${max}`);
      return undefined;
    }
    if (node.value < min || node.value > max) {
      this.error(node, `${slot.name} must be from ${min} to ${max}, got ${node.value}`);
      return undefined;
    }
    return node.value;
  }

  /** One of `values`; a near miss (wrong case, a typo) is suggested. */
  oneOf<T extends string>(slot: Slot, values: readonly T[]): T | undefined {
    const node = slot.node;
    const raw = isScalar(node) && (typeof node.value === "string" || typeof node.value === "number") ? String(node.value) : undefined;
    if (raw !== undefined && (values as readonly string[]).includes(raw)) return raw as T;
    const expected = `one of ${values.join(", ")}`;
    if (raw === undefined) {
      this.wrongType(slot, expected);
      return undefined;
    }
    const suggestion = didYouMean(raw, values);
    this.error(node, `${slot.name} must be ${expected}, got '${raw}'`, suggestion === undefined ? {} : { suggestion });
    return undefined;
  }

  list(slot: Slot, options: { nonEmpty?: boolean } = {}): Slot[] | undefined {
    const node = slot.node;
    if (!isSeq(node)) {
      this.wrongType(slot, options.nonEmpty ? "a non-empty list" : "a list");
      return undefined;
    }
    if (options.nonEmpty && node.items.length === 0) {
      this.error(node, `${slot.name} must not be an empty list`);
      return undefined;
    }
    return node.items.map((item, i) => this.slot(item, `item ${i + 1} of ${slot.name}`));
  }

  /** A list of strings; a single string is not accepted, to keep one form in files. */
  stringList(slot: Slot, options: { nonEmpty?: boolean } = {}): string[] | undefined {
    const items = this.list(slot, options);
    if (items === undefined) return undefined;
    const out: string[] = [];
    let ok = true;
    for (const item of items) {
      const s = this.word(item);
      if (s === undefined) ok = false;
      else out.push(s);
    }
    return ok ? out : undefined;
  }
}
