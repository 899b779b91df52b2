// Reads a YAML config file, validates it against config.schema.json and
// merges it over the embedded defaults. Every error names file:line:col
// (yaml's LineCounter, ajv's instancePath mapped back to the node).
// Standards: YAML 1.2, JSON Schema 2020-12.

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject } from "ajv";
import { isMap, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import { defaultConfig } from "./defaults.ts";
import type { ServerConfig, UserConfig } from "./types.ts";

const schema = createRequire(import.meta.url)("./config.schema.json") as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${col}: ${detail}`);
  }
}

export async function loadConfigFile(file: string): Promise<ServerConfig> {
  return parseConfig(await readFile(file, "utf8"), file);
}

/** Parse and validate config text; `file` is used in errors and to resolve relative paths. */
export function parseConfig(text: string, file: string): ServerConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new ConfigError(file, pos.line, pos.col, first.message.split("\n")[0]!);
  }
  const data: unknown = doc.toJS() ?? {};
  if (!validate(data)) {
    const error = validate.errors![0]!;
    const pos = locate(doc, lineCounter, error);
    throw new ConfigError(file, pos.line, pos.col, describe(error));
  }
  const config = merge(data as Partial<RawConfig>, dirname(resolve(file)));
  const problem = checkConsistency(config);
  if (problem) {
    const pos = position(doc, lineCounter, problem.path);
    throw new ConfigError(file, pos.line, pos.col, problem.message);
  }
  return config;
}

type RawUser = Omit<UserConfig, "address" | "aliases" | "quota"> & { address?: string; aliases?: string[]; quota?: Partial<NonNullable<UserConfig["quota"]>> };
type RawConfig = Omit<ServerConfig, "users" | "store" | "listen" | "connections" | "memory" | "auth" | "smtp" | "pop3" | "imap"> & {
  users: RawUser[];
  store: Partial<ServerConfig["store"]>;
  connections: Partial<ServerConfig["connections"]>;
  memory: Partial<ServerConfig["memory"]>;
  listen: Partial<ServerConfig["listen"]>;
  auth: Partial<ServerConfig["auth"]>;
  smtp: Partial<ServerConfig["smtp"]>;
  pop3: Partial<ServerConfig["pop3"]>;
  imap: Partial<Omit<ServerConfig["imap"], "quota">> & { quota?: Partial<ServerConfig["imap"]["quota"]> };
};

function merge(raw: Partial<RawConfig>, baseDir: string): ServerConfig {
  const d = defaultConfig();
  const domains = (raw.domains ?? d.domains).map((x) => x.toLowerCase());
  const users = raw.users
    ? raw.users.map((u) => ({
        name: u.name,
        password: u.password,
        address: (u.address ?? `${u.name}@${domains[0]}`).toLowerCase(),
        aliases: (u.aliases ?? []).map((a) => a.toLowerCase()),
        // A user's own quota replaces imap.quota resource by resource.
        ...(u.quota ? { quota: { ...d.imap.quota, ...raw.imap?.quota, ...u.quota } } : {}),
      }))
    : raw.domains
      ? d.users.map((u) => ({ ...u, address: `${u.name}@${domains[0]}` }))
      : d.users;
  return {
    hostname: raw.hostname ?? d.hostname,
    domains,
    users,
    postmaster: raw.postmaster ?? d.postmaster,
    dataDir: raw.dataDir ? resolve(baseDir, raw.dataDir) : d.dataDir,
    store: { ...d.store, ...raw.store },
    listen: { ...d.listen, ...raw.listen, lmtpSocket: raw.listen?.lmtpSocket ? resolve(baseDir, raw.listen.lmtpSocket) : d.listen.lmtpSocket },
    connections: { ...d.connections, ...raw.connections },
    memory: { ...d.memory, ...raw.memory },
    tls: raw.tls ? { cert: resolve(baseDir, raw.tls.cert), key: resolve(baseDir, raw.tls.key) } : d.tls,
    auth: { ...d.auth, ...raw.auth },
    smtp: { ...d.smtp, ...raw.smtp },
    pop3: { ...d.pop3, ...raw.pop3 },
    imap: { ...d.imap, ...raw.imap, quota: { ...d.imap.quota, ...raw.imap?.quota } },
  };
}

/** Rules JSON Schema cannot say: unique names and addresses, local domains, a real postmaster. */
export function checkConsistency(config: ServerConfig): { path: (string | number)[]; message: string } | null {
  const names = new Set<string>();
  const addresses = new Set<string>();
  for (const [i, user] of config.users.entries()) {
    if (names.has(user.name)) return { path: ["users", i, "name"], message: `user ${user.name} is listed twice` };
    names.add(user.name);
    for (const [j, address] of [user.address, ...user.aliases].entries()) {
      const path = j === 0 ? ["users", i, "address"] : ["users", i, "aliases", j - 1];
      const domain = address.slice(address.lastIndexOf("@") + 1);
      if (!config.domains.includes(domain)) {
        return { path, message: `address ${address} is not in a local domain (${config.domains.join(", ")})` };
      }
      if (addresses.has(address)) return { path, message: `address ${address} belongs to two users` };
      addresses.add(address);
    }
  }
  if (config.postmaster !== null && !names.has(config.postmaster)) {
    return { path: ["postmaster"], message: `postmaster ${config.postmaster} is not a configured user` };
  }
  return null;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === "" ? "config" : error.instancePath.slice(1).replaceAll("/", ".");
  if (error.keyword === "additionalProperties") {
    return `unknown key "${String(error.params.additionalProperty)}" in ${where}`;
  }
  if (error.keyword === "enum") {
    return `${where} must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
  }
  return `${where} ${error.message ?? "is invalid"}`;
}

function locate(doc: Document, lc: LineCounter, error: ErrorObject): { line: number; col: number } {
  const path = error.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (error.keyword === "additionalProperties") {
    const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
    if (isMap(node)) {
      const key = String(error.params.additionalProperty);
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (pair && isScalar(pair.key) && pair.key.range) return lc.linePos(pair.key.range[0]);
    }
  }
  return position(doc, lc, path);
}

function position(doc: Document, lc: LineCounter, path: (string | number)[]): { line: number; col: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return lc.linePos(range[0]);
  }
  return { line: 1, col: 1 };
}
