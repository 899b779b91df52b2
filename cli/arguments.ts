// Parsers for option values, so a bad value is a usage error (exit 2) with
// the flag's name in the message, before anything loads or connects; and
// UsageError, for the mistakes only a whole command line shows.
// Loaded by every command's definition: it imports nothing that loads yaml
// (runner/target/flags.ts does), so `run` can start the bundled server first.

import { InvalidArgumentError } from "commander";
import { parseShard, type Shard } from "../runner/plan/shard.ts";
import { SelectionError } from "../runner/plan/select.ts";
import { MAX_PORT } from "../runner/target/port.ts";


/** A command line that parsed but makes no sense (flags that exclude each other, a missing one): main.ts prints it and exits 2. */
export class UsageError extends Error {}

export function parsePort(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(Number.isInteger(n) && n >= 1 && n <= MAX_PORT)) throw new InvalidArgumentError(`expected a TCP port, 1-${MAX_PORT}.`);
  return n;
}

export function parsePositiveInt(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of at least 1.");
  return n;
}

export function parsePercent(value: string): number {
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 100)) throw new InvalidArgumentError("expected a percentage from 0 to 100.");
  return n;
}

export function parseShardArg(value: string): Shard {
  try {
    return parseShard(value);
  } catch (e) {
    if (e instanceof SelectionError) throw new InvalidArgumentError(e.message.replace(/^--shard ("[^"]*"|\S+): /, "") + ".");
    throw e;
  }
}

/** LOGIN:PASSWORD[:ADDRESS]; the password (which may hold ':') may not be empty; runner/target/flags.ts splits it. */
export function collectUser(value: string, previous: string[]): string[] {
  const colon = value.indexOf(":");
  if (colon <= 0 || colon === value.length - 1) {
    throw new InvalidArgumentError("expected LOGIN:PASSWORD or LOGIN:PASSWORD:ADDRESS (a password with ':' followed by '@' in it: use --user-file).");
  }
  return [...previous, value];
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
