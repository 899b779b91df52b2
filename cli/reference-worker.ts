// Worker-thread entry of the bundled reference server
// (startReferenceTargetThread in cli/reference-target.ts starts it): starts
// the server over the data directory it is handed, posts its ports and users,
// and on "close" stops it and says "closed" (the starter then ends the thread).
// Standards: none (process structure).

import { parentPort, workerData } from "node:worker_threads";
import { startServer } from "../reference-server/serve.ts";
import { bundledConfig, type WorkerData, type WorkerMessage } from "./reference-target.ts";
import { saveDevCertificate, seedDevCertificate } from "./dev-certificate-cache.ts";

const port = parentPort!;
const { dataDir } = workerData as WorkerData;
const post = (message: WorkerMessage) => port.postMessage(message);

try {
  const config = await bundledConfig(dataDir);
  const seeded = await seedDevCertificate(dataDir, config.hostname);
  const server = await startServer({ portBase: "ephemeral", dataDir, config });
  if (!seeded) void saveDevCertificate(dataDir, config.hostname);
  port.once("message", () => {
    void server.close().finally(() => post({ type: "closed" }));
  });
  post({ type: "ready", server: { host: server.host, domain: server.domain, users: server.users, ports: server.ports, lmtpSocket: server.lmtpSocket } });
} catch (e) {
  const error = e instanceof Error ? e : new Error(String(e));
  post({ type: "failed", message: error.message, ...(error.stack ? { stack: error.stack } : {}) });
  port.close();
}
