// Where an IMAP target keeps the user's mailboxes, as tests see it: the
// endpoint's `mailbox-prefix` / `delimiter` from the target file or the
// --imap-prefix / --imap-delimiter flags where given, else what the capability
// probe read from NAMESPACE or `LIST "" ""`. runner/session/variables.ts binds
// the result as ${imap.prefix} and ${imap.delimiter}.
// Standards: RFC 2342 §5 (personal namespace), RFC 3501 §6.3.8 (hierarchy delimiter), §9 (mailbox-list: QUOTED-CHAR / NIL).

import type { Endpoint, ImapNamespace, Target } from "../model/target.ts";

/** A placement a user gave (target file keys or flags); either part may be left to the probe. */
export interface ImapPlacement {
  prefix?: string;
  delimiter?: string;
}

/** What is wrong with a given prefix, to follow its name in a message; undefined when it is usable. */
export function prefixProblem(prefix: string): string | undefined {
  return /[\r\n\0%*]/.test(prefix) ? "may not hold CR, LF, NUL or the LIST wildcards % and *" : undefined;
}

/** What is wrong with a given delimiter: one 7-bit character but NUL, CR and LF, or "" for NIL (RFC 3501 §9). */
export function delimiterProblem(delimiter: string): string | undefined {
  return /^[\x01-\x09\x0b\x0c\x0e-\x7f]?$/.test(delimiter)
    ? undefined
    : `is one character, or "" for a server without hierarchy (RFC 3501 §9: QUOTED-CHAR / NIL), got '${delimiter}'`;
}

/**
 * `target` with its IMAP endpoint's placement overridden by `given` (the
 * command-line flags beat the target file). Throws when the target has no
 * IMAP endpoint or a value is unusable: the caller reports an invalid target.
 */
export function withImapPlacement(target: Target, given: ImapPlacement): Target {
  const imap = target.endpoints.imap;
  if (given.prefix === undefined && given.delimiter === undefined) return target;
  if (imap === undefined) throw new Error(`--imap-prefix / --imap-delimiter: target "${target.name}" has no IMAP endpoint`);
  const problems = placementProblems(given);
  if (problems.length > 0) throw new Error(problems.join("; "));
  return { ...target, endpoints: { ...target.endpoints, imap: placedEndpoint(imap, given) } };
}

/** The IMAP endpoint with the given parts of `given` in place of its own. */
export function placedEndpoint(imap: Endpoint, given: ImapPlacement): Endpoint {
  return { ...imap, ...(given.prefix !== undefined ? { mailboxPrefix: given.prefix } : {}), ...(given.delimiter !== undefined ? { delimiter: given.delimiter } : {}) };
}

/** The placement --imap-prefix / --imap-delimiter give, or undefined without them. */
export function flagPlacement(flags: { imapPrefix?: string; imapDelimiter?: string }): ImapPlacement | undefined {
  if (flags.imapPrefix === undefined && flags.imapDelimiter === undefined) return undefined;
  return { ...(flags.imapPrefix !== undefined ? { prefix: flags.imapPrefix } : {}), ...(flags.imapDelimiter !== undefined ? { delimiter: flags.imapDelimiter } : {}) };
}

/** The flags' problems, each naming its flag. */
export function placementProblems(given: ImapPlacement): string[] {
  const prefix = given.prefix === undefined ? undefined : prefixProblem(given.prefix);
  const delimiter = given.delimiter === undefined ? undefined : delimiterProblem(given.delimiter);
  return [...(prefix ? [`--imap-prefix ${prefix}`] : []), ...(delimiter ? [`--imap-delimiter ${delimiter}`] : [])];
}

/** `target` with its IMAP endpoint's placement filled in from `read` where the file left it open. */
export function withImapNamespace(target: Target, read: ImapNamespace | undefined): Target {
  const imap = target.endpoints.imap;
  if (imap === undefined || read === undefined) return target;
  const placed = { ...imap, mailboxPrefix: imap.mailboxPrefix ?? read.prefix, delimiter: imap.delimiter ?? read.delimiter };
  return { ...target, endpoints: { ...target.endpoints, imap: placed } };
}
