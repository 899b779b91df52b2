// Starts the reference server for a test: ephemeral ports on 127.0.0.1, a
// temporary data directory, the in-memory store, and no auth delay unless
// asked for. Callers close it in after()/afterEach().
// Standards: none (test wiring).

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig } from "../../../reference-server/config/defaults.ts";
import type { ServerConfig } from "../../../reference-server/config/types.ts";
import { startServer, type RunningServer } from "../../../reference-server/serve.ts";
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
