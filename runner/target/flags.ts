// A target from command-line flags (--host, --smtp, --smtps, ..., --user
// LOGIN:PASSWORD[:ADDRESS], --domain, --insecure, --ca): the same Target a target
// file gives, checked just as strictly. The CLI parses argv; this builds.
// Standards: RFC 8314 §3.3 (implicit TLS ports beside plain ones).

import { readFileSync } from "node:fs";
import path from "node:path";
import type { SuiteError } from "../model/failure.ts";
import type { Endpoint, Target, TargetUser } from "../model/target.ts";
import { PROTOCOLS } from "../suite/vocabulary.ts";
import { TargetError } from "./target-error.ts";

export interface TargetFlags {
  host?: string;
  smtp?: number;
  pop3?: number;
  imap?: number;
  smtps?: number;
  pop3s?: number;
  imaps?: number;
  /** LOGIN:PASSWORD[:ADDRESS], repeatable; the first is the main user. */
  user?: string[];
  domain?: string;
  insecure?: boolean;
  /** --ca FILE: PEM certificates to trust instead of the system's (a private CA or a pinned certificate). */
  ca?: string;
  name?: string;
}

/** A TCP port a server can listen on: 16 bits, and port 0 is no port (RFC 793 §3.1, RFC 6335 §6). */
export const MAX_PORT = 65535;

export function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= MAX_PORT;
}

const FLAGS_FILE = "command line";
const DEFAULT_HOST = "127.0.0.1";
const DEFAULT_DOMAIN = "localhost";

export function targetFromFlags(flags: TargetFlags): Target {
  const errors: SuiteError[] = [];
  const fail = (message: string) => errors.push({ file: FLAGS_FILE, line: 0, col: 0, message });
  const host = flags.host ?? DEFAULT_HOST;
  const users: TargetUser[] = [];
  const parsed = (flags.user ?? []).map((spec) => parseUser(spec, fail));
  // Without --domain the first address given names the mail domain.
  const domain = flags.domain ?? parsed.find((u) => u?.address !== undefined)?.address?.split("@")[1] ?? DEFAULT_DOMAIN;
  for (const user of parsed) {
    if (user !== undefined) users.push({ login: user.login, password: user.password, address: user.address ?? defaultAddress(user.login, domain) });
  }
  const endpoints: Target["endpoints"] = {};
  for (const protocol of PROTOCOLS) {
    const plain = port(flags[protocol], `--${protocol}`, fail);
    const implicit = port(flags[`${protocol}s`], `--${protocol}s`, fail);
    let endpoint: Endpoint | undefined;
    if (plain !== undefined) endpoint = { port: plain, tls: "none" };
    if (plain !== undefined && implicit !== undefined) endpoint = { port: plain, tls: "none", implicitTlsPort: implicit };
    if (plain === undefined && implicit !== undefined) endpoint = { port: implicit, tls: "implicit" };
    if (endpoint !== undefined) endpoints[protocol] = endpoint;
  }
  let tlsCa: string | undefined;
  if (flags.ca !== undefined) {
    tlsCa = path.resolve(flags.ca);
    const problem = caFileProblem(tlsCa);
    if (problem !== undefined) fail(`--ca: ${problem}`);
  }
  if (errors.length > 0) throw new TargetError(errors);
  return { name: flags.name ?? host, host, domain, endpoints, insecure: flags.insecure ?? false, users, ...(tlsCa !== undefined ? { tlsCa } : {}) };
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
 * LOGIN:PASSWORD[:ADDRESS]. A password may hold ':'; the last field is taken
 * as the address only when it looks like one (has '@').
 */
function parseUser(spec: string, fail: (message: string) => void): { login: string; password: string; address?: string } | undefined {
  const fields = spec.split(":");
  const login = fields[0] ?? "";
  if (fields.length < 2 || login === "") {
    fail(`--user: expected LOGIN:PASSWORD[:ADDRESS], got '${spec}'`);
    return undefined;
  }
  const last = fields[fields.length - 1]!;
  if (fields.length >= 3 && /^[^@\s]+@[^@\s]+$/.test(last)) {
    return { login, password: fields.slice(1, -1).join(":"), address: last };
  }
  return { login, password: fields.slice(1).join(":") };
}

/** A login that is an address already stays one; otherwise login@domain. */
export function defaultAddress(login: string, domain: string): string {
  return login.includes("@") ? login : `${login}@${domain}`;
}
