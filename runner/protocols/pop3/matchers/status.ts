// The `status` and `code` matchers of a POP3 expect: the indicator, compared
// case-exactly, and the RFC 2449 response code, where "SYS" also accepts the
// finer "SYS/TEMP" (codes are hierarchical).
// Standards: RFC 1939 §3, RFC 2449 §8 (extended response codes), RFC 3206 (SYS, AUTH).

import { StepFailure } from "../../../session/step-failure.ts";
import type { Pop3Status } from "../reader.ts";

export function requireStatus(actual: Pop3Status, status: "+OK" | "-ERR", what?: string): void {
  if (actual.status === status) return;
  throw new StepFailure("assertion", `${what ? `${what}: ` : ""}expected ${status}, got ${actual.line}`, status, actual.line);
}

export function requireResponseCode(actual: Pop3Status, code: string): void {
  const got = actual.code?.toUpperCase();
  const want = code.toUpperCase();
  if (got !== undefined && (got === want || got.startsWith(`${want}/`))) return;
  throw new StepFailure(
    "assertion",
    got === undefined ? `expected response code [${code}], the response has none` : `expected response code [${code}], got [${actual.code}]`,
    `${actual.status} [${code}]`,
    actual.line,
  );
}
