// Starts the reference server for IMAP tests: ephemeral ports, a fresh
// Maildir store in a temporary directory (IMAP needs folders, which the
// in-memory store lacks), no auth delay. stop() removes the mail. loggedIn()
// opens a client session as alice.
// Standards: none (test wiring).

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig } from "../../../../reference-server/config/defaults.ts";
import type { ServerConfig } from "../../../../reference-server/config/types.ts";
import { startServer, type RunningServer } from "../../../../reference-server/serve.ts";
import { openMaildirStore } from "../../../../reference-server/store/maildir-store.ts";
import type { FolderMailStore } from "../../../../reference-server/store/types.ts";
import { ImapLineClient } from "../../../../runner/session/imap-line-client.ts";
import { testDataDir } from "../../support/server.ts";

export interface ImapTestServer extends RunningServer {
  store: FolderMailStore;
  imap: number;
  imaps: number;
  stop(): Promise<void>;
}

export async function startImapServer(adjust?: (config: ServerConfig) => void): Promise<ImapTestServer> {
  const config = defaultConfig();
  config.auth.failureDelayMs = 0;
  adjust?.(config);
  const mailRoot = await mkdtemp(join(tmpdir(), "mailconform-imap-"));
  const store = await openMaildirStore(mailRoot);
  const server = await startServer({ config, dataDir: await testDataDir(), portBase: "ephemeral", store });
  return Object.assign(server, {
    store,
    imap: server.ports.imap!,
    imaps: server.ports.imaps!,
    async stop() {
      await server.close();
      await rm(mailRoot, { recursive: true, force: true });
    },
  });
}

/** A small message; `n` makes each one different. */
export function sampleMessage(n: number, extra = ""): Buffer {
  return Buffer.from(
    `From: Sender ${n} <sender${n}@example.test>\r\nTo: alice@example.test\r\nSubject: message ${n}${extra}\r\n` +
      `Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <m${n}@example.test>\r\n\r\nbody of message ${n}\r\n`,
  );
}

/** A client on `port`, logged in as alice (or another user, password "<user>-pw"). */
export async function loggedIn(port: number, user = "alice", password = `${user}-pw`): Promise<ImapLineClient> {
  const c = await ImapLineClient.connect({ port });
  const r = await c.run(`LOGIN ${user} ${password}`);
  if (r.status !== "OK") throw new Error(`login failed: ${r.tagged}`);
  return c;
}
