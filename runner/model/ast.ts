// The parsed form of a suite file: what runner/suite/ produces from YAML and
// runner/exec/ executes. Types only, JSON-serialisable; every node that can
// fail keeps the Span of the YAML that wrote it, for file:line:col messages.
// Template fields are compiled once by the loader (literal parts and ${var}
// references), IMAP patterns are tokenized once; the executor only resolves them.

export type Protocol = "smtp" | "pop3" | "imap" | "lmtp";
export type Level = "MUST" | "SHOULD" | "MAY";
export type TlsMode = "none" | "starttls" | "implicit";
/**
 * Where in a session a server advertises a capability: on connecting (after
 * the handshake on an implicit-TLS port), after a STARTTLS / STLS upgrade,
 * after authenticating. Servers may change the list at each step
 * (RFC 3207 §4.2, RFC 2595 §4, RFC 3501 §6.2.1 and §7.2.1, RFC 2449 §5).
 */
export type CapabilityState = "before-tls" | "after-starttls" | "after-login";

/** A position in a suite file (1-based line and column). */
export interface Span {
  file: string;
  line: number;
  col: number;
}

/**
 * A string of the suite language that may hold `${name}` references, split
 * by the loader (which also checked every name is bound where it is used).
 * Resolved at run time by walking `parts`; nothing is parsed again.
 */
export interface Template {
  /** As written (after YAML's own escapes): shown in step titles and messages. */
  text: string;
  /** Literal text (`$${` already turned into `${`) and references, in order; empty for "". */
  parts: TemplatePart[];
}

/** `offset`: where the reference's `${` starts in `text`. */
export type TemplatePart = string | { ref: string; offset: number };

/**
 * An IMAP pattern in the tokens of wire/imap-tokens.ts, with the suite
 * language's placeholders recognised once: `$name` captures, `$_` any one
 * token, a trailing `...` more items, `$$x` the atom `$x`. String values are
 * UTF-8 text, so the AST stays plain JSON.
 */
export type PatternToken =
  /** `optional`: a flag written `\Recent?` — in a flag list it may be absent (RFC 3501 §2.3.2: \Recent depends on the session). */
  | { type: "atom"; value: string; section?: PatternToken[]; partial?: string; optional?: true }
  | { type: "number"; value: string }
  | { type: "string"; value: string }
  | { type: "nil" }
  | { type: "list"; items: PatternToken[] }
  | { type: "bracket"; items: PatternToken[] }
  | { type: "capture"; name: string }
  | { type: "any" }
  | { type: "more" }
  /** A token as written with `${}` references in it: resolved and tokenized when the step runs. */
  | { type: "template"; template: Template };

export interface ImapPattern {
  /** The pattern as written, without an untagged pattern's leading "* ": for messages once resolved. */
  text: Template;
  tokens: PatternToken[];
}

export interface SuiteFile {
  file: string;
  protocol: Protocol;
  title: string;
  description?: string;
  tests: TestCase[];
}

export interface TestCase {
  /** Stable id, unique across all suites, e.g. "smtp.transaction.basic". */
  id: string;
  title: string;
  /** RFC sections checked, e.g. "RFC 5321 §4.1.1.2". */
  refs: string[];
  level: Level;
  /**
   * The RFC sentence(s) the test relies on, verbatim (`quote:`), whitespace
   * runs folded to one space; `level` is their own keyword. Absent when not written.
   */
  quote?: string[];
  tags: string[];
  /** Capabilities the server must advertise (EHLO keyword, CAPA tag, CAPABILITY atom); else skipped. */
  requires: string[];
  /**
   * The state in which `requires` is checked, as written (`requires-in:`);
   * absent: inferred per capability from the steps (runner/plan/capability-state.ts).
   */
  requiresIn?: CapabilityState;
  protocol: Protocol;
  file: string;
  span: Span;
  /** Per-step wait budget override in ms. */
  timeoutMs?: number;
  /**
   * How many target users the test refers to (${user.*} on a connection with
   * `user: n`, ${user2.*}, auth with default credentials); absent when none.
   * A target with fewer users skips the test instead of failing it.
   */
  usersNeeded?: number;
  /**
   * The endpoints whose `failing-recipient` the test sends to
   * (${smtp.failing_recipient}, ${lmtp.failing_recipient}); absent when none.
   * A target that names none skips the test.
   */
  failingRecipientsNeeded?: ("smtp" | "lmtp")[];
  /** Named connections beyond the implicit "main" one. */
  connections: ConnectionSpec[];
  /** Puts the server in a known state; a failure here fails the test with phase "setup". */
  setup: Step[];
  steps: Step[];
  /** Runs after `steps` passed; a failure fails the test with phase "cleanup". */
  cleanup: Step[];
  /** Always runs last; failures are recorded as warnings and never change the status. */
  finally: Step[];
}

export interface ConnectionSpec {
  name: string;
  /** Defaults to the test's protocol. */
  protocol: Protocol;
  /** Defaults to the target's TLS mode for that protocol. */
  tls?: TlsMode;
  /** Index into the target's users (0 = main user) that ${user.*} refers to on this connection. */
  user?: number;
  /** SMTP only: dial the target's named endpoint instead of its `smtp` one (`submission`, RFC 6409). */
  endpoint?: "submission";
  span: Span;
}

interface StepBase {
  /** Connection the step acts on; "main" when omitted. A connection opens on first use. */
  on: string;
  span: Span;
}

/** Send one command line; CRLF is appended. IMAP lines get the runner's tag unless `tag` says otherwise. */
export interface SendStep extends StepBase {
  kind: "send";
  line: Template;
  /**
   * IMAP only: "auto" (default) prefixes a fresh tag; "none" sends the line as written (continuation data, DONE);
   * `{ fixed }` prefixes that tag as written (tag syntax tests, RFC 3501 §2.2.1) and awaits its completion.
   */
  tag?: "auto" | "none" | { fixed: string };
  /**
   * IMAP only: a literal appended to the line as {n} (sync) or {n+} (non-synchronizing, RFC 7888);
   * `binary`: as literal8, ~{n} / ~{n+} (RFC 3516 §4.4: APPEND of content with NUL octets).
   */
  literal?: { source: ContentSource; sync: boolean; binary?: boolean; /** sent after the literal before CRLF */ after: Template };
}

/** Bytes sent exactly as written (after ${} interpolation): malformed-input tests. */
export interface RawStep extends StepBase {
  kind: "raw";
  /** YAML double-quoted escapes (\r \n \x00) carry control bytes. */
  bytes: Template;
}

export type ContentSource =
  | { kind: "text"; text: Template }
  | {
      kind: "file";
      /** resolved absolute path of a fixture */
      path: string;
      /**
       * `interpolate: true`: the fixture compiled as a template when the suite was read. Its
       * literal parts are the file's octets read as latin1 (one char per octet), so an 8-bit
       * fixture goes out unchanged around the inserted values, which are sent as UTF-8.
       */
      interpolated?: Template;
    };

/**
 * SMTP message content after DATA's 354: normally converted to CRLF lines,
 * dot-stuffed and ended with CRLF.CRLF; `raw` sends the bytes exactly.
 */
export interface DataStep extends StepBase {
  kind: "data";
  source: ContentSource;
  raw: boolean;
}

/** Send the protocol's TLS upgrade (STARTTLS / STLS), check its success reply, then handshake. */
export interface StartTlsStep extends StepBase {
  kind: "starttls";
  /**
   * Command injection check (RFC 3207 §4.2, RFC 2595 §3.1, RFC 3501 §6.2.1):
   * this command line (IMAP gets a tag) goes out in the same TCP
   * write as STARTTLS / STLS, and after the handshake nothing may arrive for
   * `silenceMs` — a server that kept the plaintext and answers it inside TLS fails.
   */
  inject?: { line: Template; silenceMs: number };
}

/**
 * A whole SASL exchange computed by the runner (AUTH / AUTHENTICATE), or on
 * POP3 the APOP command (RFC 1939 §7): digest of the greeting's timestamp and
 * the password, so a suite never spells out an MD5.
 */
export interface AuthStep extends StepBase {
  kind: "auth";
  mechanism: "PLAIN" | "LOGIN" | "CRAM-MD5" | "SCRAM-SHA-1" | "SCRAM-SHA-256" | "SCRAM-SHA-1-PLUS" | "SCRAM-SHA-256-PLUS" | "APOP";
  /** Default to the connection user's login and password. */
  login?: Template;
  password?: Template;
  /** Send the first response with the command (RFC 4954 initial response / SASL-IR). */
  initialResponse: boolean;
  /** success: 235 / +OK / OK; failure: 535 / -ERR / NO; cancel: send "*" at the first challenge, expect 501 / -ERR / BAD. */
  outcome: "success" | "failure" | "cancel";
  /** SCRAM without -PLUS only: the gs2-cbind-flag sent, "n" by default; "p" asks for tls-unique channel binding (RFC 5802 §6). -PLUS always sends "p=" with the TLS session's type. */
  channelBinding?: "n" | "y" | "p";
  /**
   * SCRAM only: send a wrong ClientProof, a nonce whose server part is altered (RFC 5802 §5.1),
   * channel-binding data one bit off (-PLUS only), or a c= whose gs2 header differs from the one sent (RFC 5802 §6).
   */
  tamper?: "proof" | "nonce" | "channel-binding" | "gs2-header";
}

export interface ExpectStep extends StepBase {
  kind: "expect";
  expect: SmtpExpect | Pop3Expect | ImapExpect;
}

/** The server must close the connection (after any pending reply). */
export interface ExpectClosedStep extends StepBase {
  kind: "expect-closed";
}

/** Nothing may arrive for `ms` milliseconds. */
export interface ExpectSilenceStep extends StepBase {
  kind: "expect-silence";
  ms: number;
}

export interface WaitStep extends StepBase {
  kind: "wait";
  ms: number;
}

/** Open a connection now (to check the greeting explicitly, or to open with a TLS mode). */
export interface ConnectStep extends StepBase {
  kind: "connect";
  /** When false the greeting is left unread for a following expect; default true reads and checks it. */
  greeting: boolean;
}

export interface CloseStep extends StepBase {
  kind: "close";
}

/** Run `steps` `times` times with ${<as>} bound to 1..times (e.g. 100 RCPT commands). */
export interface RepeatStep extends StepBase {
  kind: "repeat";
  times: number;
  as: string;
  steps: Step[];
}

/**
 * Run `steps` until they all pass, one attempt every `everyMs`, starting no
 * new attempt once `withinMs` have passed since the first began (asynchronous
 * delivery: a 250 after DATA is "accepted", not "in the mailbox"). Before each
 * attempt but the first, the connections the steps use are closed, so they
 * reopen fresh on first use. Failures of attempts but the last are noted in
 * the transcript, not failures; the last one fails the step.
 */
export interface RetryStep extends StepBase {
  kind: "retry";
  withinMs: number;
  everyMs: number;
  steps: Step[];
}

/**
 * Run `steps`; if the server closes connection `on` (the step's own `on:`,
 * main by default) before they finish, stop there and pass: for places where
 * an RFC lets the server end the session instead of going on (RFC 1939 §4
 * after a refused login; RFC 5321 §3.8 a 421 and a close on abuse).
 */
export interface MayCloseStep extends StepBase {
  kind: "may-close";
  steps: Step[];
}

/**
 * POP3: find the message whose header matches `header` and bind its number
 * to `capture` — LIST, then TOP k 0 (RETR k where TOP is refused) from the
 * highest number down, at most a bounded number of messages. A maildrop has
 * no arrival order (RFC 1939), so a message is found by its own header, not
 * by being the last.
 */
export interface LocateStep extends StepBase {
  kind: "locate";
  /** A regex over each header field, unfolded (RFC 5322 §2.2.3). */
  header: Template;
  capture: string;
}

/** One accepted reply of a `one-of` step: its expectation, and the steps run when it is the reply that came. */
export interface ReplyBranch {
  expect: SmtpExpect | Pop3Expect | ImapExpect;
  /** Run only when this alternative is the first the reply matches; empty when nothing follows. */
  then: Step[];
  span: Span;
}

/**
 * `expect: { one-of: [...] }`: reads ONE reply and takes the first
 * alternative it matches (its captures bind, its `then` steps run), where the
 * RFC lets a server answer in several ways that lead to different follow-up
 * checks (RFC 5321 §4.1.4: a later EHLO accepted, or refused and the state kept).
 * A reply that matches none fails the step, listing the alternatives.
 */
export interface OneOfStep extends StepBase {
  kind: "one-of";
  branches: ReplyBranch[];
}

/**
 * `if: { same: [A, B], then: [...], else: [...] }`: the two templates resolved
 * (captured values, as a rule) and compared as strings; equal runs `then`, else `else`.
 */
export interface IfStep extends StepBase {
  kind: "if";
  same: [Template, Template];
  then: Step[];
  else: Step[];
}

/** The steps nested in a repeat, retry, may-close, or every branch of a one-of or if, in written order. */
export function innerSteps(step: Step): Step[] {
  if (step.kind === "one-of") return step.branches.flatMap((b) => b.then);
  if (step.kind === "if") return [...step.then, ...step.else];
  return step.kind === "repeat" || step.kind === "retry" || step.kind === "may-close" ? step.steps : [];
}

export type Step =
  | OneOfStep
  | IfStep
  | SendStep
  | RawStep
  | DataStep
  | StartTlsStep
  | AuthStep
  | ExpectStep
  | LocateStep
  | ExpectClosedStep
  | ExpectSilenceStep
  | WaitStep
  | ConnectStep
  | CloseStep
  | RepeatStep
  | RetryStep
  | MayCloseStep;

/** A capture: regex with one group applied to the reply text (SMTP, POP3) or a response line (IMAP). */
export interface Capture {
  name: string;
  /** A regex once resolved (inserted values escaped). */
  regex: Template;
  span: Span;
}

/** Line-set checks on a multiline reply (EHLO keywords, CAPA lines): first word, case-insensitive. */
export interface LineSet {
  includes: Template[];
  excludes: Template[];
}

/** 250, "2xx", "25x" or a list of those. */
export type CodeMatch = string[];

/** An SMTP reply expectation; LMTP connections use the same (RFC 2033 §4: LMTP replies are SMTP replies). */
export interface SmtpExpect {
  protocol: "smtp";
  /** Empty when `replies` is given. */
  code: CodeMatch;
  /**
   * LMTP only (`expect: { replies: [250, 552] }`): after the final "." of
   * DATA, one reply per accepted recipient in RCPT order (RFC 2033 §4.2),
   * each read and matched by its own expectation, in this order.
   */
  replies?: SmtpExpect[];
  /** Enhanced status code pattern, "2.1.0" or "5.x.x" (RFC 3463). */
  enhanced?: string;
  lines?: LineSet;
  /** regex over the reply text (all lines joined by "\n", codes removed) */
  text?: Template;
  /** Every reply line, code and CRLF included, is at most this many octets (RFC 5321 §4.5.3.1.5: 512). */
  maxLineOctets?: number;
  captures: Capture[];
  span: Span;
}

export interface Pop3Expect {
  protocol: "pop3";
  status: "+OK" | "-ERR";
  /** RFC 2449 response code, e.g. "IN-USE", "SYS/TEMP". */
  code?: string;
  /** regex over the status line's text */
  text?: Template;
  /** Read a multiline body up to the lone "." (and dot-unstuff it). */
  multiline: boolean;
  body?: {
    /** Byte-exact comparison with a fixture or inline text (CRLF line ends). */
    equals?: ContentSource;
    /**
     * Byte-exact comparison of what follows the leading trace fields (the
     * header fields a delivery prepends: Return-Path, Received, Delivered-To,
     * X-Original-To, Received-SPF, Authentication-Results, each with its
     * folded lines) — the message as sent through SMTP, read back through POP3.
     */
    equalsAfterTrace?: ContentSource;
    lineCount?: number;
    /**
     * A number, or "${size}" captured from LIST: the body's size in
     * octets as RFC 1939 §5 counts it — dot-unstuffed, CRLF line ends, without the terminator.
     */
    octets?: Template;
    /** Each regex must match some body line. */
    matches: Template[];
    /** No body line may match any of these regexes (a deleted message gone from a listing, TOP leaving the body out). */
    notMatches?: Template[];
    lines?: LineSet;
  };
  captures: Capture[];
  span: Span;
}

/** One untagged-response rule, written in IMAP syntax with $name captures and $_ wildcards. */
export interface UntaggedRule {
  pattern: ImapPattern;
  /** must: appears (at least once, or exactly `count` times); not: never appears; may: allowed. */
  mode: "must" | "not" | "may";
  count?: number;
  span: Span;
}

export type ImapStatus = "OK" | "NO" | "BAD" | "PREAUTH" | "BYE" | "+";

export interface ImapExpect {
  protocol: "imap";
  /**
   * Tagged status of the pending command; with no command pending (greeting)
   * the status of the one untagged response read. "+" expects a continuation.
   * A list (two or more of OK, NO, BAD) accepts any of them as the tagged
   * status, where the RFC lets a server choose (`[NO, BAD]`, RFC 3501 §6.2.2).
   */
  status?: ImapStatus | ("OK" | "NO" | "BAD")[];
  /** Response code pattern, written without its brackets: "READ-WRITE", "UIDVALIDITY $uv". */
  code?: ImapPattern;
  /**
   * The same, for a code the RFC makes optional ("MAY include", "can appear"):
   * a response without a code of that name passes; one with it must match.
   */
  codeIfPresent?: ImapPattern;
  /** regex over the response text */
  text?: Template;
  untagged: UntaggedRule[];
  /** Untagged rules must match in the written order (default: any order). */
  ordered: boolean;
  /** Untagged responses matched by no rule fail the step (default false: extra data is allowed, RFC 3501 §2.2.2). */
  strict: boolean;
  /**
   * `$name` bindings of this step that are message sequence numbers: the
   * session keeps them current across the EXPUNGE / VANISHED responses it
   * reads afterwards (runner/protocols/imap/sequence-numbers.ts).
   */
  sequenceNumbers?: string[];
  captures: Capture[];
  span: Span;
}
