// What a full or failing disk looks like to the store's callers, so that each
// protocol can say so (SMTP 452 4.3.1, IMAP NO [OVERQUOTA] / [SERVERBUG]), and
// the hook through which tests make the disk fail: every write, sync and
// rename the store commits with asks `diskOperation` first (durable.ts).
// Standards: RFC 5321 §4.2.3 (452), RFC 3463 §3.4 (4.3.1 mail system full), RFC 5530 §3.

/** "full": no space or quota left (ENOSPC, EDQUOT); "failed": the device reports an error (EIO, EROFS). */
export type DiskFault = "full" | "failed";

const FAULT_OF_CODE: Readonly<Record<string, DiskFault>> = {
  ENOSPC: "full",
  EDQUOT: "full",
  EIO: "failed",
  EROFS: "failed",
};

/** The disk fault behind an error (looking through `cause`), or null for anything else. */
export function diskFaultOf(error: unknown): DiskFault | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined && Object.hasOwn(FAULT_OF_CODE, code)) return FAULT_OF_CODE[code]!;
  }
  return null;
}

export type DiskOperation = "write" | "sync" | "rename";

/** Returns the error an operation should fail with, or null to let it run. */
export type DiskFaultInjector = (operation: DiskOperation, file: string) => NodeJS.ErrnoException | null;

let injector: DiskFaultInjector | null = null;

/**
 * Test-only: makes store operations fail as a full or broken disk would,
 * without needing one (a small tmpfs needs root). Pass null to stop. The
 * server under test runs in the same process.
 */
export function injectDiskFaults(next: DiskFaultInjector | null): void {
  injector = next;
}

/** An errno-style error, as the file system would raise it. */
export function diskError(code: "ENOSPC" | "EDQUOT" | "EIO" | "EROFS", operation: string, file: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected, ${operation} '${file}'`), { code, syscall: operation, path: file });
}

/** Called before each write, sync and rename that commits mail; throws what an injector says. */
export function diskOperation(operation: DiskOperation, file: string): void {
  const error = injector?.(operation, file);
  if (error) throw error;
}
