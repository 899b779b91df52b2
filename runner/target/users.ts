// A target's users as YAML — the `users:` list of a target file, or a file
// of its own (`--user-file`), where a password may hold any character a
// command-line LOGIN:PASSWORD cannot carry — and the mail domain the users'
// addresses fall back to when none is given.
// Standards: RFC 5321 §4.1.2 (addresses), RFC 4616 §2 (a password is any UTF-8 but NUL).

import { readFileSync } from "node:fs";
import { isMap } from "yaml";
import type { SuiteError } from "../model/failure.ts";
import { NodeReader, type Slot } from "../suite/node-reader.ts";
import { USER_KEYS } from "../suite/vocabulary.ts";
import { parseYaml } from "../suite/yaml-document.ts";

const ADDRESS = /^[^@\s]+@[^@\s]+$/;

export function isAddress(text: string): boolean {
  return ADDRESS.test(text);
}

/** A user as written: the address is filled in from the domain later, when absent. */
export interface UserEntry {
  login: string;
  password: string;
  address?: string;
}

/** A `users:` list; `domain` only words the example in an error. Undefined when any entry is wrong (errors on `reader`). */
export function readUserList(reader: NodeReader, slot: Slot, domain: string): UserEntry[] | undefined {
  const items = reader.list(slot, { nonEmpty: true });
  if (items === undefined) return undefined;
  const users: UserEntry[] = [];
  let ok = true;
  for (const item of items) {
    const entries = reader.map(item, "a user", USER_KEYS);
    const login = entries?.has("login") ? reader.word(entries.get("login")!) : undefined;
    const password = entries?.has("password") ? readSecret(reader, entries.get("password")!) : undefined;
    const addressSlot = entries?.get("address");
    let address = addressSlot === undefined ? undefined : reader.word(addressSlot);
    if (address !== undefined && !isAddress(address)) {
      reader.error(addressSlot!.node, `'address' must be a mail address like ${login ?? "user"}@${domain || "example.test"}, got '${address}'`);
      address = undefined;
    }
    if (login === undefined || password === undefined || (addressSlot !== undefined && address === undefined)) {
      ok = false;
      continue;
    }
    users.push({ login, password, ...(address !== undefined ? { address } : {}) });
  }
  return ok ? users : undefined;
}

/** Passwords of digits only (`password: 1234`) are YAML numbers; they are still passwords. */
function readSecret(reader: NodeReader, slot: Slot): string | undefined {
  const node = slot.node as { value?: unknown } | null;
  if (node !== null && typeof node.value === "number") return String((node as { source?: string }).source ?? node.value);
  return reader.string(slot);
}

/**
 * `--user-file FILE`: a YAML list of users (`- { login, password, address }`),
 * or a map with that list under `users:`. Errors are positioned in the file.
 */
export function readUserFile(file: string): { users: UserEntry[]; errors: SuiteError[]; text?: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { users: [], errors: [{ file, line: 0, col: 0, message: `--user-file: ${code === "ENOENT" ? "no such file" : (error as Error).message}` }] };
  }
  const { source, errors } = parseYaml(file, text);
  if (errors.length > 0) return { users: [], errors, text };
  const reader = new NodeReader(source);
  let slot = reader.slot(source.doc.contents, "the user file");
  if (isMap(slot.node)) {
    const entries = reader.map(slot, "a user file", { required: ["users"], optional: [] });
    if (entries === undefined) return { users: [], errors: reader.errors, text };
    slot = entries.get("users")!;
  }
  const users = readUserList(reader, slot, "") ?? [];
  return { users, errors: reader.errors, text };
}

/** Where the mail domain came from: given, taken from the first address, or the last-resort default. */
export type DomainSource = "given" | "address" | "default";

export const DEFAULT_DOMAIN = "localhost";

/** The domain addresses fall back to: the one given, else the first address's, else localhost. */
export function mailDomain(given: string | undefined, users: readonly UserEntry[]): { domain: string; source: DomainSource; from?: string } {
  if (given !== undefined) return { domain: given, source: "given" };
  const first = users.find((u) => u.address !== undefined)?.address;
  if (first !== undefined) return { domain: first.split("@")[1]!, source: "address", from: first };
  return { domain: DEFAULT_DOMAIN, source: "default" };
}
