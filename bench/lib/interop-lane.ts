// The benchmarks' own Postfix + Dovecot lane (interop/start.sh with its own
// run directory and port base), so resetting its mail never disturbs the
// shared lane others test against. Started when not already up; stopped by
// whoever started it.
// Standards: none (bench tooling).

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { loadTarget } from "../../runner/target/load.ts";
import type { Target } from "../../runner/model/target.ts";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const LANE_DIR = process.env.BENCH_INTEROP_DIR ?? "/tmp/mc-interop-bench";
export const LANE_BASE = Number(process.env.BENCH_INTEROP_BASE ?? 26000);
const START_TIMEOUT_MS = 180_000;

export interface Lane {
  target: Target;
  /** Maildir of a user (Postfix delivers, Dovecot serves). */
  maildir(login: string): string;
  resetMail(): Promise<void>;
  /** Stops the lane if this process started it. */
  release(): Promise<void>;
}

function env() {
  return { ...process.env, MAILCONFORM_INTEROP_DIR: LANE_DIR };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

export async function acquireLane(): Promise<Lane> {
  const targetFile = path.join(LANE_DIR, "targets", "postfix-dovecot.yaml");
  const up = existsSync(targetFile) && (await portOpen(LANE_BASE + 25)) && (await portOpen(LANE_BASE + 143));
  let started = false;
  if (!up) {
    // setup.sh is idempotent: installs postfix/dovecot from Debian on a fresh machine.
    await run("bash", [path.join(ROOT, "interop/setup.sh")], { env: env(), timeout: 600_000 });
    await run("bash", [path.join(ROOT, "interop/start.sh"), "--base", String(LANE_BASE)], { env: env(), timeout: START_TIMEOUT_MS });
    started = true;
  }
  const target = await loadTarget(targetFile);
  return {
    target,
    maildir: (login) => path.join(LANE_DIR, "mail", login),
    resetMail: async () => void (await run("bash", [path.join(ROOT, "interop/reset-mail.sh")], { env: env(), timeout: 60_000 })),
    release: async () => {
      if (started) await run("bash", [path.join(ROOT, "interop/stop.sh")], { env: env(), timeout: 60_000 });
    },
  };
}
