// `mailconform stress`: flags → StressOptions → runStress → console table
// (and JSON with --json) → exit code: 0 no errors, 1 errors counted, 2 usage
// or bad target, 3 target unreachable or mailboxes not preparable.
// With no target the bundled reference server is started, as for `run`.

import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { acquireTarget, type AcquiredTarget } from "../runner/run/target-source.ts";
import { effectiveMix, MixError, parseMix, parseProtocols } from "../runner/stress/mix.ts";
import { PrepareError } from "../runner/stress/prepare.ts";
import { formatStress } from "../runner/stress/report.ts";
import { runStress, StressSetupError } from "../runner/stress/run-stress.ts";
import { loadTarget, targetFromFlags, TargetError } from "../runner/target/load.ts";
import { UsageError } from "./arguments.ts";
import { targetSourceFrom, type TargetCommandFlags } from "./target-flags.ts";

/** No --ca: the stress clients do not take a private CA (runner/stress/checks.ts). */
export interface StressFlags extends Omit<TargetCommandFlags, "ca"> {
  protocols: string;
  clients: number;
  duration?: number;
  operations?: number;
  mix?: string;
  seed: number;
  timeout: number;
  messages: number;
  messageSize: number;
  /** Long IMAP sessions of this many commands (runner/stress/sessions/imap.ts); absent: the short session. */
  imapCommands?: number;
  json?: string;
}

export const STRESS_DEFAULTS = { protocols: "smtp,pop3,imap", clients: 8, seed: 1, timeoutMs: 10_000, messages: 20, messageSize: 2048, durationS: 10 };

export async function stressCommand(flags: StressFlags): Promise<number> {
  let mix;
  try {
    mix = effectiveMix(parseProtocols(flags.protocols), flags.mix === undefined ? undefined : parseMix(flags.mix));
  } catch (e) {
    if (e instanceof MixError) throw new UsageError(e.message);
    throw e;
  }
  if (flags.duration !== undefined && flags.operations !== undefined) throw new UsageError("give --duration or --operations, not both");
  let acquired: AcquiredTarget;
  try {
    acquired = await acquireTarget(targetSourceFrom(flags), { loadTarget, targetFromFlags });
  } catch (e) {
    if (e instanceof TargetError) {
      process.stderr.write(`mailconform stress: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  try {
    const result = await runStress({
      target: acquired.target,
      mix,
      clients: flags.clients,
      ...(flags.operations !== undefined ? { operations: flags.operations } : { durationMs: (flags.duration ?? STRESS_DEFAULTS.durationS) * 1000 }),
      seed: flags.seed,
      timeoutMs: flags.timeout,
      mailboxMessages: flags.messages,
      messageOctets: flags.messageSize,
      ...(flags.imapCommands !== undefined ? { imapCommandsPerSession: flags.imapCommands } : {}),
    });
    process.stdout.write(formatStress(result) + "\n");
    if (flags.json) {
      await mkdir(path.dirname(path.resolve(flags.json)), { recursive: true });
      await writeFile(flags.json, JSON.stringify(result, null, 2) + "\n");
    }
    return result.totalErrors > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof StressSetupError) throw new UsageError(e.message);
    if (e instanceof PrepareError) {
      process.stderr.write(`mailconform stress: cannot prepare the target's mailboxes: ${e.message}\n`);
      return 3;
    }
    throw e;
  } finally {
    await acquired.release();
  }
}
