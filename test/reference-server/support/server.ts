// Starts the reference server for a test: ephemeral ports on 127.0.0.1, a
// temporary data directory, the in-memory store, and no auth delay unless
// asked for. Callers close it in after()/afterEach(). sessionsEnded() awaits
// the server's side of a closed connection.
// Standards: none (test wiring).

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig } from "../../../reference-server/config/defaults.ts";
import type { ServerConfig } from "../../../reference-server/config/types.ts";
import { startServer, type RunningServer } from "../../../reference-server/serve.ts";
import type { LineClient } from "../../../runner/session/line-client.ts";
import { MemoryStore } from "./memory-store.ts";

export interface TestServer extends RunningServer {
  store: MemoryStore;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/** A shared data directory keeps the development certificate between tests (generated once). */
let sharedDataDir: string | null = null;

export async function testDataDir(): Promise<string> {
  sharedDataDir ??= await mkdtemp(join(tmpdir(), "mailconform-test-"));
  return sharedDataDir;
}

export async function removeTestDataDir(): Promise<void> {
  if (sharedDataDir) await rm(sharedDataDir, { recursive: true, force: true });
  sharedDataDir = null;
}

export async function startTestServer(adjust?: (config: ServerConfig) => void, log?: (line: string) => void): Promise<TestServer> {
  const config = defaultConfig();
  config.auth.failureDelayMs = 0;
  adjust?.(config);
  const store = new MemoryStore();
  const server = await startServer({
    config,
    dataDir: await testDataDir(),
    portBase: "ephemeral",
    store,
    ...(log ? { verbose: true, log } : {}),
  });
  return Object.assign(server, { store, stop: () => server.close() });
}

/**
 * Resolves once the server has ended the sessions of these clients (closed by
 * either side): what a test awaits before it checks what a close left behind
 * or reuses a freed slot, instead of sleeping.
 */
export async function sessionsEnded(server: RunningServer, ...clients: LineClient[]): Promise<void> {
  await Promise.all(clients.map((c) => server.sessionEnded(c.remotePort, c.localPort)));
}
