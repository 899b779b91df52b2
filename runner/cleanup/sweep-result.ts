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
}

export interface SweepCount {
  mailboxes: number;
  messages: number;
}

/** The server refused a step of the sweep; the message says which. */
export class SweepError extends Error {}
