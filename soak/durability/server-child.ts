// The server the durability and load runs talk to in its own process: the
// reference server on the Maildir store in the data directory given as
// argv[2], on ephemeral ports, with no auth delay; argv[3] adds that many
// users (user0 … with password <name>-pw) and raises the connection limits
// for the load run. Prints one JSON line with its ports, then serves until killed.
// Standards: none (test wiring).

import { defaultConfig } from "../../reference-server/config/defaults.ts";
import { startServer } from "../../reference-server/serve.ts";

const config = defaultConfig();
config.auth.failureDelayMs = 0;
const extraUsers = Number(process.argv[3] ?? 0);
for (let i = 0; i < extraUsers; i++) config.users.push({ name: `user${i}`, password: `plain:user${i}-pw`, address: `user${i}@example.test`, aliases: [] });
if (extraUsers > 0) config.connections = { maxTotal: 50_000, maxPerAddress: 50_000 };
const server = await startServer({ config, dataDir: process.argv[2]!, portBase: "ephemeral" });
process.stdout.write(JSON.stringify({ ports: server.ports, pid: process.pid }) + "\n");
// The load run asks for "rss" on stdin: collect garbage (when --expose-gc is on), then answer the RSS in octets.
process.stdin.setEncoding("utf8");
process.stdin.on("data", (text: string) => {
  if (!text.includes("rss")) return;
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  process.stdout.write(JSON.stringify({ rss: m.rss, heap: m.heapUsed + m.external }) + "\n");
});
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
