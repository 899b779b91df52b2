// The `auth: APOP` step: APOP name digest, where digest is the lower-case hex
// MD5 of the greeting's timestamp followed by the shared secret — computed by
// the runner so a suite never carries an MD5. The digest shows as *** (it is
// replayable against that greeting). Needs the greeting's timestamp: tests
// declare `requires: [APOP]`, which the probe sets from the greeting.
// Standards: RFC 1939 §7 (APOP), RFC 1321 (MD5).

import { createHash } from "node:crypto";
import type { AuthStep } from "../../model/ast.ts";
import type { StepContext } from "../common/driver.ts";
import { StepFailure } from "../../session/step-failure.ts";
import { REDACTED } from "../../session/transcript.ts";
import { DEFAULT_LOGIN, DEFAULT_PASSWORD } from "../../session/variables.ts";
import { apopTimestamp } from "./greeting.ts";
import { requireStatus } from "./matchers/status.ts";
import { readStatus } from "./reader.ts";

/** digest = hex(MD5(timestamp + secret)), 32 lower-case hex digits (RFC 1939 §7). */
export function apopDigest(timestamp: string, secret: string): string {
  return createHash("md5").update(timestamp + secret, "utf8").digest("hex");
}

/** `greeting`: the text of the connection's greeting, which carries the timestamp. */
export async function apopPop3(ctx: StepContext, step: AuthStep, greeting: string | undefined): Promise<void> {
  const timestamp = apopTimestamp(greeting);
  if (timestamp === null) {
    throw new StepFailure(
      "assertion",
      "the greeting has no APOP timestamp (RFC 1939 §7); declare `requires: [APOP]` to skip such servers",
      "a greeting with <...@...>",
      "no timestamp",
    );
  }
  const login = ctx.resolve(step.login ?? DEFAULT_LOGIN);
  const password = ctx.resolve(step.password ?? DEFAULT_PASSWORD);
  ctx.conn.sendCommand(`APOP ${login} ${apopDigest(timestamp, password)}`, `APOP ${login} ${REDACTED}`);
  requireStatus(await readStatus(ctx.conn, ctx.deadline), step.outcome === "success" ? "+OK" : "-ERR", `APOP (${step.outcome})`);
}
