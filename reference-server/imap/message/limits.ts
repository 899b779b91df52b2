// The bounds message analysis keeps on hostile input: a crafted message must
// not make the parser recurse without end, allocate a part object per byte,
// or keep a million header fields of one part in memory.
// Standards: RFC 2046 §5.1 (nesting is unbounded in the RFC, bounded here), RFC 5322 §2.1.1.

/** Nested entity levels (multipart children and message/rfc822 bodies). Deeper parts are treated as
 * opaque application/octet-stream leaves, as Dovecot does; stops stack exhaustion by nesting bombs. */
export const MAX_PART_DEPTH_LEVELS = 50;

/** MIME entities in one message, nested ones included. Past it a multipart stops splitting and the
 * rest of its body is skipped like an epilogue; stops a "--b\n" x 1e6 message from costing 1e6 objects. */
export const MAX_PARTS_COUNT = 10_000;

/** Header fields kept per entity. Further lines stay in the header bytes (BODY[HEADER] is exact) but
 * are folded into the last kept field; stops a header of a million tiny fields from costing a million objects. */
export const MAX_HEADER_FIELDS_COUNT = 10_000;

/** Comment nesting followed when lexing structured header fields (RFC 5322 §3.2.2 allows any depth);
 * deeper parentheses are taken as comment text. */
export const MAX_COMMENT_DEPTH_LEVELS = 64;
