// The `auth: APOP` step: APOP name digest, where digest is the lower-case hex
// MD5 of the greeting's timestamp followed by the shared secret — computed by
// the runner so a suite never carries an MD5. The digest shows as *** (it is
// replayable against that greeting). Needs the greeting's timestamp: tests
// declare `requires: [APOP]`, which the probe sets from the greeting.
// Standards: RFC 1939 §7 (APOP), RFC 1321 (MD5).

import { createHash } from "node:crypto";
import type { AuthStep } from "../../model/ast.ts";
import type { StepContext } from "../driver.ts";
import { StepFailure } from "../../session/step-failure.ts";
import { REDACTED } from "../../session/transcript.ts";
import { apopTimestamp } from "./greeting.ts";
import { requireStatus } from "./matchers/status.ts";
import { readStatus } from "./reader.ts";

/** digest = hex(MD5(timestamp + secret)), 32 lower-case hex digits (RFC 1939 §7). */
export function apopDigest(timestamp: string, secret: string): string {
  return createHash("md5").update(timestamp + secret, "utf8").digest("hex");
}

export async function apopPop3(ctx: StepContext, step: AuthStep): Promise<void> {
  const timestamp = apopTimestamp(ctx.conn);
  if (timestamp === null) {
    throw new StepFailure(
      "assertion",
      "the greeting has no APOP timestamp (RFC 1939 §7); declare `requires: [APOP]` to skip such servers",
      "a greeting with <...@...>",
      "no timestamp",
    );
  }
  const login = ctx.resolve(step.login ?? "${user.login}");
  const password = ctx.resolve(step.password ?? "${user.password}");
  const shown = `APOP ${login} ${REDACTED}`;
  ctx.conn.write(Buffer.from(`APOP ${login} ${apopDigest(timestamp, password)}\r\n`), [shown]);
  ctx.conn.lastCommand = shown;
  requireStatus(await readStatus(ctx.conn, ctx.deadline), step.outcome === "success" ? "+OK" : "-ERR", `APOP (${step.outcome})`);
}
