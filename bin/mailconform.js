#!/usr/bin/env node
// The `mailconform` command. Installed from the package it runs the compiled
// dist/ (one plain Node process, no TypeScript loader); in a checkout it runs
// dist/ while that matches the sources, else the sources through tsx.
// Standards: none (packaging).

import { existsSync, readFileSync } from "node:fs";

const ROOT = new URL("../", import.meta.url);

/** The CLI module to load: dist/cli/main.js, or cli/main.ts through tsx in a checkout whose dist/ is stale or unbuilt. */
async function entry() {
  const compiled = new URL("dist/cli/main.js", ROOT);
  if (existsSync(new URL("cli/main.ts", ROOT))) {
    const { distIsCurrent } = await import("./checkout.js");
    if (!distIsCurrent(ROOT)) {
      const { register } = await import("tsx/esm/api");
      register();
      return new URL("cli/main.ts", ROOT);
    }
  }
  if (!existsSync(compiled)) {
    process.stderr.write("mailconform: dist/ is missing from this installation; reinstall the package (or run `npm run build` in a checkout)\n");
    process.exit(1);
  }
  return compiled;
}

/**
 * Under npm (npx, npm exec, npm run), npm's `sh -c` does not pass a kill on to
 * us: killing npx left `mailconform serve` orphaned and listening. So when the
 * process that started us, or the one that started it, is gone, we end as if
 * sent SIGTERM (serve stops politely). Polled: Node has no parent-death signal.
 */
function endWithLauncher() {
  if (process.env.npm_command === undefined) return;
  const parent = process.ppid;
  const grandparent = parentOf(parent);
  const timer = setInterval(() => {
    const launcherGone = process.ppid !== parent || (grandparent !== undefined && parentOf(parent) !== grandparent);
    if (!launcherGone) return;
    clearInterval(timer);
    process.kill(process.pid, "SIGTERM");
  }, 500);
  timer.unref();
}

/** The parent of process `pid` (Linux /proc; elsewhere undefined, and only our own parent is watched). */
function parentOf(pid) {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

endWithLauncher();
const { main } = await import((await entry()).href);
process.exitCode = await main(process.argv.slice(2));
