// The flags that name the server under test (declared in target-options.ts),
// shared by `run` and `stress`, turned here, once, into the TargetSource the
// runner acquires (a target file, the flags, or — with neither — the bundled
// reference server).
// Standards: RFC 8314 §3.3 (implicit-TLS ports beside plain ones).

import type { TargetSource } from "../runner/run/target-source.ts";
import { domainWarning, type TargetFlags } from "../runner/target/flags.ts";
import { flagPlacement } from "../runner/target/imap-namespace.ts";
import { UsageError } from "./arguments.ts";
import { startReferenceTargetThread } from "./reference-target.ts";
import { FILE_SAYS, namesTarget, PORT_FLAGS, type TargetCommandFlags } from "./target-options.ts";

export { targetOptions, type TargetCommandFlags } from "./target-options.ts";

/** Every TargetFlags field, so the flags are copied in one place and a new one cannot be forgotten. */
const TARGET_FLAG_KEYS = ["host", ...PORT_FLAGS.map(([name]) => name), "user", "userFile", "domain", "insecure", "ca", "name", "imapPrefix", "imapDelimiter"] as const satisfies readonly (keyof TargetFlags)[];

/** How a flag is spelt on the command line. */
const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Where the target comes from; with port flags and no --domain, `err` hears which mail domain was guessed. */
export function targetSourceFrom(flags: TargetCommandFlags, err: { write(text: string): unknown } = process.stderr): TargetSource {
  if (!namesTarget(flags)) return { kind: "started", start: () => startReferenceTargetThread(err) };
  if (flags.target !== undefined) {
    const given = [...FILE_SAYS.filter((k) => flags[k] !== undefined), ...(flags.user.length > 0 ? ["user"] : [])];
    if (given.length > 0) {
      throw new UsageError(`--target cannot be combined with ${given.map(flagName).join(", ")}: put those values in the target file`);
    }
    const imap = flagPlacement(flags);
    return { kind: "file", file: flags.target, ...(imap ? { imap } : {}), ...(flags.insecure ? { insecure: true as const } : {}) };
  }
  if (!PORT_FLAGS.some(([name]) => flags[name] !== undefined)) {
    throw new UsageError(`give at least one port (${PORT_FLAGS.map(([name]) => `--${name}`).join(", ")}) with --host`);
  }
  const picked = Object.fromEntries(TARGET_FLAG_KEYS.flatMap((k) => (flags[k] === undefined ? [] : [[k, flags[k]]]))) as TargetFlags;
  const warning = domainWarning(picked);
  if (warning !== undefined) err.write(warning + "\n");
  return { kind: "flags", flags: picked };
}
