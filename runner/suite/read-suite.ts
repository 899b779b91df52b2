// One suite file's document → SuiteFile: the header (protocol, title), each
// test's metadata and connections, then its phases through read-steps.ts.
// Collects every error of the file; fixture existence is left to the caller
// (an async check over the returned list).
// Standards: RFC 2119 (requirement levels).

import path from "node:path";
import { isScalar, isSeq } from "yaml";
import type { ConnectionSpec, Protocol, SuiteFile, TestCase } from "../model/ast.ts";
import type { SuiteError } from "../model/failure.ts";
import { NAMED_ENDPOINTS } from "../model/target.ts";
import { NodeReader, type Slot } from "./node-reader.ts";
import { readSteps } from "./read-steps.ts";
import { MAIN_CONNECTION, TestContext, type PendingFixture } from "./test-context.ts";
import type { IdSite } from "./unique-ids.ts";
import {
  CAPABILITY_STATES,
  CONNECTION_KEYS,
  CONNECTION_NAME,
  LEVELS,
  MAX_WAIT_MS,
  PROTOCOLS,
  SUITE_KEYS,
  TEST_ID,
  TEST_KEYS,
  TLS_MODES,
} from "./vocabulary.ts";
import type { YamlSource } from "./yaml-document.ts";

export interface SuiteRead {
  suite?: SuiteFile;
  /** Every test id as written, for the loader's one duplicate-id check. */
  ids: IdSite[];
  fixtures: PendingFixture[];
  errors: SuiteError[];
}

const MAX_USERS = 100;

export function readSuite(source: YamlSource, suitePath: string): SuiteRead {
  const reader = new NodeReader(source);
  const ids: IdSite[] = [];
  const fixtures: PendingFixture[] = [];
  const root = reader.slot(source.doc.contents, "the suite file");
  if (reader.isEmpty(root)) {
    reader.error(0, "empty suite file: expected 'protocol', 'title' and 'tests'");
    return { ids, fixtures, errors: reader.errors };
  }
  const entries = reader.map(root, "the suite file", SUITE_KEYS);
  if (entries === undefined) return { ids, fixtures, errors: reader.errors };
  const protocolSlot = entries.get("protocol");
  const protocol = protocolSlot === undefined ? undefined : reader.oneOf(protocolSlot, PROTOCOLS);
  const title = entries.has("title") ? reader.word(entries.get("title")!) : undefined;
  const descriptionSlot = entries.get("description");
  const description = descriptionSlot === undefined ? undefined : reader.string(descriptionSlot);
  const testsSlot = entries.get("tests");
  const items = testsSlot === undefined ? [] : (reader.list(testsSlot, { nonEmpty: true }) ?? []);
  const tests: TestCase[] = [];
  // Without a protocol the expectations cannot be read: their forms depend on it.
  if (protocol !== undefined) {
    for (const item of items) {
      const test = readTest(reader, item, protocol, path.dirname(suitePath), fixtures, ids);
      if (test !== undefined) tests.push(test);
    }
  }
  if (protocol === undefined || title === undefined || reader.errors.length > 0) return { ids, fixtures, errors: reader.errors };
  const suite: SuiteFile = { file: source.file, protocol, title, tests };
  if (description !== undefined) suite.description = description;
  return { suite, ids, fixtures, errors: reader.errors };
}

function readTest(
  reader: NodeReader,
  slot: Slot,
  protocol: Protocol,
  suiteDir: string,
  fixtures: PendingFixture[],
  ids: IdSite[],
): TestCase | undefined {
  const errorsAtMap = reader.errors.length;
  // A missing quote is reported below, where the test's refs can say which RFC to read.
  const entries = reader.map(slot, "a test", TEST_KEYS, undefined, ["quote"]);
  if (entries === undefined) return undefined;
  const errorsBefore = reader.errors.length;
  const idSlot = entries.get("id");
  let id = idSlot === undefined ? undefined : reader.word(idSlot);
  if (id !== undefined && !TEST_ID.test(id)) {
    reader.error(idSlot!.node, `test id '${id}' must be lower-case letters, digits, '.', '_' and '-', starting with a letter or digit`);
    id = undefined;
  }
  if (id !== undefined) ids.push({ id, span: reader.span(idSlot!.node), length: reader.widthOf(idSlot!.node) });
  const title = entries.has("title") ? reader.word(entries.get("title")!) : undefined;
  const refs = entries.has("refs") ? reader.stringList(entries.get("refs")!, { nonEmpty: true }) : undefined;
  const level = entries.has("level") ? reader.oneOf(entries.get("level")!, LEVELS) : undefined;
  const quoteSlot = entries.get("quote");
  const quote = quoteSlot === undefined ? undefined : readQuote(reader, quoteSlot);
  // A misspelt 'quote' already has its "did you mean".
  const quoteMisspelt = reader.errors.slice(errorsAtMap, errorsBefore).some((e) => e.suggestion === "quote");
  if (quoteSlot === undefined && !quoteMisspelt) reader.error(slot.node, missingQuote(refs));
  const tags = entries.has("tags") ? reader.stringList(entries.get("tags")!) : [];
  const requires = entries.has("requires") ? readRequires(reader, entries.get("requires")!) : [];
  const requiresInSlot = entries.get("requires-in");
  const requiresIn = requiresInSlot === undefined ? undefined : reader.oneOf(requiresInSlot, CAPABILITY_STATES);
  const timeoutSlot = entries.get("timeout");
  const timeoutMs = timeoutSlot === undefined ? undefined : reader.integer(timeoutSlot, 1, MAX_WAIT_MS);
  const connectionsSlot = entries.get("connections");
  const connections = connectionsSlot === undefined ? new Map<string, ConnectionSpec>() : readConnections(reader, connectionsSlot, protocol);
  const ctx = new TestContext(reader, protocol, connections, suiteDir, fixtures);
  const phase = (key: "setup" | "steps" | "cleanup" | "finally") => {
    const s = entries.get(key);
    return s === undefined ? [] : readSteps(ctx, s, { nonEmpty: key === "steps" });
  };
  // Phases run in this order, so captures flow from setup to finally.
  const setup = phase("setup");
  const steps = phase("steps");
  const cleanup = phase("cleanup");
  const final = phase("finally");
  if (reader.errors.length > errorsBefore) return undefined;
  if (id === undefined || title === undefined || refs === undefined || level === undefined || tags === undefined || requires === undefined) return undefined;
  if (requiresInSlot !== undefined && requiresIn === undefined) return undefined;
  if (quote === undefined) return undefined;
  const test: TestCase = {
    id,
    title,
    refs,
    level,
    quote,
    tags,
    requires,
    protocol,
    file: reader.source.file,
    span: reader.span(slot.node),
    connections: [...connections.values()],
    setup,
    steps,
    cleanup,
    finally: final,
  };
  if (requiresIn !== undefined) test.requiresIn = requiresIn;
  if (timeoutMs !== undefined) test.timeoutMs = timeoutMs;
  if (ctx.usersNeeded > 0) test.usersNeeded = ctx.usersNeeded;
  if (ctx.failingRecipientsNeeded.size > 0) test.failingRecipientsNeeded = [...ctx.failingRecipientsNeeded].sort();
  return test;
}

/**
 * `requires:` — capability names, each optionally negated once ("!SIZE": only
 * where SIZE is not advertised). A bare "!", "!!X" or a name with white space
 * names no capability: refused here rather than silently never matching.
 */
function readRequires(reader: NodeReader, slot: Slot): string[] | undefined {
  const list = reader.stringList(slot);
  if (list === undefined) return undefined;
  const bad = list.find((r) => !/^!?[^!\s]+$/.test(r));
  if (bad === undefined) return list;
  reader.error(slot.node, `requires entry ${JSON.stringify(bad)} names no capability: write a capability (SIZE) or "!" and one (\"!SIZE\": only where SIZE is not advertised)`);
  return undefined;
}

/**
 * What to write where a test has no `quote:`, and where to read the RFC:
 * the rfc-editor.org text of each RFC its refs name.
 */
function missingQuote(refs: string[] | undefined): string {
  const numbers = [...new Set((refs ?? []).flatMap((ref) => [...ref.matchAll(/\bRFC\s*(\d+)/gi)].map((m) => m[1]!)))];
  const texts = numbers.length > 0 ? numbers.map((n) => `https://www.rfc-editor.org/rfc/rfc${n}.txt`).join(", ") : "https://www.rfc-editor.org/";
  return (
    "a test is missing required key 'quote': add the RFC sentence it relies on, verbatim (a list for several), " +
    `with 'level' that sentence's keyword; RFC text: ${texts} (docs/language.md, "Levels and quotes")`
  );
}

/**
 * `quote:` — one RFC sentence, or a list of them, verbatim. Line breaks and
 * runs of spaces (a folded YAML scalar, the RFC's own line wrap) become one
 * space, so reports show the sentence as the RFC reads, not as it was wrapped.
 */
function readQuote(reader: NodeReader, slot: Slot): string[] | undefined {
  const fold = (s: string) => s.trim().replace(/\s+/g, " ");
  if (!isSeq(slot.node)) {
    if (!isScalar(slot.node) || typeof slot.node.value !== "string") {
      reader.wrongType(slot, "an RFC sentence (a string) or a non-empty list of them");
      return undefined;
    }
    const text = reader.word(slot);
    return text === undefined ? undefined : [fold(text)];
  }
  const list = reader.stringList(slot, { nonEmpty: true });
  return list?.map(fold);
}

function readConnections(reader: NodeReader, slot: Slot, protocol: Protocol): Map<string, ConnectionSpec> {
  const connections = new Map<string, ConnectionSpec>();
  const entries = reader.dict(slot, "'connections'", CONNECTION_NAME, "lower-case letters, digits, '_' and '-', starting with a letter");
  for (const { key, keyNode, value } of entries ?? []) {
    const spec: ConnectionSpec = { name: key, protocol, span: reader.span(keyNode) };
    // `other: {}` and a bare `other:` both declare a connection with defaults.
    const options = reader.isEmpty(value) ? new Map<string, Slot>() : reader.map(value, `connection '${key}'`, CONNECTION_KEYS);
    if (options === undefined) continue;
    const protocolSlot = options.get("protocol");
    if (protocolSlot !== undefined) {
      const p = reader.oneOf(protocolSlot, PROTOCOLS);
      if (p !== undefined && key === MAIN_CONNECTION && p !== protocol) {
        reader.error(protocolSlot.node, `the main connection speaks the suite's protocol (${protocol}); name another connection for ${p}`);
      } else if (p !== undefined) {
        spec.protocol = p;
      }
    }
    const tlsSlot = options.get("tls");
    if (tlsSlot !== undefined) {
      const tls = reader.oneOf(tlsSlot, TLS_MODES);
      if (tls !== undefined) spec.tls = tls;
    }
    const userSlot = options.get("user");
    if (userSlot !== undefined) {
      const user = reader.integer(userSlot, 0, MAX_USERS - 1);
      if (user !== undefined) spec.user = user;
    }
    const endpointSlot = options.get("endpoint");
    if (endpointSlot !== undefined) {
      const endpoint = reader.oneOf(endpointSlot, NAMED_ENDPOINTS);
      // The submission service speaks SMTP (RFC 6409 §3); no other protocol has a named endpoint.
      if (endpoint !== undefined && spec.protocol !== "smtp") reader.error(endpointSlot.node, `'endpoint: ${endpoint}' is an SMTP endpoint; connection '${key}' speaks ${spec.protocol}`);
      else if (endpoint !== undefined) spec.endpoint = endpoint;
    }
    connections.set(key, spec);
  }
  return connections;
}
