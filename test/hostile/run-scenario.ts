// Runs one catalogue row through the real runTest against its own scripted
// server; the caller asserts on the result and closes the server (which also
// removes the row's trusted-certificate file, if any).
// Standards: none (test support).

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Target } from "../../runner/model/target.ts";
import * as A from "../support/ast.ts";
import { startScriptedServer, type ScriptedServer } from "../support/scripted-server.ts";
import { BUDGET_MS, type Scenario } from "./scenarios.ts";

export interface ScenarioServer {
  server: ScriptedServer;
  target: Target;
}

/** The row's server and the target that points at it; a `trustCertificate` row's target pins the server's certificate (tls-ca). */
export async function startScenarioServer(s: Scenario): Promise<ScenarioServer> {
  const credentials = s.credentials ? await s.credentials() : undefined;
  const server = await startScriptedServer(s.script, { tls: s.serverTls ?? false, ...(credentials ? { credentials } : {}) });
  const target = A.target(s.protocol, server.port, s.tls ?? "none", { insecure: s.insecure ?? false });
  if (!s.trustCertificate || !credentials) return { server, target };
  const dir = await mkdtemp(path.join(tmpdir(), "mailconform-ca-"));
  const caFile = path.join(dir, "pinned.pem");
  await writeFile(caFile, credentials.cert);
  const close = server.close.bind(server);
  server.close = async () => {
    await close();
    await rm(dir, { recursive: true, force: true });
  };
  return { server, target: { ...target, tlsCa: caFile } };
}

export async function runScenario(s: Scenario): Promise<{ ran: A.Ran; server: ScriptedServer }> {
  const { server, target } = await startScenarioServer(s);
  const ran = await A.run(A.testCase(s.protocol, s.steps), target, { timeoutMs: s.timeoutMs ?? BUDGET_MS });
  return { ran, server };
}
