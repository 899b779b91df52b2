// Where the server under test comes from: a target file, CLI flags, or —
// with neither — a server the caller starts for the run (the CLI starts the
// bundled reference server; run/ never imports reference-server/ itself).
// Each yields the Target and a release function called when the run ends.

import type { Target } from "../model/target.ts";
import { withImapPlacement, type ImapPlacement } from "../target/imap-namespace.ts";
import type { RunDeps, TargetFlags } from "./deps.ts";

export interface AcquiredTarget {
  target: Target;
  release(): Promise<void>;
  /** Its accounts are deleted on release (the bundled server's temporary data): the after-run sweep is skipped. */
  disposable?: true;
}

export type TargetSource =
  | {
      kind: "file";
      file: string;
      /** --imap-prefix / --imap-delimiter, beating the file's keys. */
      imap?: ImapPlacement;
      /** --insecure: certificates are not verified whatever the file says. */
      insecure?: true;
    }
  | { kind: "flags"; flags: TargetFlags }
  | { kind: "started"; start(): Promise<AcquiredTarget> };

/** The run passes its RunDeps; `stress` passes the target loaders themselves. */
export async function acquireTarget(source: TargetSource, deps: Pick<RunDeps, "loadTarget" | "targetFromFlags">): Promise<AcquiredTarget> {
  const nothing = async () => {};
  switch (source.kind) {
    case "file": {
      const loaded = await deps.loadTarget(source.file);
      const target = source.imap ? withImapPlacement(loaded, source.imap) : loaded;
      return { target: source.insecure ? { ...target, insecure: true } : target, release: nothing };
    }
    case "flags":
      return { target: await deps.targetFromFlags(source.flags), release: nothing };
    case "started":
      return source.start();
  }
}

/** Target as it appears in events and reports: users by login, never a password. */
export function publicTarget(target: Target): Omit<Target, "users"> & { users: string[] } {
  const { users, ...rest } = target;
  return { ...rest, users: users.map((u) => u.login) };
}
