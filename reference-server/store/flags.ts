// Message flags as IMAP names them and as the store keeps them: the five
// system flags become Maildir info letters (any Maildir reader sees them), and
// keywords are kept in the uid list (uid-list.ts), because Maildir has no
// standard for them and Dovecot's letter map allows only 26 per mailbox.
// Standards: RFC 3501 §2.3.2 (flags), §9 (flag-keyword = atom); Maildir "info" (cr.yp.to/proto/maildir.html).

import { isAtom } from "../../wire/imap-syntax.ts";
import type { Flag } from "./types.ts";
import { InvalidFlag } from "./types.ts";

/** IMAP system flag → Maildir info letter; the order is the order flags are reported in. */
const LETTER_OF_SYSTEM_FLAG: ReadonlyMap<string, string> = new Map([
  ["\\Seen", "S"],
  ["\\Answered", "R"],
  ["\\Flagged", "F"],
  ["\\Deleted", "T"],
  ["\\Draft", "D"],
]);

const SYSTEM_FLAG_OF_LETTER: ReadonlyMap<string, string> = new Map(
  [...LETTER_OF_SYSTEM_FLAG].map(([flag, letter]) => [letter, flag]),
);

// System flags are matched case-insensitively ("\seen" is \Seen).
const SYSTEM_FLAG_BY_UPPER: ReadonlyMap<string, string> = new Map(
  [...LETTER_OF_SYSTEM_FLAG.keys()].map((flag) => [flag.toUpperCase(), flag]),
);

/**
 * Longest keyword, in octets. Keywords come straight from clients and are
 * repeated in every FLAGS response; Dovecot caps them at 50, we allow a bit
 * more and refuse the rest instead of storing unbounded strings.
 */
export const MAX_KEYWORD_OCTETS = 100;

/**
 * Most distinct keywords one mailbox keeps. Each is listed in every FLAGS
 * response (RFC 3501 §7.2.6), so a client inventing keywords forever would
 * otherwise grow every session's greeting; beyond this storeFlags refuses.
 */
export const MAX_KEYWORDS_PER_MAILBOX = 256;

/** Flags split the way the store keeps them. Keywords keep the caller's spelling. */
export interface ParsedFlags {
  letters: Set<string>;
  keywords: string[];
}

/** Validates IMAP flags; throws InvalidFlag for \Recent, unknown \-flags and non-atoms. */
export function parseFlags(flags: readonly Flag[]): ParsedFlags {
  const letters = new Set<string>();
  const keywords: string[] = [];
  const seen = new Set<string>();
  for (const flag of flags) {
    if (typeof flag !== "string" || flag.length === 0) throw new InvalidFlag(String(flag), "it is empty");
    if (flag.startsWith("\\")) {
      const system = SYSTEM_FLAG_BY_UPPER.get(flag.toUpperCase());
      if (system !== undefined) {
        letters.add(LETTER_OF_SYSTEM_FLAG.get(system)!);
        continue;
      }
      if (flag.toUpperCase() === "\\RECENT") {
        throw new InvalidFlag(flag, "\\Recent is session state, set by the server only (RFC 3501 §2.3.2)");
      }
      throw new InvalidFlag(flag, "it is not a system flag, and keywords cannot start with \\");
    }
    // flag-keyword = atom
    if (!isAtom(flag)) {
      throw new InvalidFlag(flag, "a keyword must be an IMAP atom (RFC 3501 §9)");
    }
    if (Buffer.byteLength(flag) > MAX_KEYWORD_OCTETS) {
      throw new InvalidFlag(flag, `a keyword may have at most ${MAX_KEYWORD_OCTETS} octets`);
    }
    const key = flag.toUpperCase();
    if (!seen.has(key)) {
      seen.add(key);
      keywords.push(flag);
    }
  }
  return { letters, keywords };
}

/** The IMAP flags of a message: system flags from its info letters, then its keywords. */
export function flagsOf(info: string, keywords: readonly string[]): Flag[] {
  const flags: Flag[] = [];
  for (const [flag, letter] of LETTER_OF_SYSTEM_FLAG) {
    if (info.includes(letter)) flags.push(flag);
  }
  return flags.concat(keywords);
}

/**
 * New info letters: the system-flag letters replaced as asked, while letters
 * we do not map (P for "passed", Dovecot's lowercase keyword letters) are kept
 * untouched. Maildir wants info letters in ASCII order.
 */
export function changeLetters(info: string, mode: "set" | "add" | "remove", letters: ReadonlySet<string>): string {
  const result = new Set<string>();
  for (const letter of info) {
    const ours = SYSTEM_FLAG_OF_LETTER.has(letter);
    if (!ours || mode === "add" || (mode === "remove" && !letters.has(letter))) result.add(letter);
  }
  if (mode !== "remove") for (const letter of letters) result.add(letter);
  return [...result].sort().join("");
}

/** Keywords changed as asked; comparison is case-insensitive, the first spelling wins. */
export function changeKeywords(
  current: readonly string[],
  mode: "set" | "add" | "remove",
  keywords: readonly string[],
): string[] {
  const asked = new Set(keywords.map((k) => k.toUpperCase()));
  if (mode === "set") return [...keywords];
  if (mode === "remove") return current.filter((k) => !asked.has(k.toUpperCase()));
  const have = new Set(current.map((k) => k.toUpperCase()));
  return current.concat(keywords.filter((k) => !have.has(k.toUpperCase())));
}
