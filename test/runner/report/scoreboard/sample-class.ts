// A graded class built in memory for the scoreboard specs: targets with
// distinct scores, an unreachable one, and a name full of HTML and CSV
// metacharacters, each with a failing or passing test result.

import type { ClassGrade, Score, TargetGrade } from "../../../../runner/model/grade.ts";
import type { TestResult } from "../../../../runner/model/result.ts";

function score(percent: number | undefined, mustFailed = 0): Score {
  return { ...(percent !== undefined ? { percent } : {}), earned: percent ?? 0, possible: percent === undefined ? 0 : 100, passed: 1, failed: mustFailed, ignored: 0, mustFailed };
}

function target(name: string, percent: number | undefined, extra: Partial<TargetGrade> = {}): TargetGrade {
  const folder = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return {
    name,
    host: "127.0.0.1",
    status: "graded",
    unreachable: [],
    loginFailures: [],
    score: score(percent, percent !== undefined && percent < 100 ? 1 : 0),
    protocols: { smtp: score(percent) },
    passedMark: (percent ?? 0) >= 60,
    summary: { total: 2, passed: 1, failed: 1, skipped: 0, errors: 0 },
    exitCode: 1,
    durationMs: 12,
    reportHtml: `targets/${folder}/index.html`,
    reportJson: `targets/${folder}/report.json`,
    stats: { smtp: { connections: 2, latency: { EHLO: { count: 2, min: 0, median: 1, p95: 2, max: 2 } }, allCommands: { count: 4, min: 0, median: 1, p95: Math.round((percent ?? 0) / 10), max: 9 }, replies: { "2yz": 5, "5yz": 1 }, bytesSent: 100, bytesReceived: 300, connect: { count: 2, min: 0, median: 0, p95: 1, max: 1 } } },
    notes: [],
    ...extra,
  };
}

export function sampleClass(): ClassGrade {
  return {
    version: 1,
    profile: { name: "smtp-basics", title: "SMTP basics", passMark: 60, weights: { MUST: 3, SHOULD: 1, MAY: 0 } },
    startedAt: "2026-01-01T10:00:00.000Z",
    finishedAt: "2026-01-01T10:00:04.000Z",
    durationMs: 4000,
    tests: 2,
    targets: [
      target("carol", 72.5),
      target("alice", 100),
      target('dave <script>alert(1)</script>, "quoted"', 40),
      target("bob", 0, { status: "unreachable", unreachable: ["smtp"], exitCode: 3, passedMark: false }),
      target("erin", 85),
    ],
  };
}

export function sampleTests(failing: boolean): TestResult[] {
  const base = { protocol: "smtp" as const, file: "suites/smtp/basics.yaml", refs: ["RFC 5321 §4.1.1.1"], level: "MUST" as const, tags: [], durationMs: 3, warnings: [], steps: [] };
  return [
    { ...base, id: "smtp.greeting", title: "Greeting", line: 8, status: "passed", transcript: [] },
    failing
      ? {
          ...base,
          id: "smtp.transaction.basic",
          title: "A message is accepted",
          line: 30,
          status: "failed",
          failure: { class: "assertion", message: "expected 250, got 530", phase: "steps", step: 4, position: { file: "suites/smtp/basics.yaml", line: 40, col: 17 }, expected: "250", actual: "530 5.7.0 Must issue a STARTTLS command first", command: "MAIL FROM:<alice@example.test>" },
          transcript: [
            { connection: "main", dir: "S", ms: 0, text: "220 mail.example.test ESMTP" },
            { connection: "main", dir: "C", ms: 1, text: "MAIL FROM:<alice@example.test>" },
            { connection: "main", dir: "S", ms: 2, text: "530 5.7.0 Must issue a STARTTLS command first" },
          ],
        }
      : { ...base, id: "smtp.transaction.basic", title: "A message is accepted", line: 30, status: "passed", transcript: [] },
  ];
}
