// The configured users as authentication and delivery see them: lookup by
// login name or address, password checks, and the plaintext secrets that
// challenge-response schemes (APOP, CRAM-MD5) need. Below both core/ (the
// ServerContext holds it) and auth/ (SASL checks against it).
// Standards: RFC 5321 §4.5.1 (postmaster), RFC 1939 §7 (APOP), RFC 2195 (CRAM-MD5).

import type { ServerConfig, UserConfig } from "../config/types.ts";
import { plaintextOf, verifyPassword } from "./passwords.ts";

// Checked against when the login is unknown, so that "no such user" takes as
// long as "wrong password" and logins cannot be enumerated by timing.
const UNKNOWN_USER_SECRET = "plain:\u0000never-matches";

export class UserDirectory {
  private readonly byName = new Map<string, UserConfig>();
  private readonly byAddress = new Map<string, UserConfig>();
  readonly postmaster: UserConfig;

  constructor(config: Pick<ServerConfig, "users" | "postmaster">) {
    for (const user of config.users) {
      this.byName.set(user.name.toLowerCase(), user);
      for (const address of [user.address, ...user.aliases]) this.byAddress.set(address.toLowerCase(), user);
    }
    const postmaster = config.postmaster === null ? config.users[0] : this.byName.get(config.postmaster.toLowerCase());
    if (!postmaster) throw new Error("no user to receive postmaster mail");
    this.postmaster = postmaster;
  }

  get all(): readonly UserConfig[] {
    return [...this.byName.values()];
  }

  /** A login is the user name or any of the user's addresses, case-insensitive. */
  byLogin(login: string): UserConfig | undefined {
    const key = login.toLowerCase();
    return this.byName.get(key) ?? this.byAddress.get(key);
  }

  /**
   * The user an address delivers to. `postmaster` (any case, RFC 5321 §4.5.1:
   * "MUST support the reserved mailbox postmaster") maps to the postmaster user
   * in every local domain.
   */
  recipient(localPart: string, domain: string): UserConfig | undefined {
    if (localPart.toLowerCase() === "postmaster") return this.postmaster;
    return this.byAddress.get(`${localPart}@${domain}`.toLowerCase());
  }

  /** The user's name when the password is right, else null. */
  async verify(login: string, password: string): Promise<string | null> {
    const user = this.byLogin(login);
    const ok = await verifyPassword(user?.password ?? UNKNOWN_USER_SECRET, password);
    return ok && user ? user.name : null;
  }

  plaintextPassword(login: string): string | null {
    const user = this.byLogin(login);
    return user ? plaintextOf(user.password) : null;
  }

  /** Challenge-response mechanisms only work when every password is stored in plaintext. */
  get allPlaintext(): boolean {
    return this.all.every((u) => plaintextOf(u.password) !== null);
  }
}
