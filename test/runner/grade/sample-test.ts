// One minimal SMTP TestCase for specs that need the orchestrator's own helpers.

import type { TestCase } from "../../../runner/model/ast.ts";

export function sampleTest(): TestCase {
  const span = { file: "x.yaml", line: 1, col: 1 };
  return { id: "smtp.x", title: "x", refs: ["RFC 5321"], level: "MUST", tags: [], requires: [], protocol: "smtp", file: "x.yaml", span, connections: [], setup: [], steps: [], cleanup: [], finally: [] };
}
