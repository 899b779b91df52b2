// IMAP's size limits and the reasons for them. Every one answers with a
// tagged BAD or NO [TOOBIG] and the session goes on, or with BYE where the
// stream cannot be trusted any more.
// Standards: RFC 3501 §4.3 (literals), RFC 7162 §4 (line length), RFC 7888 §4 (LITERAL+), RFC 7889 (APPENDLIMIT).

// RFC 7162 §4 asks servers to accept command lines of at least 8192 octets
// (long UID sets); 64 KiB leaves room for clients that send huge sets, and a
// longer line is answered with BAD without being buffered.
export const MAX_COMMAND_LINE_OCTETS = 64 * 1024;
/** Longest line any IMAP read asks for: a command line (SASL responses are shorter). */
export const IMAP_MAX_BUFFERED_LINE_OCTETS = MAX_COMMAND_LINE_OCTETS;

// Literals other than an APPEND message (passwords, search strings, mailbox
// names): nothing legitimate comes near this, and each is buffered in memory.
export const MAX_ARGUMENT_LITERAL_OCTETS = 64 * 1024;

// Literals one command may carry. Bounds the parse work and the continuation
// round-trips a client can make us do for one tag.
export const MAX_LITERALS_PER_COMMAND = 64;

// An announced literal over the limit sent without "+" (LITERAL+) still
// arrives; we read it in slices of this size and drop it, so memory stays flat.
export const DISCARD_SLICE_OCTETS = 64 * 1024;

// Nesting of parentheses, OR and NOT in SEARCH keys, in levels: deeper is an
// attack on the parser's stack, not a query.
export const MAX_SEARCH_NESTING_LEVELS = 64;

// Ranges in one sequence set ("1,3,5:7" is three). Each is checked against
// every message, so a set of millions of ranges is an attack on CPU time;
// real clients send a few hundred at most.
export const MAX_SEQUENCE_RANGES = 10_000;

// RFC 2971 §3.3: at most 30 field-value pairs, field names up to 30 octets,
// values up to 1024.
export const MAX_ID_PAIRS = 30;

// Parsed messages kept per session for FETCH/SEARCH over the same message.
export const PARSED_MESSAGE_CACHE_ENTRIES = 4;
