// Turns user and mailbox names into paths under the data directory, and is the
// one place that decides which names are allowed: user A must never reach
// user B's mail, so every path the store opens is built here and checked to
// stay inside the user's directory. Mailbox names map to Maildir++ folders.
// Standards: Maildir++ (".Folder.Sub" under the INBOX Maildir), RFC 3501 §5.1 (INBOX, hierarchy).

import path from "node:path";
import { InvalidName } from "./types.ts";

/** The delimiters an IMAP server may offer; the on-disk separator is always ".". */
export type HierarchyDelimiter = "/" | ".";

/**
 * Longest user name, in octets. One path component; 255 is NAME_MAX on
 * Linux file systems, and a longer name would fail later with a raw ENAMETOOLONG.
 */
export const MAX_USER_NAME_OCTETS = 255;

/** Longest Maildir++ folder directory name, in octets (NAME_MAX, as above). */
export const MAX_FOLDER_DIR_OCTETS = 255;

/**
 * User names are an allow-list of mail-address characters. A leading "." is
 * refused, which rules out "." and "..", and there is no "/", "\" or NUL, so
 * a user name is always exactly one path component below the root.
 */
const USER_NAME = /^[A-Za-z0-9_+=@-][A-Za-z0-9._+=@-]*$/;

// Control characters have no business in a mailbox name and would break the
// line-based subscriptions file.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Checks a user name and returns it unchanged; throws InvalidName otherwise. */
export function checkUserName(user: string): string {
  if (typeof user !== "string" || user.length === 0) {
    throw new InvalidName("user", String(user), "it is empty");
  }
  if (Buffer.byteLength(user) > MAX_USER_NAME_OCTETS) {
    throw new InvalidName("user", user, `it is longer than ${MAX_USER_NAME_OCTETS} octets`);
  }
  if (!USER_NAME.test(user)) {
    throw new InvalidName(
      "user",
      user,
      "only letters, digits and . _ + = @ - are allowed, and it must not start with a dot",
    );
  }
  return user;
}

// userMaildir's answers: every store call of a session asks again (LIST asks once per mailbox), and
// the checks and path arithmetic cost microseconds each time. Only checked names get in; bounded.
const userMaildirs = new Map<string, string>();
const USER_MAILDIRS_KEPT = 10_000;

/** `<root>/<user>/Maildir`: the user's INBOX, which holds the Maildir++ folders too. */
export function userMaildir(root: string, user: string): string {
  const key = `${root}\u0000${user}`;
  let maildir = userMaildirs.get(key);
  if (maildir === undefined) {
    const userDir = path.join(root, checkUserName(user));
    maildir = insideOf(root, path.join(userDir, "Maildir"), "user", user);
    if (userMaildirs.size >= USER_MAILDIRS_KEPT) userMaildirs.clear();
    userMaildirs.set(key, maildir);
  }
  return maildir;
}

/** True for "INBOX" in any case (RFC 3501 §5.1: INBOX is case-insensitive). */
export function isInbox(name: string): boolean {
  return name.toUpperCase() === "INBOX";
}

/**
 * Splits a mailbox name into hierarchy levels and checks each one. A leading,
 * trailing or doubled delimiter gives an empty level and is refused; so are
 * "." and ".." levels, control characters and NUL. The first level is
 * spelled "INBOX" when it is INBOX in any case.
 */
export function mailboxLevels(name: string, delimiter: HierarchyDelimiter): string[] {
  if (typeof name !== "string" || name.length === 0) {
    throw new InvalidName("mailbox", String(name), "it is empty");
  }
  if (CONTROL_CHARACTER.test(name)) {
    throw new InvalidName("mailbox", name, "it contains a control character");
  }
  const levels = name.split(delimiter);
  for (const level of levels) {
    if (level.length === 0) {
      throw new InvalidName("mailbox", name, `it has an empty level (leading, trailing or doubled "${delimiter}")`);
    }
    if (level === "." || level === "..") {
      throw new InvalidName("mailbox", name, `"${level}" is not allowed as a level`);
    }
  }
  if (isInbox(levels[0]!)) levels[0] = "INBOX";
  return levels;
}

/** The canonical spelling of a mailbox name ("inbox/x" → "INBOX/x"). */
export function canonicalMailboxName(name: string, delimiter: HierarchyDelimiter): string {
  return mailboxLevels(name, delimiter).join(delimiter);
}

// Inside one level, "." (the on-disk separator), "/" (never allowed in a file
// name) and "%" (the escape itself) are written as %XX, so every name has
// exactly one directory and the mapping can be reversed.
const ESCAPED = /[%./]/g;
const UNESCAPED = /%(25|2E|2F)/gi;

function escapeLevel(level: string): string {
  return level.replace(ESCAPED, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

function unescapeLevel(level: string): string {
  return level.replace(UNESCAPED, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Mailbox name → Maildir++ directory name, or "" for INBOX itself:
 * "Archive/2024" (delimiter "/") and "Archive.2024" (delimiter ".") both
 * become ".Archive.2024".
 */
export function folderDirName(name: string, delimiter: HierarchyDelimiter): string {
  const levels = mailboxLevels(name, delimiter);
  if (levels.length === 1 && levels[0] === "INBOX") return "";
  const dir = "." + levels.map(escapeLevel).join(".");
  if (Buffer.byteLength(dir) > MAX_FOLDER_DIR_OCTETS) {
    throw new InvalidName("mailbox", name, `its folder name is longer than ${MAX_FOLDER_DIR_OCTETS} octets`);
  }
  return dir;
}

/**
 * Maildir++ directory name → mailbox name; null for entries that are not
 * folders ("." and "..", ".INBOX", or levels that no name could produce).
 */
export function mailboxNameOfDir(dir: string, delimiter: HierarchyDelimiter): string | null {
  if (!dir.startsWith(".") || dir === "." || dir === "..") return null;
  const levels = dir.slice(1).split(".").map(unescapeLevel);
  if (levels.some((level) => level.length === 0 || level.includes(delimiter))) return null;
  // ".INBOX" would shadow the real INBOX, which lives in the Maildir itself.
  if (levels.length === 1 && isInbox(levels[0]!)) return null;
  const name = levels.join(delimiter);
  try {
    return canonicalMailboxName(name, delimiter);
  } catch {
    return null;
  }
}

/** The Maildir of a mailbox: the INBOX Maildir or one of its Maildir++ folders. */
export function mailboxMaildir(root: string, user: string, name: string, delimiter: HierarchyDelimiter): string {
  const inbox = userMaildir(root, user);
  const dir = folderDirName(name, delimiter);
  return dir === "" ? inbox : insideOf(inbox, path.join(inbox, dir), "mailbox", name);
}

// Defence in depth: the checks above already make escaping impossible; this
// one keeps it impossible if someone loosens them later.
function insideOf(parent: string, candidate: string, kind: "user" | "mailbox", value: string): string {
  const relative = path.relative(path.resolve(parent), path.resolve(candidate));
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) {
    throw new InvalidName(kind, value, "it would leave the data directory");
  }
  return candidate;
}
