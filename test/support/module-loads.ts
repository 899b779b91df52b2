// Runs a script in a child process (through tsx) that sees every module it
// loads: specs use it to check what a start does NOT load (issue 18,
// start-up). The script gets `loaded`, the URLs loaded so far, and writes its
// findings to stdout; its imports see `path` too.
// Standards: none (test support).

import { execFileSync } from "node:child_process";

const HOOK = `let seen; export function initialize(port) { seen = port; } export async function load(url, context, next) { seen.postMessage(url); return next(url, context); }`;

/** The script's stdout; `body` is module code run after the hook is registered, `port1.close()` ends the listing. */
export function runListingModules(body: string, cwd: string): string {
  const script = `
    import { register } from "node:module";
    import { MessageChannel } from "node:worker_threads";
    import path from "node:path";
    const { port1, port2 } = new MessageChannel();
    const loaded = [];
    port1.on("message", (url) => loaded.push(url));
    register("data:text/javascript," + encodeURIComponent(${JSON.stringify(HOOK)}), { data: port2, transferList: [port2] });
    ${body}
  `;
  return execFileSync(process.execPath, ["--import=tsx", "--input-type=module", "-e", script], { cwd, encoding: "utf8", timeout: 30_000 });
}
