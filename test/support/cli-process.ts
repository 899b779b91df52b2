// `node bin/mailconform.js …` as a user runs it, for the CLI specs: spawned
// with NO_COLOR, collected until it exits, killed (and the spec failed) when it
// outlives its timeout.

import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = path.join(REPO, "bin", "mailconform.js");

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to the environment (over process.env and NO_COLOR). */
  env?: Record<string, string>;
  /**
   * Called once the child is spawned, with its output so far (kept up to date
   * before any listener the spec adds): interrupt specs send signals from here.
   */
  onSpawn?: (child: ChildProcess, output: { stdout: string; stderr: string }) => void;
}

export function runCli(args: string[], cwd: string, timeoutMs: number, options: CliOptions = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1", ...options.env } });
    const output = { stdout: "", stderr: "" };
    child.stdout.on("data", (d: Buffer) => (output.stdout += d));
    child.stderr.on("data", (d: Buffer) => (output.stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`mailconform ${args.join(" ")} did not exit within ${timeoutMs} ms\n${output.stdout}\n${output.stderr}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, ...output });
    });
    options.onSpawn?.(child, output);
  });
}
