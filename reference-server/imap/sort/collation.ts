// String order for SORT and THREAD: i;unicode-casemap, which compares the
// octets of each string after mapping every character to its titlecase and
// decomposing it. JavaScript has no titlecase mapping; a character's upper
// case, where that is one character, is the same for every script a mail
// subject or address is likely to use (it differs only for the digraphs
// such as "ǆ", whose titlecase is "ǅ"), and NFKD is the full decomposition.
// For US-ASCII this is i;ascii-casemap exactly.
// Standards: RFC 5256 §7 (i;unicode-casemap, I18NLEVEL=1), RFC 5051 §2 (the collation), RFC 5255 §4.

/** The octets two strings are compared by. */
export function collationKey(text: string): Buffer {
  let mapped = "";
  for (const c of text) {
    const upper = c.toUpperCase();
    mapped += [...upper].length === 1 ? upper : c;
  }
  return Buffer.from(mapped.normalize("NFKD"), "utf8");
}

/** Octet order of the keys; RFC 5256 §3: "The empty string always collates before non-empty strings." */
export function compareKeys(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}
