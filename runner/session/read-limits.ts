// Every bound on what the runner reads from a server and keeps: octets read
// per expectation, and — separately — objects and octets *retained*, because
// a flood of tiny lines costs far more in parsed objects than on the wire.
// Readers in runner/protocols/ enforce them; TestEnv.limits lowers them in tests.
// Standards: RFC 5321 §4.5.3.1 (SMTP line lengths), RFC 1939 §3 (POP3 multiline), RFC 3501 §2.2.2 / §4.3 (untagged data, literals).

export interface ReadLimits {
  /** Longest line the runner buffers. Lenient on purpose: conformance limits (512, 1000) are checked by matchers. */
  maxLineOctets: number;
  /** Octets one expectation reads: a reply, a multiline body, an IMAP literal or response (counted, not necessarily kept). */
  maxReplyOctets: number;
  /** Lines of one SMTP reply. */
  maxReplyLines: number;
  /** Text of one SMTP reply kept for the matchers. */
  maxReplyTextOctets: number;
  /** Lines of a POP3 multiline body kept when a matcher needs them (equals, matches, lines, captures). */
  maxBodyLines: number;
  /** Octets of a POP3 multiline body kept when a matcher needs them. */
  maxBodyOctets: number;
  /** IMAP untagged responses queued on one connection before a command completes or an expect takes them. */
  maxUntaggedResponses: number;
}

/** 64 KiB: far above any legal line (RFC 5321 §4.5.3.1.5: 512; §4.5.3.1.6: 1000), so only an endless line hits it. */
export const MAX_LINE_OCTETS = 64 * 1024;
/**
 * 64 MiB: room for a large RETR or FETCH literal, while a gigabyte reply
 * fails in seconds. Counted, not held, where no matcher needs the bytes.
 */
export const MAX_REPLY_OCTETS = 64 * 1024 * 1024;
/**
 * 10,000 lines: RFC 5321 sets no limit on a multiline reply, but an EHLO
 * reply has a few dozen lines; stops a never-ending "250-" reply, whose
 * lines would otherwise be kept until MAX_REPLY_OCTETS (~1.1 M lines, +175 MB).
 */
export const MAX_SMTP_REPLY_LINES = 10_000;
/** 1 MiB of reply text: the same attack with long lines (10,000 × 64 KiB would be 640 MiB). */
export const MAX_SMTP_REPLY_TEXT_OCTETS = 1024 * 1024;
/**
 * 100,000 lines: a LIST or UIDL of a 100k-message maildrop, or a 7 MB
 * message of 70-octet lines. Only kept when a matcher reads the lines (each
 * kept line costs ~250 bytes of RSS: at this bound ~25 MB); a body checked
 * by size or count alone is counted as it streams and never kept.
 */
export const MAX_BODY_LINES = 100_000;
/** 16 MiB of kept body: a fixture comparison (the suites' largest fixture is a few KiB) or a big message's line patterns. */
export const MAX_BODY_OCTETS = 16 * 1024 * 1024;
/**
 * 250,000 untagged responses: a FETCH 1:* on a 100k-message mailbox makes
 * 100k, so a real server stays well below; an untagged flood ("* 1 EXISTS"
 * a million times a second) fails within a second instead of growing by
 * ~400 bytes per 12-octet line until the step times out. Responses are kept
 * as raw bytes and tokenized when a rule reads them (~200 bytes each: ~50 MB at this bound).
 */
export const MAX_UNTAGGED_RESPONSES = 250_000;

export const DEFAULT_READ_LIMITS: ReadLimits = {
  maxLineOctets: MAX_LINE_OCTETS,
  maxReplyOctets: MAX_REPLY_OCTETS,
  maxReplyLines: MAX_SMTP_REPLY_LINES,
  maxReplyTextOctets: MAX_SMTP_REPLY_TEXT_OCTETS,
  maxBodyLines: MAX_BODY_LINES,
  maxBodyOctets: MAX_BODY_OCTETS,
  maxUntaggedResponses: MAX_UNTAGGED_RESPONSES,
};
