// Grammar pieces every protocol's generator combines: hostile characters
// (NUL, bare CR/LF, DEL, 8-bit, UTF-8, delimiters of all three grammars),
// numbers at the edges of 32 and 64 bits, random letter case, and byte-level
// mutations (insert, delete, replace, truncate, repeat) applied to a
// well-formed line, so most inputs reach deep into a parser before they break.
// Standards: RFC 5321 §4.1.2, RFC 1939 §3, RFC 3501 §9 (the characters that matter there).

import fc from "fast-check";

/** Characters with a meaning somewhere in SMTP, POP3 or IMAP syntax, plus controls and 8-bit. */
export const SPECIAL_CHARS = [
  "\0", "\r", "\n", "\r\n", "\t", " ", "  ", "\x7f", "\x80", "\xff", "é", "\u2028", "😀",
  "<", ">", "@", ":", ",", ";", '"', "\\", "(", ")", "{", "}", "[", "]", "%", "*", "+", "=",
  ".", "..", "/", "&", "-", "~", "!", "#", "$", "^", "|", "'", "`", "?", "=?", "?=", "&-", "{0}", "{4294967296}",
] as const;

export const specialChar = fc.constantFrom(...SPECIAL_CHARS);

/** Numbers a parser must survive: 0, small, the 32-bit edges, beyond 2^53, huge digit runs, signs. */
export const edgeNumber = fc.oneof(
  fc.constantFrom("0", "1", "00001", "-1", "+1", "4294967295", "4294967296", "9007199254740993", "1e3", "0x10", "99999999999999999999999999"),
  fc.nat(5000).map(String),
);

/** Short printable text that mostly looks like a word, sometimes not at all. */
export const word = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
  { weight: 1, arbitrary: specialChar },
);

/** The same keyword in random letter case (verbs and keywords are case-insensitive). */
export function anyCase(keyword: string): fc.Arbitrary<string> {
  return fc.array(fc.boolean(), { minLength: keyword.length, maxLength: keyword.length }).map((upper) =>
    [...keyword].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(""),
  );
}

/** One of several keywords, in random case. */
export function keyword(...words: string[]): fc.Arbitrary<string> {
  return fc.constantFrom(...words).chain(anyCase);
}

/** Pieces joined by `separator`. */
export function joined(piece: fc.Arbitrary<string>, separator: string, maxLength = 5): fc.Arbitrary<string> {
  return fc.array(piece, { minLength: 1, maxLength }).map((parts) => parts.join(separator));
}

type Mutation = { op: number; at: number; text: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({ op: fc.nat(5), at: fc.nat(), text: fc.oneof(specialChar, word) });

function mutate(line: string, edits: readonly Mutation[]): string {
  let out = line;
  for (const { op, at, text } of edits) {
    const i = out.length === 0 ? 0 : at % (out.length + 1);
    if (op === 0) out = out.slice(0, i) + text + out.slice(i); // insert
    else if (op === 1) out = out.slice(0, i) + out.slice(i + 1 + (at % 4)); // delete a few
    else if (op === 2) out = out.slice(0, i) + text + out.slice(i + text.length); // overwrite
    else if (op === 3) out = out.slice(0, i); // truncate
    else if (op === 4) out = out.slice(0, i) + out.slice(i, i + 8).repeat(1 + (at % 6)) + out.slice(i + 8); // repeat
    else out = out.slice(0, i) + text.repeat(1 + (at % 64)) + out.slice(i); // flood one token
  }
  return out;
}

/**
 * A well-formed input most of the time, a mutated one often: half pass
 * through unchanged, the rest get one to three byte-level edits.
 */
export function withMutations(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(valid, fc.oneof({ weight: 1, arbitrary: fc.constant([] as Mutation[]) }, { weight: 1, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) })).map(([line, edits]) => mutate(line, edits));
}

/** latin1: every char code below 256 is one byte, as the servers read lines. */
export function bytesOf(text: string): Buffer {
  return /[^\x00-\xff]/.test(text) ? Buffer.from(text, "utf8") : Buffer.from(text, "latin1");
}
