// What one user's sweep removed, and the error a sweep step reports: shared by
// the IMAP and POP3 sweeps and the run-level sweep that calls them.
// Standards: none.

import type { LineEndpoint } from "../session/line-client.ts";

/** How to reach one user's account, and the run token to look for. */
export interface SweepAccess {
  endpoint: LineEndpoint;
  /** Upgrade with STARTTLS (IMAP) / STLS (POP3) before logging in. */
  starttls: boolean;
  login: string;
  password: string;
  token: string;
  timeoutMs: number;
  /** Aborted (a second Ctrl-C): the connection is closed at once and the sweep throws; `progress` says what it left. */
  signal?: AbortSignal;
}

export interface SweepCount {
  mailboxes: number;
  messages: number;
}

/**
 * Filled in as a user's sweep goes: what it found (once it has looked) and
 * what it removed so far, so a sweep cut off midway can say what it left.
 */
export interface SweepProgress {
  found?: SweepCount;
  removed: SweepCount;
}

export function newProgress(): SweepProgress {
  return { removed: { mailboxes: 0, messages: 0 } };
}

/** The server refused a step of the sweep; the message says which. */
export class SweepError extends Error {}

/** Closes `client` when `signal` aborts, so a pending read fails at once; returns the unhook. */
export function closeOnAbort(signal: AbortSignal | undefined, client: { close(): void }): () => void {
  if (!signal) return () => undefined;
  const close = () => client.close();
  if (signal.aborted) close();
  signal.addEventListener("abort", close, { once: true });
  return () => signal.removeEventListener("abort", close);
}
