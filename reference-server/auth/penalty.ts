// The failed-login penalty shared by every protocol's password check (SMTP
// AUTH, POP3 USER/PASS, APOP and AUTH, IMAP LOGIN and AUTHENTICATE): failures
// are counted per account and per client address, and while either has
// failures its next check waits failureDelayMs doubled per failure, up to
// penaltyMaxMs, with one check waiting at a time; further attempts meanwhile
// are refused unchecked. A per-connection delay alone lets N parallel
// connections make N guesses per delay; this bounds an account, and an
// address, to one guess per penalty, however many connections they open.
// Modelled on Dovecot's auth_penalty (doubling, 15 s cap, forgotten after an hour).
// Standards: RFC 4954 §4 and RFC 3501 §6.2.3 (a failed login is answered 535 / NO), RFC 4422 §9 (guessing).

import { setTimeout as sleep } from "node:timers/promises";
import type { ServerConfig } from "../config/types.ts";

type AuthPolicy = Pick<ServerConfig["auth"], "failureDelayMs" | "penaltyMaxMs" | "penaltyForgetMs">;

/**
 * Accounts and addresses remembered at once. An attacker inventing login
 * names must not grow the table without end; past this the oldest entries go
 * (they are the ones closest to being forgotten anyway).
 */
export const MAX_PENALISED_KEYS = 100_000;

interface Track {
  failures: number;
  lastFailureAt: number;
  /** A check is waiting or running for this key now. */
  pending: boolean;
}

export class AuthPenalty {
  private readonly tracks = new Map<string, Track>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The pause before the next check of a key with `failures` failures. */
  static delayMs(policy: AuthPolicy, failures: number): number {
    if (failures === 0 || policy.penaltyMaxMs === 0) return 0;
    return Math.min(policy.failureDelayMs * 2 ** Math.min(failures - 1, 30), policy.penaltyMaxMs);
  }

  /**
   * Runs `check` (null: wrong credentials) when the penalty allows, and
   * records its outcome; a success clears both keys. Returns the check's
   * result, or null without running it while another guess for the same
   * account or address is due (the caller answers both alike).
   */
  async run<T>(policy: AuthPolicy, login: string, address: string, check: () => Promise<T | null>): Promise<T | null> {
    if (policy.penaltyMaxMs === 0 || policy.failureDelayMs === 0) return check();
    const keys = [`account ${login.toLowerCase()}`, `address ${address}`];
    const penalised = keys.map((key) => this.current(policy, key)).filter((t): t is Track => t !== null && t.failures > 0);
    if (penalised.some((t) => t.pending)) return null;
    const due = Math.max(0, ...penalised.map((t) => t.lastFailureAt + AuthPenalty.delayMs(policy, t.failures)));
    for (const t of penalised) t.pending = true;
    let result: T | null;
    try {
      const wait = due - this.now();
      if (wait > 0) await sleep(wait);
      result = await check();
    } finally {
      for (const t of penalised) t.pending = false;
    }
    if (result === null) {
      for (const key of keys) this.fail(policy, key);
    } else {
      for (const key of keys) this.tracks.delete(key);
    }
    return result;
  }

  /** The key's track, or null when it has none or its failures are old enough to forget. */
  private current(policy: AuthPolicy, key: string): Track | null {
    const track = this.tracks.get(key);
    if (track === undefined) return null;
    if (!track.pending && this.now() - track.lastFailureAt > policy.penaltyForgetMs) {
      this.tracks.delete(key);
      return null;
    }
    return track;
  }

  private fail(policy: AuthPolicy, key: string): void {
    const track = this.current(policy, key) ?? { failures: 0, lastFailureAt: 0, pending: false };
    track.failures += 1;
    track.lastFailureAt = this.now();
    // Re-inserted so that the Map's order stays oldest-failure first.
    this.tracks.delete(key);
    this.tracks.set(key, track);
    for (const [oldest, t] of this.tracks) {
      if (this.tracks.size <= MAX_PENALISED_KEYS) break;
      if (!t.pending) this.tracks.delete(oldest);
    }
  }
}

// One table per server: the server's user directory stands for it, so no
// protocol engine has to carry the table around.
const tables = new WeakMap<object, AuthPenalty>();

function tableOf(server: object): AuthPenalty {
  let table = tables.get(server);
  if (table === undefined) {
    table = new AuthPenalty();
    tables.set(server, table);
  }
  return table;
}

/** Runs one credentials check (null: refused) of a login; every protocol's path goes through one. */
export type LoginGuard = (login: string, check: () => Promise<string | null>) => Promise<string | null>;

/** The guard for logins arriving at a server (its users and config) from one client address. */
export function loginGuard(server: { readonly users: object; readonly config: Pick<ServerConfig, "auth"> }, address: string): LoginGuard {
  const table = tableOf(server.users);
  return (login, check) => table.run(server.config.auth, login, address, check);
}
