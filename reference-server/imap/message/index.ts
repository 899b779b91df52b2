// Message analysis for the IMAP engine: the MIME tree with exact byte ranges
// (parseMessage), ENVELOPE and BODY/BODYSTRUCTURE values, BODY[section]
// octets, and decoded text for SEARCH. The engine writes the ImapValues.
// Standards: RFC 3501 §6.4.4, §6.4.5, §7.4.2; RFC 2045-2047; RFC 5322.
//
// Why the splitter is ours and the decoding is libmime's (measured on this
// folder's fixtures under Node 20):
// - mailparser 3.14 and postal-mime 4.0 return decoded content only: no byte
//   offsets and no raw header bytes, and postal-mime does not report a
//   forwarded message/rfc822 as a part at all. BODYSTRUCTURE sizes and
//   BODY[n] cannot be derived from either.
// - @zone-eu/mailsplit 5.4 re-emits its input byte for byte (1077 of 1077
//   octets, every header exact), so offsets could be summed; but it is a
//   Transform stream that finishes asynchronously, keeps a message/rfc822
//   body opaque (one more pass per level) and no per-part ranges, while this
//   API is synchronous and recursive.
// - So parse.ts is a small one-pass splitter that records ranges and follows
//   the boundary stack as Dovecot's message-parser does; decode.ts uses
//   libmime (RFC 2047 encoded-words; charsets through iconv-lite and
//   encoding-japanese) and libqp (quoted-printable), pinned exactly.

export { parseMessage } from "./parse.ts";
export { envelope } from "./envelope.ts";
export { bodyStructure } from "./body-structure.ts";
export { fetchSection, type SectionSpec, type SectionText } from "./section.ts";
export { decodedSection, type Decoded } from "./binary.ts";
export { headerValues, addressValues, bodyText, fullText } from "./decode.ts";
export { sentDate, parseRfc5322Date } from "./date.ts";
export { MAX_PART_DEPTH_LEVELS, MAX_PARTS_COUNT, MAX_HEADER_FIELDS_COUNT } from "./limits.ts";
export type { ParsedMessage, MimePart, HeaderField, ByteRange, Param } from "./types.ts";
