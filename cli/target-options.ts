// The flags that name the server under test, shared by `run` and `stress`:
// declared on a command here, once, and whether any is given. Kept apart from
// target-flags.ts, which turns them into a TargetSource with the runner's
// target code (and so loads yaml): declaring the flags and seeing that none
// is given load nothing of the runner, so `run` starts the bundled server's
// thread before the runner's modules load.
// Standards: RFC 8314 §3.3 (implicit-TLS ports beside plain ones).

import { Option, type Command } from "commander";
import type { TargetFlags } from "../runner/target/flags.ts";
import { collectUser, parsePort } from "./arguments.ts";

/** The port flags, plain then implicit TLS, as runner/target/flags.ts reads them (--submission is a named endpoint, below). */
export const PORT_FLAGS = [
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

/** The flags a target file already says; giving one beside --target is a mistake, not an override (--imap-prefix / --imap-delimiter / --insecure are). */
export const FILE_SAYS = ["host", ...PORT_FLAGS.map(([name]) => name), "userFile", "domain", "ca"] as const satisfies readonly (keyof TargetFlags)[];

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

/** Whether any flag names (part of) a target; with none, the command tests the bundled reference server. */
export function namesTarget(flags: TargetCommandFlags): boolean {
  return flags.target !== undefined || flags.user.length > 0 || ([...FILE_SAYS, "imapPrefix", "imapDelimiter"] as const).some((k) => flags[k] !== undefined);
}
