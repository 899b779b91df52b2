// A hand-built run for the reporter specs: one test of each status, a failure
// pointing into fixtures/transaction.yaml, a transcript with a NUL byte and
// an ANSI escape (what a hostile server may send), fixed times for golden files.

import { fileURLToPath } from "node:url";
import type { TestCase } from "../../../runner/model/ast.ts";
import type { RunEvent } from "../../../runner/model/events.ts";
import type { TestResult } from "../../../runner/model/result.ts";

export const FIXTURE = fileURLToPath(new URL("./fixtures/transaction.yaml", import.meta.url));

export function result(over: Partial<TestResult> & Pick<TestResult, "id" | "status">): TestResult {
  return {
    title: `title of ${over.id}`,
    protocol: "smtp",
    file: FIXTURE,
    line: 4,
    refs: [],
    level: "MUST",
    tags: [],
    durationMs: 5,
    warnings: [],
    steps: [],
    transcript: [],
    ...over,
  };
}

export const FAILED = result({
  id: "smtp.transaction.basic",
  title: "A message is accepted after MAIL, RCPT and DATA",
  status: "failed",
  refs: ["RFC 5321 §3.3", "RFC 5321 §4.1.1.3"],
  // Real RFC wording, with the brackets and double quotes every report must escape.
  quote: ['The first or only argument to this command includes a forward-path (normally a mailbox and domain, always surrounded by "<" and ">" brackets) identifying one recipient.'],
  tags: ["transaction"],
  durationMs: 14,
  failure: {
    class: "assertion",
    message: "expected 250, got 501 'Syntax error'",
    phase: "steps",
    step: 7,
    position: { file: FIXTURE, line: 15, col: 9 },
    expected: "250",
    actual: "501 5.1.3 Syntax error",
    command: "RCPT TO:<bob@example.test>",
  },
  steps: [
    { phase: "steps", index: 1, title: "expect 220", status: "passed", durationMs: 2 },
    { phase: "steps", index: 2, title: "send EHLO client.example", status: "passed", durationMs: 0 },
    { phase: "steps", index: 7, title: "expect 250", status: "failed", durationMs: 1 },
  ],
  transcript: [
    { connection: "main", dir: "S", ms: 2, text: "220 mx.example.test ESMTP" },
    { connection: "main", dir: "C", ms: 3, text: "EHLO client.example" },
    { connection: "main", dir: "S", ms: 4, text: "250-mx.example.test" },
    { connection: "main", dir: "S", ms: 4, text: "250 PIPELINING" },
    { connection: "main", dir: "C", ms: 5, text: "MAIL FROM:<alice@example.test>" },
    { connection: "main", dir: "S", ms: 6, text: "250 2.1.0 Ok" },
    { connection: "main", dir: "C", ms: 12, text: "RCPT TO:<bob@example.test>" },
    { connection: "main", dir: "S", ms: 13, text: "501 5.1.3 Syntax error\u0000 \u001b[31m<&>\"" },
  ],
});

export const SKIPPED = result({ id: "smtp.starttls.upgrade", status: "skipped", skipReason: "server does not advertise STARTTLS", durationMs: 0 });
export const PASSED = result({ id: "pop3.greeting", protocol: "pop3", status: "passed", level: "SHOULD", durationMs: 3 });
export const ERRORED = result({
  id: "imap.login.plain",
  protocol: "imap",
  status: "error",
  level: "MAY",
  durationMs: 0,
  failure: {
    class: "connection",
    message: "imap server at 127.0.0.1:1 unreachable: connect ECONNREFUSED 127.0.0.1:1",
    phase: "setup",
    step: 0,
    position: { file: FIXTURE, line: 4, col: 5 },
    expected: "a imap server at 127.0.0.1:1",
    actual: "connect ECONNREFUSED 127.0.0.1:1",
  },
});

/** Results in finishing order, deliberately not sorted by id. */
export const RESULTS = [FAILED, SKIPPED, PASSED, ERRORED];

export function sampleEvents(results: readonly TestResult[] = RESULTS): RunEvent[] {
  const events: RunEvent[] = [
    {
      type: "run-begin",
      version: 1,
      startedAt: "2025-01-01T10:00:00.000Z",
      target: {
        name: "lab",
        host: "127.0.0.1",
        domain: "example.test",
        insecure: false,
        endpoints: { smtp: { port: 2025, tls: "none" }, pop3: { port: 2110, tls: "none" }, imap: { port: 1, tls: "none" } },
        users: ["alice", "bob"],
      },
      plan: results.map((r) => ({ id: r.id, title: r.title, protocol: r.protocol, file: r.file })),
    },
  ];
  for (const r of results) {
    events.push({ type: "test-begin", id: r.id });
    for (const line of r.transcript) events.push({ type: "wire", id: r.id, line });
    events.push({ type: "test-end", result: r });
  }
  const count = (s: TestResult["status"]) => results.filter((r) => r.status === s).length;
  events.push({
    type: "run-end",
    summary: { total: results.length, passed: count("passed"), failed: count("failed"), skipped: count("skipped"), errors: count("error") },
    exitCode: 1,
    durationMs: 1234,
    finishedAt: "2025-01-01T10:00:01.234Z",
  });
  return events;
}

/** A minimal TestCase for plan and orchestrator specs. */
export function testCase(id: string, over: Partial<TestCase> = {}): TestCase {
  const protocol = over.protocol ?? (id.split(".")[0] as TestCase["protocol"]);
  return {
    id,
    title: `title of ${id}`,
    refs: ["RFC 5321 §4.1.1.1"],
    level: "MUST",
    tags: [],
    requires: [],
    protocol,
    file: `/suites/${protocol}/sample.yaml`,
    span: { file: `/suites/${protocol}/sample.yaml`, line: 3, col: 5 },
    connections: [],
    setup: [],
    steps: [],
    cleanup: [],
    finally: [],
    ...over,
  };
}
