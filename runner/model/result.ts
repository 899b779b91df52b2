// The outcome of one test and of a run: what every report is built from.

import type { Level, Protocol, TestCase, TlsMode } from "./ast.ts";
import type { Failure, TestStatus } from "./failure.ts";

/**
 * One line of the wire transcript (the lecture's "Protokollmitschnitt") as a
 * typed wire event: the text people read, plus what the runner knew about the
 * line when it recorded it, so statistics and tools read facts, not English.
 */
export interface TranscriptLine {
  /** Connection name within the test ("main", "b", ...). */
  connection: string;
  /** C: client to server, S: server to client, "*": runner note (TLS handshake, close). */
  dir: "C" | "S" | "*";
  /** Milliseconds since the test began. */
  ms: number;
  /** The line without CRLF; non-printable bytes escaped (\r, \x00); secrets redacted. */
  text: string;
  /** C and S lines: octets as shown, plus CRLF (an escape counts one octet, a redacted secret as "***"). */
  octets?: number;
  /** `*` lines the runner types; a free remark (a retry, a failed injection) has none. */
  note?: WireNote;
  /** C and S lines on a connection of known protocol: where the line sits in the dialogue. */
  role?: LineRole;
  /** C command: its verb, upper case ("UID FETCH" in IMAP; "" for an empty line); C response: the command it continues; S: the command whose reply this line starts. */
  verb?: string;
  /** IMAP: the tag of a command or of its tagged reply. */
  tag?: string;
  /** SMTP: the reply code of a reply line. */
  code?: string;
  /** The reply goes on: an SMTP "250-" line, a POP3 "+OK" opening a multiline body. */
  more?: true;
  /** POP3: "+OK" / "-ERR"; IMAP: OK / NO / BAD of a tagged completion, and the greeting's or a BYE's status. */
  status?: string;
  /** IMAP untagged: the response name ("EXISTS", "CAPABILITY", "OK"). */
  untagged?: string;
  /** S: the first line of the greeting. */
  greeting?: true;
  /** S, with `verb`: ms from the command (or its last continuation line) to this first line of its reply. */
  waitedMs?: number;
  /** S: the positive reply to STARTTLS / STLS; the handshake starts now. */
  tlsGoAhead?: true;
}

/**
 * C: command, response (SASL answer, IDLE's DONE), content (SMTP message
 * after 354), end-of-data (its lone "."), literal (IMAP literal octets).
 * S: reply (SMTP reply line, POP3 status, IMAP tagged completion), continue
 * (a "+" continuation request), untagged (IMAP "*"), content and end-of-data
 * (a POP3 multiline body and its "."), literal. other: a line the protocol's
 * dialogue has no place for (a stray tag, garbage).
 */
export type LineRole = "command" | "response" | "content" | "end-of-data" | "literal" | "reply" | "continue" | "untagged" | "other";

/** What a `*` line says, typed; its text is rendered from it (runner/session/wire-notes.ts). */
export type WireNote =
  | { kind: "connect"; host: string; port: number; protocol: Protocol; tls: TlsMode }
  | { kind: "tls-established"; version: string; cipher: string }
  /** IMAP COMPRESS took effect: both directions are compressed from here; the lines shown are the inflated text. */
  | { kind: "compression"; algorithm: "DEFLATE" }
  /** An IMAP literal of the server follows: its octets are the next S lines. */
  | { kind: "literal"; octets: number }
  | { kind: "closed"; by: "client" | "server" }
  /** Input that no step read, recorded at the end of the test. */
  | { kind: "unread"; octets: number }
  | { kind: "transcript-limit" }
  /**
   * Lines dropped between the head and the tail of a long transcript, and
   * the octets they stood for on the wire; `runBudget` when the run's
   * transcript budget was spent and the test got the small caps.
   */
  | { kind: "omitted"; lines: number; octets?: number; runBudget?: true };

/**
 * Octets of transcript text one test keeps (runner/session/transcript.ts):
 * the first `headOctets` and the last `tailOctets`, the middle counted.
 */
export interface TranscriptCaps {
  headOctets: number;
  tailOctets: number;
  /** These are the small caps of a run whose transcript budget is spent (the omitted note says so). */
  runBudget?: true;
}

/** A test's transcript keeps up to 32 KiB of text: far above a sane dialogue (12 KiB at most in the bundled suites). */
export const TEST_TRANSCRIPT_CAPS: TranscriptCaps = { headOctets: 24 * 1024, tailOctets: 8 * 1024 };

export interface StepResult {
  phase: "setup" | "steps" | "cleanup" | "finally";
  index: number;
  /** Short human description: "send EHLO client.example", "expect 250". */
  title: string;
  status: "passed" | "failed" | "skipped";
  durationMs: number;
  /** A retry step: how many attempts it made (1 when the first passed). */
  attempts?: number;
}

/**
 * A test listed in an expectations file (--expect-deviations) as a known
 * deviation of the target from the RFC. `fixed` is false when the test failed
 * as listed (an expected deviation: reported apart, never a pass, not counted
 * as failed) and true when it passed although listed (the file is stale).
 */
export interface Deviation {
  /** The RFC section the target deviates from, e.g. "RFC 1939 §4". */
  ref: string;
  /** One line: why the target fails this test. */
  reason: string;
  /** Where the entry is written: "interop/expectations/dovecot.yaml:12:5". */
  source: string;
  fixed: boolean;
}

/** The fields of a result that come from the test as written; the engine and the orchestrator both start from these. */
export function testIdentity(test: TestCase): Pick<TestResult, "id" | "title" | "protocol" | "file" | "line" | "refs" | "level" | "quote" | "tags"> {
  return {
    id: test.id,
    title: test.title,
    protocol: test.protocol,
    file: test.file,
    line: test.span.line,
    refs: test.refs,
    level: test.level,
    ...(test.quote !== undefined ? { quote: test.quote } : {}),
    tags: test.tags,
  };
}

/** A failed or errored test its expectations file lists: reported apart, never failing the run (one rule for every report). */
export function isExpectedDeviation(r: Pick<TestResult, "status" | "deviation">): boolean {
  return r.deviation !== undefined && !r.deviation.fixed && (r.status === "failed" || r.status === "error");
}

/**
 * Why a test was skipped, as a type the grading reads (the wording in
 * skipReason is for humans and may change): the server does not advertise a
 * required capability; the target has no endpoint for a protocol the test
 * uses; the target names too few users; the run stopped before the test
 * started (--bail, interrupt, a grading budget); the run was aborted while
 * the test ran.
 */
export type SkipKind = "unadvertised" | "no-endpoint" | "too-few-users" | "not-run" | "aborted";

export const SKIP_KINDS: readonly SkipKind[] = ["unadvertised", "no-endpoint", "too-few-users", "not-run", "aborted"];

export interface TestResult {
  id: string;
  title: string;
  protocol: Protocol;
  file: string;
  line: number;
  refs: string[];
  level: Level;
  /** The RFC sentence(s) the test relies on, as the suite quotes them; absent when it quotes none. */
  quote?: string[];
  tags: string[];
  status: TestStatus;
  durationMs: number;
  /** Why a test was skipped ("server does not advertise STARTTLS"). */
  skipReason?: string;
  /** Set with skipReason: which kind of skip, for grading. */
  skipKind?: SkipKind;
  failure?: Failure;
  /** Set when the test is listed as a known deviation of the target; status keeps what happened. */
  deviation?: Deviation;
  /** Failures in `finally` steps: recorded, never change the status. */
  warnings: string[];
  steps: StepResult[];
  transcript: TranscriptLine[];
}

export interface Summary {
  total: number;
  passed: number;
  failed: number;
  /** Skipped for a reason of the target or the suite; tests the run never ran or finished are in `notRun`. */
  skipped: number;
  errors: number;
  /** Failed or errored tests listed as expected deviations: not in `failed` / `errors`; absent when none. */
  deviations?: number;
  /** Tests the run stopped before or during (interrupt, --bail, a time budget): not in `skipped`; absent when none. */
  notRun?: number;
}

/** A test the run never ran, or stopped while it ran: its result says nothing about the target. */
export function isNotRun(r: Pick<TestResult, "status" | "skipKind">): boolean {
  return r.status === "skipped" && (r.skipKind === "not-run" || r.skipKind === "aborted");
}

/** The counts every report prints; one rule for `run`, `merge` and the reporters. */
export function summarize(results: readonly TestResult[]): Summary {
  let deviations = 0;
  let notRun = 0;
  const summary: Summary = { total: results.length, passed: 0, failed: 0, skipped: 0, errors: 0 };
  for (const r of results) {
    if (isExpectedDeviation(r)) deviations++;
    else if (isNotRun(r)) notRun++;
    else if (r.status === "error") summary.errors++;
    else summary[r.status]++;
  }
  return { ...summary, ...(deviations > 0 ? { deviations } : {}), ...(notRun > 0 ? { notRun } : {}) };
}

export type InterruptSignal = "SIGINT" | "SIGTERM";

/** The run was stopped before its selection was done: by a signal (exit 128 + its number), or by its caller (a grading time budget). */
export interface Interruption {
  signal?: InterruptSignal;
  /** One line: "interrupted by SIGINT: 406 of 421 tests not run". */
  message: string;
}

/** The report lacks part of the selection: shards missing from a merge, or shards that were themselves interrupted. */
export interface Incompleteness {
  message: string;
  /** "3/3": shards no report was given for. */
  missingShards?: string[];
  /** "2/3": shards whose run was interrupted. */
  interruptedShards?: string[];
}

/**
 * 0 all passed, 1 conformance failures, 2 invalid suite or usage, 3 target
 * unreachable, 4 nothing matched, 5 incomplete (a merge missing shards),
 * 130 interrupted by SIGINT, 143 by SIGTERM (128 + the signal's number, as a shell reports it).
 */
export type ExitCode = 0 | 1 | 2 | 3 | 4 | 5 | 130 | 143;
