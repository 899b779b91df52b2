// Every key and enumerated value of the suite language, in one place: the
// readers check files against these tables and a unit test holds the JSON
// Schema (runner/schema/suite.schema.json) to the same sets.
// Standards: RFC 2119 (levels); RFC 4422 mechanisms PLAIN (RFC 4616), LOGIN, CRAM-MD5 (RFC 2195), SCRAM-SHA-1 (RFC 5802), SCRAM-SHA-256 (RFC 7677), their -PLUS variants (RFC 5802 §6); APOP (RFC 1939 §7).

import type { KeySet } from "./node-reader.ts";

export const PROTOCOLS = ["smtp", "pop3", "imap", "lmtp"] as const;
export const LEVELS = ["MUST", "SHOULD", "MAY"] as const;
export const TLS_MODES = ["none", "starttls", "implicit"] as const;
export const SEND_TAG_MODES = ["auto", "none"] as const;
export const AUTH_MECHANISMS = ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS", "APOP"] as const;
export const AUTH_OUTCOMES = ["success", "failure", "cancel"] as const;
/** SCRAM's gs2-cbind-flag (RFC 5802 §7) and the deliberate mistakes a negative test may ask for. */
export const SCRAM_CHANNEL_BINDINGS = ["n", "y", "p"] as const;
export const SCRAM_TAMPERS = ["proof", "nonce", "channel-binding", "gs2-header"] as const;
export const POP3_STATUSES = ["+OK", "-ERR"] as const;
export const IMAP_STATUSES = ["OK", "NO", "BAD", "PREAUTH", "BYE", "+"] as const;
/** A status list (`status: [NO, BAD]`) names tagged completions only: what else may answer is read differently. */
export const IMAP_TAGGED_STATUSES = ["OK", "NO", "BAD"] as const;
export const UNTAGGED_MODES = ["must", "not", "may"] as const;
/** `requires-in:` values, in session order (runner/model/ast.ts CapabilityState). */
export const CAPABILITY_STATES = ["before-tls", "after-starttls", "after-login"] as const;

export const SUITE_KEYS: KeySet = { required: ["protocol", "title", "tests"], optional: ["description"] };
export const TEST_KEYS: KeySet = {
  required: ["id", "title", "refs", "level", "quote", "steps"],
  optional: ["tags", "requires", "requires-in", "timeout", "connections", "setup", "cleanup", "finally"],
};
export const CONNECTION_KEYS: KeySet = { required: [], optional: ["protocol", "tls", "user", "endpoint"] };

/** A step is a map with exactly one of these plus the optional `on`. */
export const STEP_ACTIONS = ["send", "raw", "data", "starttls", "auth", "expect", "locate", "silence", "wait", "connect", "close", "repeat", "retry", "may-close", "if"] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];
export const STEP_KEYS: KeySet = { required: [], optional: [...STEP_ACTIONS, "on"] };

export const SEND_KEYS: KeySet = { required: ["line"], optional: ["tag", "literal"] };
export const LITERAL_KEYS: KeySet = { required: [], optional: ["text", "file", "sync", "binary", "after"] };
/** `interpolate: true` on a `file` source: the fixture is a template (not on IMAP literals, which send fixtures as they are). */
export const DATA_KEYS: KeySet = { required: [], optional: ["text", "file", "interpolate", "raw"] };
export const CONTENT_KEYS: KeySet = { required: [], optional: ["text", "file", "interpolate"] };
export const AUTH_KEYS: KeySet = { required: ["mechanism"], optional: ["login", "password", "initial-response", "outcome", "channel-binding", "tamper"] };
export const CONNECT_KEYS: KeySet = { required: [], optional: ["greeting"] };
export const REPEAT_KEYS: KeySet = { required: ["times", "steps"], optional: ["as"] };
export const RETRY_KEYS: KeySet = { required: ["steps"], optional: ["within", "every"] };
export const STARTTLS_KEYS: KeySet = { required: ["inject"], optional: ["silence"] };
/** `expect: { one-of: [...] }`: alone in its map; each alternative is an expectation plus optional `then` steps. */
export const ONE_OF_KEYS: KeySet = { required: ["one-of"], optional: [] };
export const BRANCH_THEN_KEY = "then";
/** `if: { same: [A, B], then: [...], else: [...] }`: at least one of `then` and `else`. */
export const IF_KEYS: KeySet = { required: ["same"], optional: ["then", "else"] };
/** POP3 `locate`: the header pattern of the message to find, and the variable its number is bound to. */
export const LOCATE_KEYS: KeySet = { required: ["header", "capture"], optional: [] };

export const SMTP_EXPECT_KEYS: KeySet = { required: ["code"], optional: ["enhanced", "lines", "text", "max-line-octets", "capture"] };
/** LMTP after DATA: one expectation per accepted recipient, in RCPT order (RFC 2033 §4.2). */
export const LMTP_REPLIES_KEYS: KeySet = { required: ["replies"], optional: [] };
export const LINE_SET_KEYS: KeySet = { required: [], optional: ["includes", "excludes"] };
export const POP3_EXPECT_KEYS: KeySet = { required: ["status"], optional: ["code", "text", "multiline", "body", "capture"] };
export const POP3_BODY_KEYS: KeySet = { required: [], optional: ["equals", "equals-after-trace", "lines", "octets", "matches", "not-matches", "includes", "excludes"] };
export const IMAP_EXPECT_KEYS: KeySet = { required: [], optional: ["status", "code", "code-if-present", "text", "untagged", "ordered", "strict", "capture", "sequence-numbers"] };
export const UNTAGGED_RULE_KEYS: KeySet = { required: ["match"], optional: ["mode", "count"] };

export const TARGET_KEYS: KeySet = { required: ["host", "domain"], optional: ["name", "smtp", "pop3", "imap", "lmtp", "submission", "insecure", "tls-ca", "users", "jobs"] };
export const TARGETS_FILE_KEYS: KeySet = { required: ["targets"], optional: ["defaults"] };
export const ENDPOINT_KEYS: KeySet = { required: ["port"], optional: ["tls", "implicit-port"] };
/** An LMTP endpoint is a port or a Unix-domain socket path (exactly one of them). */
export const LMTP_ENDPOINT_KEYS: KeySet = { required: [], optional: ["port", "socket", "tls", "implicit-port", "failing-recipient"] };
/** An SMTP (and LMTP) endpoint may also name a recipient whose delivery fails after acceptance (the failure-report tests). */
export const SMTP_ENDPOINT_KEYS: KeySet = { required: ["port"], optional: [...ENDPOINT_KEYS.optional, "failing-recipient"] };
/** An IMAP endpoint may also say where the user's mailboxes live, when the probe cannot read it. */
export const IMAP_ENDPOINT_KEYS: KeySet = { required: ["port"], optional: [...ENDPOINT_KEYS.optional, "mailbox-prefix", "delimiter"] };
export const USER_KEYS: KeySet = { required: ["login", "password"], optional: ["address"] };

/** Test ids: stable, lower-case, dotted by convention (`smtp.rcpt.before-mail`). */
export const TEST_ID = /^[a-z0-9][a-z0-9._-]*$/;
/** Connection names and capture names. */
export const CONNECTION_NAME = /^[a-z][a-z0-9_-]*$/;
export const CAPTURE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Limits that keep a suite from holding the runner hostage. */
export const MAX_WAIT_MS = 3_600_000;
export const MAX_REPEAT_TIMES = 10_000;
/**
 * A retry's window: long enough for any queueing MTA on a test bench to
 * deliver, short enough that a server which never delivers costs one minute
 * per test, not the whole run.
 */
export const MAX_RETRY_WITHIN_MS = 60_000;
export const DEFAULT_RETRY_WITHIN_MS = 3_000;
export const DEFAULT_RETRY_EVERY_MS = 100;
/** How long a STARTTLS injection check listens after the handshake for an answer to the injected command. */
export const DEFAULT_INJECT_SILENCE_MS = 300;

/**
 * For an unknown key in one protocol's expectation: a hint when the key
 * belongs to another protocol's (`status` in an SMTP expect), else undefined.
 */
export function foreignExpectKeyHint(protocol: "SMTP" | "POP3" | "IMAP"): (key: string) => string | undefined {
  const tables: Record<"SMTP" | "POP3" | "IMAP", KeySet> = { SMTP: SMTP_EXPECT_KEYS, POP3: POP3_EXPECT_KEYS, IMAP: IMAP_EXPECT_KEYS };
  const keysOf = (keys: KeySet) => [...keys.required, ...keys.optional];
  return (key) => {
    const owners = (Object.keys(tables) as (keyof typeof tables)[]).filter((p) => p !== protocol && keysOf(tables[p]).includes(key));
    if (owners.length === 0) return undefined;
    return `'${key}' belongs to ${owners.join(" and ")} expectations; ${protocol} expectations take ${keysOf(tables[protocol]).join(", ")}`;
  };
}
