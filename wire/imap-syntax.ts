// IMAP's character classes from the formal syntax, spelled once: the runner's
// response tokenizer, the suite loader's tag check, the reference server's
// argument reader and its flag validation all ask here, and so does whatever
// writes a value as a quoted string or astring. Octets, not characters:
// anything at or above 0x80 is in no class (CHAR is 7-bit).
// Standards: RFC 3501 §9 (formal syntax), RFC 9051 §9.

/** CTL = %x00-1F / %x7F */
export function isCtl(c: number): boolean {
  return c < 0x20 || c === 0x7f;
}

/** list-wildcards = "%" / "*" */
export function isListWildcard(c: number): boolean {
  return c === 0x25 || c === 0x2a;
}

/** quoted-specials = DQUOTE / "\" */
export function isQuotedSpecial(c: number): boolean {
  return c === 0x22 || c === 0x5c;
}

/** resp-specials = "]" */
export function isRespSpecial(c: number): boolean {
  return c === 0x5d;
}

/** atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials */
export function isAtomSpecial(c: number): boolean {
  return c === 0x28 || c === 0x29 || c === 0x7b || c === 0x20 || isCtl(c) || isListWildcard(c) || isQuotedSpecial(c) || isRespSpecial(c);
}

/** ATOM-CHAR = <any CHAR except atom-specials>; CHAR = %x01-7F */
export function isAtomChar(c: number): boolean {
  return c > 0 && c < 0x80 && !isAtomSpecial(c);
}

/** ASTRING-CHAR = ATOM-CHAR / resp-specials */
export function isAstringChar(c: number): boolean {
  return isAtomChar(c) || isRespSpecial(c);
}

/** TEXT-CHAR = <any CHAR except CR and LF>; QUOTED-CHAR is one of these (quoted-specials escaped) */
export function isTextChar(c: number): boolean {
  return c > 0 && c < 0x80 && c !== 0x0d && c !== 0x0a;
}

/** list-char = ATOM-CHAR / list-wildcards / resp-specials */
export function isListChar(c: number): boolean {
  return isAstringChar(c) || isListWildcard(c);
}

/** tag = 1*<any ASTRING-CHAR except "+"> */
export function isTagChar(c: number): boolean {
  return c !== 0x2b && isAstringChar(c);
}

function every(text: string, test: (c: number) => boolean): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!test(text.charCodeAt(i))) return false;
  return true;
}

/** atom = 1*ATOM-CHAR (flag-keyword = atom) */
export function isAtom(text: string): boolean {
  return every(text, isAtomChar);
}

/** tag = 1*<any ASTRING-CHAR except "+"> */
export function isTag(text: string): boolean {
  return every(text, isTagChar);
}

/**
 * quoted = DQUOTE *QUOTED-CHAR DQUOTE, "\" and DQUOTE escaped with "\";
 * undefined when a character is no TEXT-CHAR (CR, LF, NUL, 8-bit): only a
 * literal carries those (RFC 3501 §4.3).
 */
export function quotedString(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) if (!isTextChar(text.charCodeAt(i))) return undefined;
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** astring = 1*ASTRING-CHAR / string: the bare atom form when it can be, else quoted; undefined when only a literal will do. */
export function astring(text: string): string | undefined {
  return every(text, isAstringChar) ? text : quotedString(text);
}
