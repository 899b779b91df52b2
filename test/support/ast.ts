// Builders for TestCase ASTs in the runner's tests (until the YAML loader's
// output can be used), and a runner around runTest that collects events.
// Templates and IMAP patterns are written as strings and compiled here, as the loader does.
// Standards: none (test support).

import type {
  AuthStep,
  ConnectionSpec,
  ImapExpect,
  ImapPattern,
  Pop3Expect,
  Protocol,
  SmtpExpect,
  Span,
  Step,
  Template,
  TestCase,
  TlsMode,
  UntaggedRule,
} from "../../runner/model/ast.ts";
import { patternTokens } from "../../runner/protocols/imap/matchers/pattern.ts";
import { compileImapPattern } from "../../runner/suite/expect/imap-pattern.ts";
import { compileTemplate } from "../../runner/suite/template.ts";
import { tokenize } from "../../wire/imap-tokens.ts";
import type { RunEvent } from "../../runner/model/events.ts";
import type { TestResult } from "../../runner/model/result.ts";
import type { Target } from "../../runner/model/target.ts";
import { runTest, type TestEnv } from "../../runner/exec/run-test.ts";

/** An AST part as a test writes it: templates and IMAP patterns as plain strings (compiled ones pass too). */
export type Written<T> = T extends Template
  ? string | Template
  : T extends ImapPattern
    ? string | ImapPattern
    : T extends readonly (infer U)[]
      ? Written<U>[]
      : T extends object
        ? { [K in keyof T]: Written<T[K]> }
        : T;

/** Fields that hold templates, wherever they appear in a step or an expectation. */
const TEMPLATE_KEYS = new Set(["line", "after", "bytes", "text", "login", "password", "regex", "includes", "excludes", "matches", "notMatches", "octets"]);

/** Compiles the template strings of a written AST part; compiled parts are left as they are. */
function compiled<T>(value: Written<T>, key = ""): T {
  if (typeof value === "string") return (TEMPLATE_KEYS.has(key) ? compileTemplate(value) : value) as T;
  if (Array.isArray(value)) return value.map((item) => compiled(item, key)) as T;
  if (value === null || typeof value !== "object" || "parts" in value || "tokens" in value) return value as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compiled(v, k)])) as T;
}

/**
 * An IMAP pattern as the loader compiles it; an untagged one may leave out its "* ".
 * Without ${} references, what the loader would refuse ("..." inside a set) is
 * tokenized as is, for tests of the matcher itself.
 */
export function pattern(text: string, kind: "untagged" | "code" = "untagged"): ImapPattern {
  const written = kind === "untagged" && !/^\*\s/.test(text) ? `* ${text}` : text;
  const read = compileImapPattern(compileTemplate(written), kind);
  if (read.problem === undefined) return read.pattern;
  const bare = kind === "untagged" ? written.replace(/^\*\s+/, "") : written;
  if (bare.includes("${")) throw new Error(`IMAP pattern "${text}": ${read.problem.message}`);
  return { text: compileTemplate(bare), tokens: patternTokens(tokenize(bare)) };
}

let nextLine = 1;
export const span = (): Span => ({ file: "test.yaml", line: nextLine++, col: 7 });

export function testCase(protocol: Protocol, steps: Step[], extra: Partial<TestCase> = {}): TestCase {
  return {
    id: `${protocol}.test.${nextLine}`,
    title: "a test",
    refs: [],
    level: "MUST",
    tags: [],
    requires: [],
    protocol,
    file: "test.yaml",
    span: span(),
    connections: [],
    setup: [],
    steps,
    cleanup: [],
    finally: [],
    ...extra,
  };
}

export function target(protocol: Protocol, port: number, tls: TlsMode = "none", extra: Partial<Target> = {}): Target {
  return {
    name: "scripted",
    host: "127.0.0.1",
    domain: "lab.test",
    endpoints: { [protocol]: { port, tls } },
    insecure: false,
    users: [
      { login: "alice", password: "alice-secret-pw", address: "alice@lab.test" },
      { login: "bob", password: "bob-secret-pw", address: "bob@lab.test" },
    ],
    ...extra,
  };
}

export const on = <T extends Step>(name: string, step: T): T => ({ ...step, on: name });

export const send = (line: string, extra: Partial<Written<Extract<Step, { kind: "send" }>>> = {}): Step => compiled<Step>({ kind: "send", line, on: "main", span: span(), ...extra });
export const raw = (bytes: string): Step => ({ kind: "raw", bytes: compileTemplate(bytes), on: "main", span: span() });
export const dataText = (text: string, rawMode = false): Step => ({ kind: "data", source: { kind: "text", text: compileTemplate(text) }, raw: rawMode, on: "main", span: span() });
export const dataFile = (path: string): Step => ({ kind: "data", source: { kind: "file", path }, raw: false, on: "main", span: span() });
export const starttls = (): Step => ({ kind: "starttls", on: "main", span: span() });
export const auth = (mechanism: AuthStep["mechanism"], outcome: AuthStep["outcome"] = "success", initialResponse = false): Step => ({
  kind: "auth",
  mechanism,
  outcome,
  initialResponse,
  on: "main",
  span: span(),
});
export const closed = (): Step => ({ kind: "expect-closed", on: "main", span: span() });
export const silence = (ms: number): Step => ({ kind: "expect-silence", ms, on: "main", span: span() });
export const wait = (ms: number): Step => ({ kind: "wait", ms, on: "main", span: span() });
export const connect = (name: string, greeting = true): Step => ({ kind: "connect", greeting, on: name, span: span() });
export const close = (name = "main"): Step => ({ kind: "close", on: name, span: span() });
export const repeat = (times: number, as: string, steps: Step[]): Step => ({ kind: "repeat", times, as, steps, on: "main", span: span() });

export function smtp(code: string | string[], extra: Partial<Written<SmtpExpect>> = {}): Step {
  const expect = compiled<SmtpExpect>({ protocol: "smtp", code: Array.isArray(code) ? code : [code], captures: [], span: span(), ...extra });
  return { kind: "expect", expect, on: "main", span: span() };
}

export function pop3(status: "+OK" | "-ERR", extra: Partial<Written<Pop3Expect>> = {}): Step {
  const expect = compiled<Pop3Expect>({ protocol: "pop3", status, multiline: false, captures: [], span: span(), ...extra });
  return { kind: "expect", expect, on: "main", span: span() };
}

export function imap(status: ImapExpect["status"], extra: Partial<Written<ImapExpect>> = {}): Step {
  const { code, codeIfPresent, ...rest } = extra;
  const expect = compiled<ImapExpect>({ protocol: "imap", untagged: [], ordered: false, strict: false, captures: [], span: span(), ...rest });
  if (code !== undefined) expect.code = typeof code === "string" ? pattern(code, "code") : code;
  if (codeIfPresent !== undefined) expect.codeIfPresent = typeof codeIfPresent === "string" ? pattern(codeIfPresent, "code") : codeIfPresent;
  if (status !== undefined) expect.status = status;
  return { kind: "expect", expect, on: "main", span: span() };
}

export const must = (text: string, count?: number): UntaggedRule => ({ pattern: pattern(text), mode: "must", span: span(), ...(count !== undefined ? { count } : {}) });
export const not = (text: string): UntaggedRule => ({ pattern: pattern(text), mode: "not", span: span() });
export const may = (text: string): UntaggedRule => ({ pattern: pattern(text), mode: "may", span: span() });
export const capture = (name: string, regex: string) => ({ name, regex: compileTemplate(regex), span: span() });

export const connection = (name: string, protocol: Protocol, extra: Partial<ConnectionSpec> = {}): ConnectionSpec => ({ name, protocol, span: span(), ...extra });

export interface Ran {
  result: TestResult;
  events: RunEvent[];
  elapsedMs: number;
}

/** Run a test with a small step budget; collects the emitted events. */
export async function run(test: TestCase, tgt: Target, env: Partial<TestEnv> = {}): Promise<Ran> {
  const events: RunEvent[] = [];
  const started = Date.now();
  const result = await runTest(test, { target: tgt, timeoutMs: 2000, runToken: "tok123", emit: (e) => events.push(e), ...env });
  return { result, events, elapsedMs: Date.now() - started };
}

/** The transcript as "C: text" / "S: text" lines of one connection. */
export const wire = (result: TestResult, connection = "main"): string[] =>
  result.transcript.filter((l) => l.connection === connection && l.dir !== "*").map((l) => `${l.dir}: ${l.text}`);
