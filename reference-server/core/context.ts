// What every session of every protocol can reach: the resolved config, the
// store, the user directory, the TLS material and the log. serve.ts builds
// one per server and hands it to each listener.
// Standards: none (wiring).

import type { MailStore } from "../store/types.ts";
import type { ServerConfig } from "../config/types.ts";
import type { UserDirectory } from "../users/directory.ts";
import type { TlsMaterial } from "../tls/certificate.ts";
import type { Admission } from "./admission.ts";
import type { MemoryBudget } from "./memory-budget.ts";

export interface ServerContext {
  readonly config: ServerConfig;
  readonly store: MailStore;
  readonly users: UserDirectory;
  /** For STARTTLS/STLS and the implicit-TLS listeners. */
  readonly tls: TlsMaterial;
  /** Connection and per-user session counts against the configured limits. */
  readonly admission: Admission;
  /** Octets held for clients across all sessions, against config.memory.maxHeldOctets. */
  readonly memory: MemoryBudget;
  /** Session log sink, null unless verbose. */
  readonly log: ((line: string) => void) | null;
}
