// The Content-* fields of one entity, parsed from their unfolded values: media
// type and parameters, transfer encoding, disposition, language and location.
// Lenient where real mail is sloppy (comments, white space around "/" and
// "=", unquoted values holding tspecials); anything unusable yields null so
// the caller applies the RFC 2045 §5.2 default.
// Standards: RFC 2045 §5.1 (Content-Type), §6.1 (Content-Transfer-Encoding), RFC 2183 (Content-Disposition),
// RFC 3282 (Content-Language), RFC 2557 §4.2 (Content-Location), RFC 5322 §3.2.2 (comments).

import { MAX_COMMENT_DEPTH_LEVELS } from "./limits.ts";
import type { Param } from "./types.ts";

type Lexeme = { kind: "token" | "quoted"; text: string } | { kind: "special"; text: string };

/** tspecials := "(" / ")" / "<" / ">" / "@" / "," / ";" / ":" / "\" / <"> / "/" / "[" / "]" / "?" / "=" (RFC 2045 §5.1) */
const TSPECIALS = new Set(["(", ")", "<", ">", "@", ",", ";", ":", "\\", '"', "/", "[", "]", "?", "="]);

function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\n";
}

/** Skips white space and (nested) comments from i; returns the next index. */
export function skipCfws(s: string, i: number): number {
  while (i < s.length) {
    if (isSpace(s[i]!)) {
      i++;
    } else if (s[i] === "(") {
      let depth = 0;
      for (; i < s.length; i++) {
        const c = s[i];
        if (c === "\\") i++;
        else if (c === "(") depth = Math.min(depth + 1, MAX_COMMENT_DEPTH_LEVELS);
        else if (c === ")" && --depth === 0) {
          i++;
          break;
        }
      }
    } else {
      break;
    }
  }
  return i;
}

/** quoted-string from the opening quote at i: the unescaped text and the index after the closing quote. */
export function readQuoted(s: string, i: number): { text: string; next: number } {
  let text = "";
  for (i++; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') return { text, next: i + 1 };
    if (c === "\\" && i + 1 < s.length) text += s[++i];
    else if (c !== "\r" && c !== "\n") text += c;
  }
  return { text, next: i };
}

function lex(s: string, i: number): { lexeme: Lexeme; next: number } | null {
  i = skipCfws(s, i);
  if (i >= s.length) return null;
  const c = s[i]!;
  if (c === '"') {
    const q = readQuoted(s, i);
    return { lexeme: { kind: "quoted", text: q.text }, next: q.next };
  }
  if (TSPECIALS.has(c)) return { lexeme: { kind: "special", text: c }, next: i + 1 };
  let j = i;
  while (j < s.length && !isSpace(s[j]!) && !TSPECIALS.has(s[j]!) && s.charCodeAt(j) > 0x1f && s.charCodeAt(j) !== 0x7f) j++;
  if (j === i) return { lexeme: { kind: "special", text: c }, next: i + 1 }; // a control character: skipped by callers
  return { lexeme: { kind: "token", text: s.slice(i, j) }, next: j };
}

/**
 * parameter := attribute "=" value; value := token / quoted-string (RFC 2045 §5.1). An unquoted value
 * runs to the next ";" or white space, because real mail writes boundary=----=_Part_1 unquoted.
 * Parameters stay as written, in order: RFC 2231 continuations are the client's to join.
 */
function readParams(s: string, i: number): Param[] {
  const params: Param[] = [];
  while (i < s.length) {
    const semi = s.indexOf(";", i);
    if (semi < 0) break;
    i = skipCfws(s, semi + 1);
    const attr = lex(s, i);
    if (attr === null || attr.lexeme.kind !== "token") continue;
    let j = skipCfws(s, attr.next);
    if (s[j] !== "=") {
      i = j;
      continue;
    }
    j = skipCfws(s, j + 1);
    if (s[j] === '"') {
      const q = readQuoted(s, j);
      params.push([attr.lexeme.text, q.text]);
      i = q.next;
    } else {
      let k = j;
      while (k < s.length && s[k] !== ";" && !isSpace(s[k]!) && s[k] !== "(") k++;
      params.push([attr.lexeme.text, s.slice(j, k)]);
      i = k;
    }
  }
  return params;
}

export interface ContentType {
  type: string;
  subtype: string;
  params: Param[];
}

/** content := type "/" subtype *(";" parameter); null when the type or subtype is missing (RFC 2045 §5.2 then applies). */
export function parseContentType(value: string): ContentType | null {
  const type = lex(value, 0);
  if (type === null || type.lexeme.kind !== "token") return null;
  const slash = lex(value, type.next);
  if (slash === null || slash.lexeme.text !== "/") return null;
  const subtype = lex(value, slash.next);
  if (subtype === null || subtype.lexeme.kind !== "token") return null;
  return { type: type.lexeme.text, subtype: subtype.lexeme.text, params: readParams(value, subtype.next) };
}

/** disposition := disposition-type *(";" disposition-parm) (RFC 2183 §2). */
export function parseDisposition(value: string): { value: string; params: Param[] } | null {
  const type = lex(value, 0);
  if (type === null || type.lexeme.kind !== "token") return null;
  return { value: type.lexeme.text, params: readParams(value, type.next) };
}

/** mechanism := token (RFC 2045 §6.1), comments dropped. */
export function parseEncoding(value: string): string | null {
  const token = lex(value, 0);
  return token !== null && token.lexeme.kind === "token" ? token.lexeme.text : null;
}

/** Language-List := Language-Tag *("," Language-Tag), CFWS anywhere (RFC 3282 §2). */
export function parseLanguage(value: string): string[] | null {
  const tags: string[] = [];
  for (let next = lex(value, 0); next !== null; next = lex(value, next.next)) {
    if (next.lexeme.kind !== "special") tags.push(next.lexeme.text);
  }
  return tags.length > 0 ? tags : null;
}

/** RFC 2557 §4.2: a folded URI is unfolded and its white space removed. */
export function parseLocation(value: string): string | null {
  const uri = value.replace(/[ \t\r\n]+/g, "");
  return uri === "" ? null : uri;
}
