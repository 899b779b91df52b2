// Runs one catalogue row through the real runTest against its own scripted
// server; the caller asserts on the result and closes the server.
// Standards: none (test support).

import * as A from "../support/ast.ts";
import { startScriptedServer, type ScriptedServer } from "../support/scripted-server.ts";
import { BUDGET_MS, type Scenario } from "./scenarios.ts";

export async function startScenarioServer(s: Scenario): Promise<ScriptedServer> {
  return startScriptedServer(s.script, { tls: s.serverTls ?? false, ...(s.credentials ? { credentials: await s.credentials() } : {}) });
}

export function scenarioTarget(s: Scenario, port: number) {
  return A.target(s.protocol, port, s.tls ?? "none", { insecure: s.insecure ?? false });
}

export async function runScenario(s: Scenario): Promise<{ ran: A.Ran; server: ScriptedServer }> {
  const server = await startScenarioServer(s);
  const ran = await A.run(A.testCase(s.protocol, s.steps), scenarioTarget(s, server.port), { timeoutMs: s.timeoutMs ?? BUDGET_MS });
  return { ran, server };
}
