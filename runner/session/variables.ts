// The variables a test's templates see: builtins from the target (user.*,
// user2.*, domain, domain.upper, host, imap.prefix, imap.delimiter,
// smtp.failing_recipient, lmtp.failing_recipient (when the target names them),
// run.token, test.id, test.slug) and the captures steps
// bind. Templates arrive compiled by the loader; resolving one walks its parts
// against this store, escaping inserted values in regex fields. A connection
// declared with `user: n` sees users[n] as user.*. A `.astring` / `.quoted`
// suffix gives a value in IMAP syntax, so credentials with a space or `"` work.
// Standards: RFC 3501 §4.3, §9 (astring, quoted) for the IMAP forms.

import type { Span, Template, TestCase } from "../model/ast.ts";
import type { Target, TargetUser } from "../model/target.ts";
import { astring, quotedString } from "../../wire/imap-syntax.ts";

/** A reference to a variable that is not bound. */
export class UnknownVariableError extends Error {
  constructor(readonly variable: string) {
    super(`unknown variable '${variable}'`);
    this.name = "UnknownVariableError";
  }
}

/** A value an IMAP form cannot carry: it needs a literal, which a template cannot write. */
export class NeedsLiteralError extends Error {
  constructor(readonly variable: string) {
    super(
      `'\${${variable}}' cannot be written as an IMAP ${variable.endsWith(".quoted") ? "quoted string" : "astring"}: ` +
        "its value has a CR, LF, NUL or non-ASCII character, which only a literal carries (RFC 3501 §4.3); " +
        "send the raw value as a step's literal instead (send: { line, literal: { text } })",
    );
    this.name = "NeedsLiteralError";
  }
}

/**
 * The IMAP forms of a value, by name suffix: `.astring` is the atom when every
 * character is an ASTRING-CHAR (the common login goes out as before), else a
 * quoted string; `.quoted` is always the quoted string (tests of that syntax).
 */
const IMAP_FORMS = new Map<string, (value: string) => string | undefined>([
  ["astring", astring],
  ["quoted", quotedString],
]);

/** Escapes regex syntax so the value matches itself literally. */
export function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * Resolves every reference of a compiled template. `encode` transforms each
 * inserted value — regex fields pass escapeRegExp so a captured value matches literally.
 */
export function interpolate(template: Template, lookup: (name: string) => string | undefined, encode?: (value: string) => string): string {
  const { parts } = template;
  if (parts.length === 1 && typeof parts[0] === "string") return parts[0];
  let out = "";
  for (const part of parts) {
    if (typeof part === "string") {
      out += part;
      continue;
    }
    const value = lookup(part.ref);
    if (value === undefined) throw new UnknownVariableError(part.ref);
    out += encode === undefined ? value : encode(value);
  }
  return out;
}

/** ${user.login} and ${user.password}: what an auth step without credentials sends. */
export const DEFAULT_LOGIN: Template = { text: "${user.login}", parts: [{ ref: "user.login", offset: 0 }] };
export const DEFAULT_PASSWORD: Template = { text: "${user.password}", parts: [{ ref: "user.password", offset: 0 }] };

function userVariables(prefix: string, user: TargetUser | undefined): Record<string, string> {
  if (!user) return {};
  return { [`${prefix}.login`]: user.login, [`${prefix}.password`]: user.password, [`${prefix}.address`]: user.address };
}

/**
 * Where the user's own IMAP mailboxes go when neither the target file nor the
 * server says (no NAMESPACE, no login in the probe): the top level, with the
 * delimiter most servers outside Maildir++ use. A server that says otherwise wins.
 */
const FALLBACK_IMAP_PREFIX = "";
const FALLBACK_IMAP_DELIMITER = "/";

/** The builtins of one test: user.* (main user), user2.*, domain, domain.upper, host, imap.prefix, imap.delimiter, run.token, test.id, test.slug. */
export function buildVariables(target: Target, test: TestCase, runToken: string): Record<string, string> {
  const imap = target.endpoints.imap;
  return {
    ...userVariables("user", target.users[0]),
    ...userVariables("user2", target.users[1]),
    domain: target.domain,
    // The target's own domain in another case: domain names compare case-insensitively (RFC 5321 §2.4).
    "domain.upper": target.domain.toUpperCase(),
    host: target.host,
    "imap.prefix": imap?.mailboxPrefix ?? FALLBACK_IMAP_PREFIX,
    "imap.delimiter": imap?.delimiter ?? FALLBACK_IMAP_DELIMITER,
    // Only when the target names one: a test that uses it is skipped otherwise (plan/select.ts).
    ...(target.endpoints.smtp?.failingRecipient ? { "smtp.failing_recipient": target.endpoints.smtp.failingRecipient } : {}),
    ...(target.endpoints.lmtp?.failingRecipient ? { "lmtp.failing_recipient": target.endpoints.lmtp.failingRecipient } : {}),
    "run.token": runToken,
    "test.id": test.id,
    "test.slug": testSlug(test.id),
  };
}

/**
 * The test id as one safe name component: every character but a-z, 0-9 and
 * "-" becomes "-". Suites build per-test mailbox names from it, and a "." in
 * an id would be a hierarchy delimiter on Maildir++ servers (Dovecot).
 */
export function testSlug(id: string): string {
  return id.replace(/[^a-z0-9-]/g, "-");
}

const hasOwn = (record: Record<string, string>, name: string): boolean => Object.prototype.hasOwnProperty.call(record, name);

export class Variables {
  private readonly captures: Record<string, string> = {};
  /** user.* of each other target user a connection speaks as, built on first use. */
  private readonly overlays = new Map<number, Record<string, string>>();

  constructor(
    private readonly builtins: Record<string, string>,
    private readonly users: TargetUser[],
  ) {}

  /** A capture's value, if bound. */
  get(name: string): string | undefined {
    return this.captures[name] ?? this.builtins[name];
  }

  bind(name: string, value: string): void {
    this.captures[name] = value;
  }

  /**
   * A variable as a connection speaking as users[userIndex] sees it: captures
   * over its user.* over the builtins; `name.astring` / `name.quoted` are
   * name's value in that IMAP form (the loader allows them for user.* and user2.*).
   */
  lookup(name: string, userIndex = 0): string | undefined {
    const dot = name.lastIndexOf(".");
    const form = dot < 0 ? undefined : IMAP_FORMS.get(name.slice(dot + 1));
    if (form === undefined) return this.plain(name, userIndex);
    const value = this.plain(name.slice(0, dot), userIndex);
    if (value === undefined) return undefined;
    const written = form(value);
    if (written === undefined) throw new NeedsLiteralError(name);
    return written;
  }

  private plain(name: string, userIndex: number): string | undefined {
    if (hasOwn(this.captures, name)) return this.captures[name];
    if (userIndex !== 0) {
      let overlay = this.overlays.get(userIndex);
      if (overlay === undefined) this.overlays.set(userIndex, (overlay = userVariables("user", this.users[userIndex])));
      if (hasOwn(overlay, name)) return overlay[name];
    }
    return hasOwn(this.builtins, name) ? this.builtins[name] : undefined;
  }

  /**
   * Resolve a compiled template. An unknown name here is a suite bug the
   * loader could not see (a capture used before any step binds it): it is
   * raised as a plain Error naming the position, never blamed on the server.
   */
  resolve(template: Template, span: Span, userIndex = 0, regex = false): string {
    // Most templates (command lines, codes) are one literal part: no lookup to set up.
    const { parts } = template;
    if (parts.length <= 1 && typeof parts[0] !== "object") return parts[0] ?? "";
    try {
      return interpolate(template, (name) => this.lookup(name, userIndex), regex ? escapeRegExp : undefined);
    } catch (error) {
      if (error instanceof UnknownVariableError) {
        throw new Error(`${span.file}:${span.line}:${span.col}: ${error.message} (no capture or builtin of that name is bound here)`);
      }
      if (error instanceof NeedsLiteralError) throw new Error(`${span.file}:${span.line}:${span.col}: ${error.message}`);
      throw error;
    }
  }
}
