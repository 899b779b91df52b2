// Address lists as ENVELOPE carries them: each mailbox split into display
// name, source route, local part and domain, groups marked by a start entry
// (NIL NIL "name" NIL) and an end entry (NIL NIL NIL NIL). Works on the raw
// (binary-string) field value; names keep their encoded-words undecoded.
// Standards: RFC 5322 §3.4 (address, mailbox, group), §4.4 (obs-route), RFC 3501 §7.4.2 (address structure).

import { readQuoted } from "./content-fields.ts";
import { MAX_COMMENT_DEPTH_LEVELS } from "./limits.ts";

export interface Address {
  name: string | null;
  adl: string | null;
  mailbox: string | null;
  host: string | null;
}

/**
 * RFC 3501 reads a NIL host as group syntax, so an address missing its local part or domain gets
 * placeholders instead — the names Dovecot uses, which clients already meet in the wild.
 */
export const MISSING_MAILBOX = "MISSING_MAILBOX";
export const MISSING_DOMAIN = "MISSING_DOMAIN";

type Token =
  | { kind: "atom" | "quoted" | "literal" | "comment"; text: string; spaceBefore: boolean }
  | { kind: "special"; text: string; spaceBefore: boolean };

/** specials = "(" / ")" / "<" / ">" / "[" / "]" / ":" / ";" / "@" / "\" / "," / "." / DQUOTE (RFC 5322 §3.2.3) */
const SPECIALS = '()<>[]:;@\\,."';

function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let spaceBefore = false;
  while (i < s.length) {
    const c = s[i]!;
    if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      spaceBefore = true;
      i++;
      continue;
    }
    if (c === '"') {
      const q = readQuoted(s, i);
      tokens.push({ kind: "quoted", text: q.text, spaceBefore });
      i = q.next;
    } else if (c === "(") {
      const start = i;
      let depth = 0;
      for (; i < s.length; i++) {
        if (s[i] === "\\") i++;
        else if (s[i] === "(") depth = Math.min(depth + 1, MAX_COMMENT_DEPTH_LEVELS);
        else if (s[i] === ")" && --depth === 0) break;
      }
      tokens.push({ kind: "comment", text: s.slice(start + 1, Math.min(i, s.length)).replace(/\\(.)/g, "$1"), spaceBefore });
      i++;
    } else if (c === "[") {
      const close = s.indexOf("]", i);
      const end = close < 0 ? s.length : close + 1;
      tokens.push({ kind: "literal", text: s.slice(i, end), spaceBefore });
      i = end;
    } else if (SPECIALS.includes(c)) {
      if (c !== ")" && c !== "]" && c !== "\\") tokens.push({ kind: "special", text: c, spaceBefore });
      i++;
    } else {
      let j = i;
      while (j < s.length && !SPECIALS.includes(s[j]!) && !" \t\r\n".includes(s[j]!)) j++;
      tokens.push({ kind: "atom", text: s.slice(i, j), spaceBefore });
      i = j;
    }
    spaceBefore = false;
  }
  return tokens;
}

function isSpecial(t: Token | undefined, c: string): boolean {
  return t !== undefined && t.kind === "special" && t.text === c;
}

/** A phrase (display name, group name): words as written, one space where the source had white space. */
function phrase(tokens: readonly Token[]): string {
  let text = "";
  for (const t of tokens) {
    if (t.kind === "comment") continue;
    if (text !== "" && t.spaceBefore) text += " ";
    text += t.text;
  }
  return text;
}

/** local-part or domain: the words joined without white space (obs-local-part, obs-domain allow CFWS around dots). */
function joined(tokens: readonly Token[]): string {
  return tokens.filter((t) => t.kind !== "comment").map((t) => t.text).join("");
}

function addrSpec(tokens: readonly Token[]): { mailbox: string; host: string } {
  const at = tokens.findIndex((t) => isSpecial(t, "@"));
  const local = joined(at < 0 ? tokens : tokens.slice(0, at));
  const domain = at < 0 ? "" : joined(tokens.slice(at + 1));
  return { mailbox: local === "" ? MISSING_MAILBOX : local, host: domain === "" ? MISSING_DOMAIN : domain };
}

/** A comment after the address stands in for a missing display name ("bob@example.test (Bob)"), as Dovecot and c-client do. */
function trailingComment(tokens: readonly Token[]): string | null {
  const firstWord = tokens.findIndex((t) => t.kind !== "comment");
  const comment = tokens.slice(firstWord + 1).find((t) => t.kind === "comment");
  return comment === undefined || firstWord < 0 || comment.text.trim() === "" ? null : comment.text.trim();
}

/** mailbox = name-addr / addr-spec; name-addr = [display-name] "<" [obs-route] addr-spec ">" */
function mailbox(run: readonly Token[]): Address | null {
  const words = run.filter((t) => t.kind !== "comment");
  if (words.length === 0) return null;
  const open = run.findIndex((t) => isSpecial(t, "<"));
  if (open >= 0) {
    let close = run.findIndex((t, i) => i > open && isSpecial(t, ">"));
    if (close < 0) close = run.length;
    let inner = run.slice(open + 1, close);
    let adl: string | null = null;
    if (isSpecial(inner.find((t) => t.kind !== "comment"), "@")) {
      const colon = inner.findIndex((t) => isSpecial(t, ":"));
      if (colon >= 0) {
        adl = joined(inner.slice(0, colon));
        inner = inner.slice(colon + 1);
      }
    }
    const name = phrase(run.slice(0, open));
    return { name: name !== "" ? name : trailingComment(run.slice(close)), adl, ...addrSpec(inner) };
  }
  if (!words.some((t) => isSpecial(t, "@"))) {
    // No address at all: a lone word is a local part ("To: postmaster"); a quoted or several-word phrase is a name.
    const single = words.every((t, i) => t.kind !== "quoted" && (i === 0 || !t.spaceBefore));
    if (!single) return { name: phrase(words), adl: null, mailbox: MISSING_MAILBOX, host: MISSING_DOMAIN };
  }
  return { name: trailingComment(run), adl: null, ...addrSpec(run) };
}

/**
 * address-list = address *("," address); address = mailbox / group;
 * group = display-name ":" [group-list] ";" [CFWS]. Lenient: a missing ";" closes the group at the end,
 * empty entries are skipped, and nothing ever throws.
 */
export function parseAddressList(value: string): Address[] {
  const out: Address[] = [];
  let run: Token[] = [];
  let inGroup = false;
  let angle = 0;
  const flush = (): void => {
    const m = mailbox(run);
    if (m !== null) out.push(m);
    run = [];
  };
  for (const t of tokenize(value)) {
    if (isSpecial(t, "<")) angle++;
    if (isSpecial(t, ">")) angle = Math.max(0, angle - 1);
    if (angle === 0 && isSpecial(t, ",")) {
      flush();
    } else if (angle === 0 && isSpecial(t, ";")) {
      flush();
      if (inGroup) out.push({ name: null, adl: null, mailbox: null, host: null });
      inGroup = false;
    } else if (angle === 0 && isSpecial(t, ":") && !inGroup && !run.some((r) => isSpecial(r, "@"))) {
      out.push({ name: null, adl: null, mailbox: phrase(run), host: null });
      run = [];
      inGroup = true;
    } else {
      run.push(t);
    }
  }
  flush();
  if (inGroup) out.push({ name: null, adl: null, mailbox: null, host: null });
  return out;
}
