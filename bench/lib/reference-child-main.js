// Child-process entry of the reference server for benchmarks: starts it on
// ephemeral ports over the data directory given, reports its ports and pid
// to the parent over IPC, and answers "rss" (after full GCs, and settled
// after a memory-reducing one) and "close". Plain JavaScript so that it runs
// the compiled dist/ in a bare `node`, as the installed package does
// (BENCH_REFERENCE_ROOT=<dist>); run under tsx with the checkout as root it
// runs the TypeScript sources. Run with --expose-gc; bench/lib/reference-child.ts starts it.
// Standards: none (bench tooling).

import { Session } from "node:inspector";
import { pathToFileURL } from "node:url";

const dataDir = process.env.BENCH_REFERENCE_DATA;
const root = process.env.BENCH_REFERENCE_ROOT;
if (!dataDir || !root || !process.send) throw new Error("start through bench/lib/reference-child.ts (needs BENCH_REFERENCE_DATA, BENCH_REFERENCE_ROOT and IPC)");
const extension = root.endsWith("/dist") || root.endsWith("/dist/") ? "js" : "ts";
const load = (module) => import(pathToFileURL(`${root}/reference-server/${module}.${extension}`).href);
const [{ defaultConfig }, { startServer }] = await Promise.all([load("config/defaults"), load("serve")]);

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

/**
 * A memory-reducing full GC (the inspector's collectGarbage): it also gives
 * back the young generation, which a burst of allocation grows to tens of
 * MiB whatever the number of sessions, as V8's memory reducer does to an idle heap.
 */
let inspector = null;
function settle() {
  // One session, kept: disconnecting from inside the reply's callback hangs the process.
  if (inspector === null) {
    inspector = new Session();
    inspector.connect();
  }
  return new Promise((resolve) => inspector.post("HeapProfiler.collectGarbage", () => resolve()));
}

process.on("message", async (message) => {
  if (message.type === "rss") {
    // Twice: the first pass queues weak callbacks and finalisers the second one reclaims.
    globalThis.gc?.();
    globalThis.gc?.();
    const afterGc = process.memoryUsage();
    await settle();
    const settled = process.memoryUsage();
    process.send({ type: "rss", rss: afterGc.rss, heapUsed: afterGc.heapUsed, settledRss: settled.rss, settledHeapUsed: settled.heapUsed });
  } else if (message.type === "close") {
    inspector?.disconnect();
    await server.close();
    process.send({ type: "closed" });
    // The CPU profile (--cpu-prof) is written on a normal exit.
    process.disconnect();
  }
});
