// The coverage matrix: which tests check each RFC section (from `refs`) and
// each command (the first word of every `send:` line, after the tag in IMAP;
// `auth:` and `starttls:` steps count as the command they send), split into
// positive tests and negative ones (a step expects 4yz/5yz, -ERR, NO or BAD,
// or an AUTH that must fail; per command: a reply to that command); and each
// test's level with the sentence it quotes (`quote:`). Pure:
// suites in, plain data out; render.ts prints it.
// Standards: RFC 5321 §4.1.1 / RFC 1939 §4-7 / RFC 3501 §6 (the command sets counted).

import { innerSteps, type Level, type Protocol, type Step, type SuiteFile, type TestCase } from "../model/ast.ts";

export interface CoverageRow {
  /** "RFC 5321 §4.1.1.2", or "smtp MAIL" for a command row. */
  key: string;
  /** Test ids, sorted. */
  tests: string[];
  positive: number;
  negative: number;
}

export interface CommandRow extends CoverageRow {
  protocol: Protocol;
  command: string;
}

/** One test's claim: what it cites, at which level, in the RFC's words (absent: the test quotes nothing yet). */
export interface RequirementRow {
  id: string;
  level: Level;
  refs: string[];
  quote?: string[];
}

export interface Coverage {
  testCount: number;
  sections: CoverageRow[];
  commands: CommandRow[];
  /** Every test, by id, with its level and quote. */
  requirements: RequirementRow[];
  /** Tests without a `quote:`. */
  unquoted: number;
}

/** What the AUTH and STARTTLS steps send, per protocol. */
const AUTH_VERB: Record<Protocol, string> = { smtp: "AUTH", pop3: "AUTH", imap: "AUTHENTICATE", lmtp: "AUTH" };
const TLS_VERB: Record<Protocol, string> = { smtp: "STARTTLS", pop3: "STLS", imap: "STARTTLS", lmtp: "STARTTLS" };
// IMAP commands whose verb is two words (RFC 3501 §6.4.8 UID, RFC 4978 COMPRESS is one).
const IMAP_PREFIX_VERBS = new Set(["UID"]);

function allSteps(test: TestCase): Step[] {
  const out: Step[] = [];
  const walk = (steps: readonly Step[]) => {
    for (const step of steps) {
      out.push(step);
      walk(innerSteps(step));
    }
  };
  walk(test.setup);
  walk(test.steps);
  walk(test.cleanup);
  return out;
}

function connectionProtocol(test: TestCase, name: string): Protocol {
  return test.connections.find((c) => c.name === name)?.protocol ?? test.protocol;
}

/** The verb of a command line: first word; in IMAP a line sent untagged carries its own tag first. */
export function commandOf(protocol: Protocol, line: string, untagged = false): string | undefined {
  const words = line.trim().split(/\s+/).filter((w) => w !== "");
  if (protocol === "imap" && untagged) {
    // DONE, or continuation data (base64, "*"): only an alphabetic word can be a verb.
    if (words.length === 1) return /^[A-Za-z]+$/.test(words[0]!) ? words[0]!.toUpperCase() : undefined;
    words.shift();
  }
  const first = words[0];
  if (first === undefined || !/^[A-Za-z][A-Za-z0-9-]*$/.test(first)) return undefined;
  const verb = first.toUpperCase();
  if (protocol === "imap" && IMAP_PREFIX_VERBS.has(verb) && words[1] && /^[A-Za-z]+$/.test(words[1])) {
    return `${verb} ${words[1].toUpperCase()}`;
  }
  return verb;
}

/** Does this step expect a failure reply? */
export function isNegativeStep(step: Step): boolean {
  if (step.kind === "auth") return step.outcome !== "success";
  if (step.kind !== "expect") return false;
  const e = step.expect;
  if (e.protocol === "smtp") return e.code.some((c) => /^[45]/.test(String(c))) || (e.replies ?? []).some((r) => r.code.some((c) => /^[45]/.test(String(c))));
  if (e.protocol === "pop3") return e.status === "-ERR";
  const statuses: readonly string[] = Array.isArray(e.status) ? e.status : e.status === undefined ? [] : [e.status];
  return statuses.length > 0 && statuses.every((s) => s === "NO" || s === "BAD");
}

/**
 * The commands a test sends, as "protocol VERB" pairs, each negative when an
 * expectation answering it (the expects on its connection before the next
 * command there) wants a failure — so EHLO in a test about a refused RCPT stays positive.
 */
export function commandsOf(test: TestCase): { protocol: Protocol; command: string; negative: boolean }[] {
  const seen = new Map<string, { protocol: Protocol; command: string; negative: boolean }>();
  const pending = new Map<string, string>();
  for (const step of allSteps(test)) {
    const protocol = connectionProtocol(test, step.on);
    let command: string | undefined;
    if (step.kind === "send") command = commandOf(protocol, step.line.text, step.tag === "none");
    else if (step.kind === "auth") command = AUTH_VERB[protocol];
    else if (step.kind === "starttls") command = TLS_VERB[protocol];
    if (command !== undefined) {
      const key = `${protocol} ${command}`;
      const row = seen.get(key) ?? { protocol, command, negative: false };
      if (step.kind === "auth" && isNegativeStep(step)) row.negative = true;
      seen.set(key, row);
      pending.set(step.on, key);
    } else if (isNegativeStep(step)) {
      const key = pending.get(step.on);
      if (key !== undefined) seen.get(key)!.negative = true;
    }
  }
  return [...seen.values()];
}

/** "RFC 5321 §4.1.1.2" → sortable parts; refs without a section sort first in their RFC. */
function sectionSortKey(ref: string): (number | string)[] {
  const m = /^RFC\s*(\d+)\s*(?:§\s*(.+))?$/i.exec(ref.trim());
  if (!m) return [Number.MAX_SAFE_INTEGER, ref];
  const parts = (m[2] ?? "").split(/[.\s]+/).filter((p) => p !== "");
  return [Number(m[1]), ...parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p))];
}

function compareKeys(a: (number | string)[], b: (number | string)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    // Numbers before letters (§4 before Appendix), then natural order.
    if (typeof x !== typeof y) return typeof x === "number" ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Normalise spacing so "RFC 5321 § 4.1.1" and "RFC 5321 §4.1.1" share a row. */
function normaliseRef(ref: string): string {
  return ref.trim().replace(/\s+/g, " ").replace(/§\s+/, "§");
}

export function buildCoverage(suites: readonly SuiteFile[]): Coverage {
  const sections = new Map<string, { tests: Set<string>; negative: Set<string> }>();
  const commands = new Map<string, { protocol: Protocol; command: string; tests: Set<string>; negative: Set<string> }>();
  const requirements: RequirementRow[] = [];
  let testCount = 0;
  for (const suite of suites) {
    for (const test of suite.tests) {
      testCount++;
      requirements.push({ id: test.id, level: test.level, refs: test.refs.map(normaliseRef), ...(test.quote !== undefined ? { quote: test.quote } : {}) });
      const negative = allSteps(test).some(isNegativeStep);
      for (const raw of test.refs) {
        const ref = normaliseRef(raw);
        const row = sections.get(ref) ?? { tests: new Set(), negative: new Set() };
        row.tests.add(test.id);
        if (negative) row.negative.add(test.id);
        sections.set(ref, row);
      }
      for (const { protocol, command, negative: refused } of commandsOf(test)) {
        const key = `${protocol} ${command}`;
        const row = commands.get(key) ?? { protocol, command, tests: new Set(), negative: new Set() };
        row.tests.add(test.id);
        if (refused) row.negative.add(test.id);
        commands.set(key, row);
      }
    }
  }
  const toRow = (key: string, tests: Set<string>, negative: Set<string>): CoverageRow => ({
    key,
    tests: [...tests].sort(),
    positive: tests.size - negative.size,
    negative: negative.size,
  });
  return {
    testCount,
    sections: [...sections]
      .map(([key, r]) => toRow(key, r.tests, r.negative))
      .sort((a, b) => compareKeys(sectionSortKey(a.key), sectionSortKey(b.key))),
    commands: [...commands.values()]
      .map((r) => ({ ...toRow(`${r.protocol} ${r.command}`, r.tests, r.negative), protocol: r.protocol, command: r.command }))
      .sort((a, b) => a.protocol.localeCompare(b.protocol) || a.command.localeCompare(b.command)),
    requirements: requirements.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    unquoted: requirements.filter((r) => r.quote === undefined).length,
  };
}
