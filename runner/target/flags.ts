// A target from command-line flags (--host, --smtp, --smtps, ..., --user
// LOGIN:PASSWORD[:ADDRESS], --user-file, --domain, --insecure, --ca): the same
// Target a target file gives, checked just as strictly. The CLI parses argv;
// this builds, and says when the mail domain was guessed.
// Standards: RFC 8314 §3.3 (implicit TLS ports beside plain ones).

import { readFileSync } from "node:fs";
import path from "node:path";
import type { SuiteError } from "../model/failure.ts";
import type { Endpoint, Target, TargetUser } from "../model/target.ts";
import { PROTOCOLS } from "../suite/vocabulary.ts";
import { flagPlacement, placedEndpoint, placementProblems } from "./imap-namespace.ts";
import { TargetError } from "./target-error.ts";
import { isAddress, mailDomain, readUserFile, type UserEntry } from "./users.ts";
import { MAX_PORT } from "./port.ts";

export interface TargetFlags {
  host?: string;
  smtp?: number;
  pop3?: number;
  imap?: number;
  /** LMTP (RFC 2033) has no implicit-TLS port. */
  lmtp?: number;
  /** The message submission service (RFC 6409), dialled with STARTTLS first, as port 587 commonly requires. */
  submission?: number;
  smtps?: number;
  pop3s?: number;
  imaps?: number;
  /** LOGIN:PASSWORD[:ADDRESS], repeatable; the first is the main user. */
  user?: string[];
  /** --user-file FILE: users as YAML (./users.ts), after those of --user; for passwords a command line cannot carry. */
  userFile?: string;
  domain?: string;
  insecure?: boolean;
  /** --ca FILE: PEM certificates to trust instead of the system's (a private CA or a pinned certificate). */
  ca?: string;
  name?: string;
  /** --imap-prefix / --imap-delimiter: where the user's mailboxes go, beating the target file and the probe. */
  imapPrefix?: string;
  imapDelimiter?: string;
}

export { MAX_PORT };

export function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= MAX_PORT;
}

const FLAGS_FILE = "command line";
const DEFAULT_HOST = "127.0.0.1";

/** --user values, then --user-file's users, in that order; every problem found goes to `fail` / `errors`. */
function flagUsers(flags: TargetFlags, fail: (message: string) => void, errors: SuiteError[], sources?: Map<string, string>): UserEntry[] {
  const users = (flags.user ?? []).flatMap((spec) => parseUser(spec, fail) ?? []);
  if (flags.userFile !== undefined) {
    const file = path.resolve(flags.userFile);
    const read = readUserFile(file);
    errors.push(...read.errors);
    if (read.text !== undefined) sources?.set(file, read.text);
    users.push(...read.users);
  }
  return users;
}

export function targetFromFlags(flags: TargetFlags): Target {
  const errors: SuiteError[] = [];
  const sources = new Map<string, string>();
  const fail = (message: string) => errors.push({ file: FLAGS_FILE, line: 0, col: 0, message });
  const host = flags.host ?? DEFAULT_HOST;
  const parsed = flagUsers(flags, fail, errors, sources);
  const { domain } = mailDomain(flags.domain, parsed);
  const users: TargetUser[] = parsed.map((u) => ({ login: u.login, password: u.password, address: u.address ?? defaultAddress(u.login, domain) }));
  const endpoints: Target["endpoints"] = {};
  for (const protocol of PROTOCOLS) {
    const plain = port(flags[protocol], `--${protocol}`, fail);
    const implicit = protocol === "lmtp" ? undefined : port(flags[`${protocol}s`], `--${protocol}s`, fail);
    let endpoint: Endpoint | undefined;
    if (plain !== undefined) endpoint = { port: plain, tls: "none" };
    if (plain !== undefined && implicit !== undefined) endpoint = { port: plain, tls: "none", implicitTlsPort: implicit };
    if (plain === undefined && implicit !== undefined) endpoint = { port: implicit, tls: "implicit" };
    if (endpoint !== undefined) endpoints[protocol] = endpoint;
  }
  const placement = flagPlacement(flags);
  if (placement !== undefined) {
    placementProblems(placement).forEach(fail);
    if (endpoints.imap === undefined) fail("--imap-prefix / --imap-delimiter need an IMAP endpoint (--imap or --imaps)");
    else endpoints.imap = placedEndpoint(endpoints.imap, placement);
  }
  let tlsCa: string | undefined;
  if (flags.ca !== undefined) {
    tlsCa = path.resolve(flags.ca);
    const problem = caFileProblem(tlsCa);
    if (problem !== undefined) fail(`--ca: ${problem}`);
  }
  const submissionPort = port(flags.submission, "--submission", fail);
  if (errors.length > 0) throw new TargetError(errors, sources);
  return {
    name: flags.name ?? host,
    host,
    domain,
    endpoints,
    ...(submissionPort !== undefined ? { submission: { port: submissionPort, tls: "starttls" as const } } : {}),
    insecure: flags.insecure ?? false,
    users,
    ...(tlsCa !== undefined ? { tlsCa } : {}),
  };
}

/** Why `file` cannot serve as trusted certificates (unreadable, no PEM certificate), or undefined when it can. */
export function caFileProblem(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "latin1");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `no such file: ${file}` : `cannot read ${file}: ${(error as Error).message}`;
  }
  return text.includes("-----BEGIN CERTIFICATE-----") ? undefined : `${file} holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`;
}

function port(value: number | undefined, flag: string, fail: (message: string) => void): number | undefined {
  if (value === undefined) return undefined;
  if (!isPort(value)) {
    fail(`${flag}: a port is a whole number from 1 to 65535, got ${value}`);
    return undefined;
  }
  return value;
}

/**
 * LOGIN:PASSWORD[:ADDRESS]. A password may hold ':' — `alice:pa:ss` is the
 * password "pa:ss" — and the last field is taken as the address only when it
 * is one (has '@'). A password that itself ends in ":x@y" cannot be written
 * here: that is what --user-file is for.
 */
function parseUser(spec: string, fail: (message: string) => void): UserEntry | undefined {
  const fields = spec.split(":");
  const login = fields[0] ?? "";
  if (fields.length < 2 || login === "" || fields.slice(1).join(":") === "") {
    fail(`--user: expected LOGIN:PASSWORD[:ADDRESS], got '${spec}'`);
    return undefined;
  }
  const last = fields[fields.length - 1]!;
  if (fields.length >= 3 && isAddress(last)) {
    return { login, password: fields.slice(1, -1).join(":"), address: last };
  }
  return { login, password: fields.slice(1).join(":") };
}

/**
 * The warning `run` and `stress` print when no --domain was given: which
 * domain the users' addresses were given, and what a wrong guess costs (the
 * server refuses delivery to them as relaying). Undefined with --domain.
 */
export function domainWarning(flags: TargetFlags): string | undefined {
  const users = flagUsers(flags, () => {}, []);
  const { domain, source, from } = mailDomain(flags.domain, users);
  const without = users.filter((u) => u.address === undefined).map((u) => defaultAddress(u.login, domain));
  // An address's domain is a good guess for the others; localhost is a guess only for a server that calls itself that.
  if (source === "given" || (source === "address" && without.length === 0)) return undefined;
  const guessed = source === "address" ? `the mail domain ${domain} was taken from ${from}` : `no --domain given: the mail domain defaults to ${domain}`;
  const delivers = without.length > 0 ? `, so the tests deliver to ${without.join(", ")}; a server for another domain refuses that as relaying` : "";
  return `mailconform: warning: ${guessed}${delivers}. Give --domain DOMAIN (and LOGIN:PASSWORD:ADDRESS for a user whose address differs).`;
}

/** A login that is an address already stays one; otherwise login@domain. */
export function defaultAddress(login: string, domain: string): string {
  return login.includes("@") ? login : `${login}@${domain}`;
}
