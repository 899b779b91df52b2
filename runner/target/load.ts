// Target files: the server under test (host, a port and TLS mode per
// protocol, users, mail domain) as YAML, or a grading file with `targets:`
// and shared `defaults:`. Every error is collected with its position and
// thrown at once as a TargetError. Hands a Target to the runner.
// Standards: RFC 8314 (implicit TLS ports), RFC 3207 / RFC 2595 (STARTTLS, STLS), RFC 6409 (submission),
// RFC 2033 §5 (an LMTP endpoint may be a Unix-domain socket).

import { statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { isMap } from "yaml";
import type { Endpoint, Target, TargetUser } from "../model/target.ts";
import { NodeReader, type Slot } from "../suite/node-reader.ts";
import { sortByPosition } from "../suite/load.ts";
import { ENDPOINT_KEYS, IMAP_ENDPOINT_KEYS, LMTP_ENDPOINT_KEYS, PROTOCOLS, SMTP_ENDPOINT_KEYS, TARGET_KEYS, TARGETS_FILE_KEYS, TLS_MODES } from "../suite/vocabulary.ts";
import { parseYaml } from "../suite/yaml-document.ts";
import { caFileProblem, defaultAddress, MAX_PORT } from "./flags.ts";
import { TargetError } from "./target-error.ts";
import { delimiterProblem, prefixProblem } from "./imap-namespace.ts";
import { readUserList } from "./users.ts";

export { defaultAddress, targetFromFlags, type TargetFlags } from "./flags.ts";
export { TargetError } from "./target-error.ts";

/** `jobs:` at most: each job holds its own users' sessions open; grade bounds the class's total anyway (runner/grade/jobs.ts). */
const MAX_TARGET_JOBS = 64;

/** One target from a file holding a single target. */
export async function loadTarget(file: string): Promise<Target> {
  const { reader, root } = await open(file);
  if (isMap(root.node) && root.node.has("targets")) {
    reader.error(root.node, "this is a grading file with 'targets:'; a single target is expected here");
    throw failure(reader);
  }
  const target = readTarget(reader, root, new Map(), path.basename(file, path.extname(file)));
  if (reader.errors.length > 0 || target === undefined) throw failure(reader);
  return target;
}

/** Every target of a grading file (`targets:` list, optional `defaults:`); a single-target file gives one. */
export async function loadTargets(file: string): Promise<Target[]> {
  const { reader, root } = await open(file);
  if (!(isMap(root.node) && root.node.has("targets"))) {
    const target = readTarget(reader, root, new Map(), path.basename(file, path.extname(file)));
    if (reader.errors.length > 0 || target === undefined) throw failure(reader);
    return [target];
  }
  const entries = reader.map(root, "a targets file", TARGETS_FILE_KEYS);
  const defaultsSlot = entries?.get("defaults");
  const defaults = defaultsSlot === undefined ? new Map<string, Slot>() : (reader.map(defaultsSlot, "'defaults'", { required: [], optional: allKeys(TARGET_KEYS).filter((k) => k !== "name") }) ?? new Map<string, Slot>());
  const items = entries?.get("targets") === undefined ? [] : (reader.list(entries.get("targets")!, { nonEmpty: true }) ?? []);
  const targets: Target[] = [];
  const names = new Map<string, number>();
  for (const item of items) {
    const target = readTarget(reader, item, defaults, undefined);
    if (target === undefined) continue;
    if (names.has(target.name)) reader.error(item.node, `duplicate target name '${target.name}' (first on line ${names.get(target.name)})`);
    else names.set(target.name, reader.span(item.node).line);
    targets.push(target);
  }
  if (reader.errors.length > 0) throw failure(reader);
  return targets;
}

async function open(file: string): Promise<{ reader: NodeReader; root: Slot }> {
  let text: string;
  try {
    text = (await readFile(file, "utf8")).replace(/^\uFEFF/, "");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TargetError([{ file, line: 0, col: 0, message: code === "ENOENT" ? "no such file or directory" : (e as Error).message }]);
  }
  const { source, errors } = parseYaml(file, text);
  if (errors.length > 0) throw new TargetError(errors, new Map([[file, text]]));
  const reader = new NodeReader(source);
  const root = reader.slot(source.doc.contents, "the target file");
  if (reader.isEmpty(root)) {
    reader.error(0, "empty target file: expected 'host', 'domain', a protocol port and 'users'");
    throw failure(reader);
  }
  return { reader, root };
}

function failure(reader: NodeReader): TargetError {
  return new TargetError(sortByPosition(reader.errors), new Map([[reader.source.file, reader.source.text]]));
}

function allKeys(keys: { required: readonly string[]; optional: readonly string[] }): string[] {
  return [...keys.required, ...keys.optional];
}

/**
 * One target map, its keys laid over `defaults`. `fallbackName` names a
 * single-target file after itself; in a grading list each target needs a name.
 */
function readTarget(reader: NodeReader, slot: Slot, defaults: ReadonlyMap<string, Slot>, fallbackName: string | undefined): Target | undefined {
  // What `defaults` supplies is no longer required of each target.
  const required = (fallbackName === undefined ? ["name", ...TARGET_KEYS.required] : TARGET_KEYS.required).filter((k) => !defaults.has(k));
  const own = reader.map(slot, "a target", { required, optional: allKeys(TARGET_KEYS).filter((k) => !required.includes(k)) });
  if (own === undefined) return undefined;
  const entries = new Map([...defaults, ...own]);
  const name = entries.has("name") ? reader.word(entries.get("name")!) : fallbackName;
  const host = entries.has("host") ? reader.word(entries.get("host")!) : undefined;
  const domain = entries.has("domain") ? reader.word(entries.get("domain")!) : undefined;
  const insecure = entries.has("insecure") ? reader.boolean(entries.get("insecure")!) : false;
  const caSlot = entries.get("tls-ca");
  const tlsCa = caSlot === undefined ? undefined : readCaFile(reader, caSlot);
  const endpoints: Target["endpoints"] = {};
  for (const protocol of PROTOCOLS) {
    const endpoint = entries.get(protocol);
    if (endpoint === undefined) continue;
    const read = readEndpoint(reader, endpoint, protocol);
    if (read !== undefined) endpoints[protocol] = read;
  }
  // RFC 6409: the submission service is SMTP on a port of its own (587), often STARTTLS-only.
  const submissionSlot = entries.get("submission");
  const submission = submissionSlot === undefined ? undefined : readEndpoint(reader, submissionSlot, "smtp");
  if (!PROTOCOLS.some((p) => entries.has(p))) reader.error(slot.node, "a target needs at least one of 'smtp', 'pop3', 'imap', 'lmtp' (a port, or a map with 'port' and 'tls')");
  const users = entries.has("users") ? readUsers(reader, entries.get("users")!, domain ?? "") : [];
  const jobs = entries.has("jobs") ? reader.integer(entries.get("jobs")!, 1, MAX_TARGET_JOBS) : undefined;
  if (entries.has("jobs") && jobs === undefined) return undefined;
  if (name === undefined || host === undefined || domain === undefined || insecure === undefined || users === undefined) return undefined;
  if (caSlot !== undefined && tlsCa === undefined) return undefined;
  if (submissionSlot !== undefined && submission === undefined) return undefined;
  return { name, host, domain, endpoints, insecure, users, ...(tlsCa !== undefined ? { tlsCa } : {}), ...(submission !== undefined ? { submission } : {}), ...(jobs !== undefined ? { jobs } : {}) };
}

/** `tls-ca: FILE`, relative to the target file: must hold at least one PEM certificate, checked now rather than at the first handshake. */
function readCaFile(reader: NodeReader, slot: Slot): string | undefined {
  const given = reader.word(slot);
  if (given === undefined) return undefined;
  const file = path.resolve(path.dirname(reader.source.file), given);
  const problem = caFileProblem(file);
  if (problem !== undefined) {
    reader.error(slot.node, `'tls-ca': ${problem}`);
    return undefined;
  }
  return file;
}

function readEndpoint(reader: NodeReader, slot: Slot, protocol: (typeof PROTOCOLS)[number]): Endpoint | undefined {
  // `smtp: 2525` is short for `smtp: { port: 2525 }`.
  if (!isMap(slot.node)) {
    const port = reader.integer(slot, 1, MAX_PORT);
    return port === undefined ? undefined : { port, tls: "none" };
  }
  const entries = reader.map(slot, `${slot.name}`, protocol === "imap" ? IMAP_ENDPOINT_KEYS : protocol === "lmtp" ? LMTP_ENDPOINT_KEYS : protocol === "smtp" ? SMTP_ENDPOINT_KEYS : ENDPOINT_KEYS);
  if (entries === undefined) return undefined;
  if (protocol === "lmtp") {
    const socketSlot = entries.get("socket");
    if (socketSlot !== undefined) return readSocketEndpoint(reader, socketSlot, entries);
    if (!entries.has("port")) {
      reader.error(slot.node, "'lmtp' needs 'port' or 'socket' (a Unix-domain socket path)");
      return undefined;
    }
  }
  const port = entries.has("port") ? reader.integer(entries.get("port")!, 1, MAX_PORT) : undefined;
  const tls = entries.has("tls") ? reader.oneOf(entries.get("tls")!, TLS_MODES) : "none";
  const implicitSlot = entries.get("implicit-port");
  const implicitTlsPort = implicitSlot === undefined ? undefined : reader.integer(implicitSlot, 1, MAX_PORT);
  if (implicitSlot !== undefined && tls === "implicit") {
    reader.error(implicitSlot.at, "'implicit-port' names a second, implicit-TLS port; 'port' already speaks implicit TLS here");
    return undefined;
  }
  if (port === undefined || tls === undefined || (implicitSlot !== undefined && implicitTlsPort === undefined)) return undefined;
  const endpoint: Endpoint = { port, tls };
  if (implicitTlsPort !== undefined) endpoint.implicitTlsPort = implicitTlsPort;
  if (!readFailingRecipient(reader, entries, endpoint)) return undefined;
  return readMailboxPlacement(reader, entries, endpoint);
}

/**
 * `failing-recipient: ADDRESS` (SMTP, LMTP): a recipient the server accepts
 * at RCPT whose delivery then fails, for the failure-report tests; false when
 * given but not an address.
 */
function readFailingRecipient(reader: NodeReader, entries: ReadonlyMap<string, Slot>, endpoint: Endpoint): boolean {
  const slot = entries.get("failing-recipient");
  if (slot === undefined) return true;
  const address = reader.word(slot);
  if (address === undefined) return false;
  if (!/^[^@\s]+@[^@\s]+$/.test(address)) {
    reader.error(slot.node, "'failing-recipient' must be an address, local-part@domain");
    return false;
  }
  endpoint.failingRecipient = address;
  return true;
}

/** Linux's sun_path holds 108 octets with the terminating NUL. */
const MAX_SOCKET_PATH_OCTETS = 107;

/**
 * `lmtp: { socket: PATH }`: a Unix-domain socket instead of a port, relative
 * to the target file. Checked now (exists, is a socket, fits sun_path) rather
 * than at the first connection; a port or a second TLS port beside it would be ambiguous.
 */
function readSocketEndpoint(reader: NodeReader, slot: Slot, entries: ReadonlyMap<string, Slot>): Endpoint | undefined {
  for (const other of ["port", "implicit-port"]) {
    if (entries.has(other)) {
      reader.error(entries.get(other)!.at, `'${other}' and 'socket' exclude each other: LMTP is dialled on one of them`);
      return undefined;
    }
  }
  const given = reader.word(slot);
  const tls = entries.has("tls") ? reader.oneOf(entries.get("tls")!, TLS_MODES) : "none";
  if (given === undefined || tls === undefined) return undefined;
  if (tls === "implicit") {
    reader.error(entries.get("tls")!.node, "'tls: implicit' is not offered on an LMTP socket: use none or starttls");
    return undefined;
  }
  const socket = path.resolve(path.dirname(reader.source.file), given);
  const problem = socketProblem(socket);
  if (problem !== undefined) {
    reader.error(slot.node, `'socket': ${problem}`);
    return undefined;
  }
  const endpoint: Endpoint = { port: 0, tls, socket };
  return readFailingRecipient(reader, entries, endpoint) ? endpoint : undefined;
}

function socketProblem(socket: string): string | undefined {
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH_OCTETS) return `${socket} is longer than the ${MAX_SOCKET_PATH_OCTETS} octets a socket path may have`;
  try {
    return statSync(socket).isSocket() ? undefined : `${socket} is not a socket`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `no such socket: ${socket}` : `cannot reach ${socket}: ${(error as Error).message}`;
  }
}

/**
 * `mailbox-prefix: "INBOX."` and `delimiter: "."` (IMAP): where the user's
 * mailboxes live, for a server whose NAMESPACE and `LIST "" ""` cannot be
 * read or do not say it (RFC 2342 §5, RFC 3501 §6.3.8). A prefix that ends
 * in a hierarchy level ends with the delimiter, as NAMESPACE writes it.
 */
function readMailboxPlacement(reader: NodeReader, entries: ReadonlyMap<string, Slot>, endpoint: Endpoint): Endpoint | undefined {
  const prefixSlot = entries.get("mailbox-prefix");
  const delimiterSlot = entries.get("delimiter");
  const prefix = prefixSlot === undefined ? undefined : reader.string(prefixSlot);
  const delimiter = delimiterSlot === undefined ? undefined : reader.string(delimiterSlot);
  if ((prefixSlot !== undefined && prefix === undefined) || (delimiterSlot !== undefined && delimiter === undefined)) return undefined;
  const badPrefix = prefix === undefined ? undefined : prefixProblem(prefix);
  if (badPrefix) reader.error(prefixSlot!.node, `'mailbox-prefix' ${badPrefix}`);
  const badDelimiter = delimiter === undefined ? undefined : delimiterProblem(delimiter);
  if (badDelimiter) reader.error(delimiterSlot!.node, `'delimiter' ${badDelimiter}`);
  if (badPrefix || badDelimiter) return undefined;
  if (prefix !== undefined) endpoint.mailboxPrefix = prefix;
  if (delimiter !== undefined) endpoint.delimiter = delimiter;
  return endpoint;
}

function readUsers(reader: NodeReader, slot: Slot, domain: string): TargetUser[] | undefined {
  return readUserList(reader, slot, domain)?.map((u) => ({ login: u.login, password: u.password, address: u.address ?? defaultAddress(u.login, domain) }));
}
