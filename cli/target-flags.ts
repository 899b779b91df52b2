// The flags that name the server under test, shared by `run` and `stress`:
// declared on a command here, once, and turned here, once, into the
// TargetSource the runner acquires (a target file, the flags, or — with
// neither — the bundled reference server).
// Standards: RFC 8314 §3.3 (implicit-TLS ports beside plain ones).

import { Option, type Command } from "commander";
import type { TargetSource } from "../runner/run/target-source.ts";
import { domainWarning, type TargetFlags } from "../runner/target/flags.ts";
import { flagPlacement } from "../runner/target/imap-namespace.ts";
import { collectUser, parsePort, UsageError } from "./arguments.ts";
import { startReferenceTargetThread } from "./reference-target.ts";

/** The port flags, plain then implicit TLS, as runner/target/flags.ts reads them (--submission is a named endpoint, below). */
const PORT_FLAGS = [
  ["smtp", "SMTP port (plain, STARTTLS on request)"],
  ["pop3", "POP3 port"],
  ["imap", "IMAP port"],
  ["lmtp", "LMTP port (RFC 2033)"],
  ["submission", "message submission port (RFC 6409; STARTTLS first), for tests with endpoint: submission"],
  ["smtps", "SMTP port with implicit TLS"],
  ["pop3s", "POP3 port with implicit TLS"],
  ["imaps", "IMAP port with implicit TLS"],
] as const;

/** What commander hands a command declared with targetOptions (--ca only where the command adds it). */
export interface TargetCommandFlags extends TargetFlags {
  target?: string;
  user: string[];
}

/** Every TargetFlags field, so the flags are copied in one place and a new one cannot be forgotten. */
const TARGET_FLAG_KEYS = ["host", ...PORT_FLAGS.map(([name]) => name), "user", "userFile", "domain", "insecure", "ca", "name", "imapPrefix", "imapDelimiter"] as const satisfies readonly (keyof TargetFlags)[];

/** The flags a target file already says; giving one beside --target is a mistake, not an override (--imap-prefix / --imap-delimiter / --insecure are). */
const FILE_SAYS = ["host", ...PORT_FLAGS.map(([name]) => name), "userFile", "domain", "ca"] as const satisfies readonly (keyof TargetFlags)[];

/** How a flag is spelt on the command line. */
const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** --target, --host, the port flags, --user, --user-file, --domain, --name, --insecure, in the order --help shows them. */
export function targetOptions(command: Command): Command {
  command
    .option("--target <file>", "target file (YAML): host, ports, TLS, users, domain")
    .option("--host <host>", "server host for the port flags");
  for (const [name, description] of PORT_FLAGS) command.addOption(new Option(`--${name} <port>`, description).argParser(parsePort));
  return command
    .option("--user <login:password[:address]>", "a mailbox user (repeatable; the first is the main user; the password may hold ':')", collectUser, [])
    .option("--user-file <file>", "users as YAML, after any --user: a list of { login, password, address } (for passwords a command line cannot carry)")
    .option("--domain <domain>", "the server's mail domain")
    .option("--name <name>", "the target's name in reports")
    .option("--imap-prefix <prefix>", "where the user's IMAP mailboxes go (\"INBOX.\"), over the target file's mailbox-prefix and the probe")
    .option("--imap-delimiter <char>", "the IMAP hierarchy delimiter (\"\" for none), over the target file's delimiter and the probe")
    .option("--insecure", "do not verify TLS certificates");
}

/** Where the target comes from; with port flags and no --domain, `err` hears which mail domain was guessed. */
export function targetSourceFrom(flags: TargetCommandFlags, err: { write(text: string): unknown } = process.stderr): TargetSource {
  const given = [...FILE_SAYS.filter((k) => flags[k] !== undefined), ...(flags.user.length > 0 ? ["user"] : [])];
  if (flags.target !== undefined) {
    if (given.length > 0) {
      throw new UsageError(`--target cannot be combined with ${given.map(flagName).join(", ")}: put those values in the target file`);
    }
    const imap = flagPlacement(flags);
    return { kind: "file", file: flags.target, ...(imap ? { imap } : {}), ...(flags.insecure ? { insecure: true as const } : {}) };
  }
  if (given.length > 0 || flagPlacement(flags) !== undefined) {
    if (!PORT_FLAGS.some(([name]) => flags[name] !== undefined)) {
      throw new UsageError(`give at least one port (${PORT_FLAGS.map(([name]) => `--${name}`).join(", ")}) with --host`);
    }
    const picked = Object.fromEntries(TARGET_FLAG_KEYS.flatMap((k) => (flags[k] === undefined ? [] : [[k, flags[k]]]))) as TargetFlags;
    const warning = domainWarning(picked);
    if (warning !== undefined) err.write(warning + "\n");
    return { kind: "flags", flags: picked };
  }
  return { kind: "started", start: () => startReferenceTargetThread(err) };
}
