// Child-process entry of the reference server for benchmarks: starts it on
// ephemeral ports (or --port-base) over the data directory given, reports its
// ports and pid to the parent over IPC, and answers "rss" (after a full GC)
// and "close". Run with --expose-gc; bench/lib/reference-child.ts forks it.
// Standards: none (bench tooling).

import { defaultConfig } from "../../reference-server/config/defaults.ts";
import { startServer } from "../../reference-server/serve.ts";

const dataDir = process.env.BENCH_REFERENCE_DATA;
if (!dataDir || !process.send) throw new Error("start through bench/lib/reference-child.ts (needs BENCH_REFERENCE_DATA and IPC)");
// BENCH_REFERENCE_LOAD_USERS=N adds users load0..load{N-1} (password "<login>-pw"); BENCH_REFERENCE_MAX_PER_ADDRESS
// raises the per-address connection cap, since every benchmark connection comes from 127.0.0.1.
const config = defaultConfig();
const loadUsers = Number(process.env.BENCH_REFERENCE_LOAD_USERS ?? 0);
for (let i = 0; i < loadUsers; i++) {
  config.users.push({ name: `load${i}`, password: `plain:load${i}-pw`, address: `load${i}@example.test`, aliases: [] });
}
if (process.env.BENCH_REFERENCE_MAX_PER_ADDRESS) config.connections.maxPerAddress = Number(process.env.BENCH_REFERENCE_MAX_PER_ADDRESS);
const server = await startServer({ portBase: "ephemeral", dataDir, config });
process.send({ type: "ready", ports: server.ports, host: server.host, users: server.users, domain: server.domain, pid: process.pid });

const gc = (globalThis as { gc?: () => void }).gc;
process.on("message", async (message: { type: string }) => {
  if (message.type === "rss") {
    // Twice: the first pass queues weak callbacks and finalisers the second one reclaims.
    gc?.();
    gc?.();
    process.send!({ type: "rss", rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed });
  } else if (message.type === "close") {
    await server.close();
    process.send!({ type: "closed" });
    // The CPU profile (--cpu-prof) is written on a normal exit.
    process.disconnect();
  }
});
