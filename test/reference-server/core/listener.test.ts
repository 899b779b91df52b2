// The listener's engine loader (issue 18, start-up): serve.ts binds its ports
// without loading any protocol engine; an engine is loaded at the first
// connection of its protocol, that connection waits for it and is greeted; a
// loader that fails closes the connection and releases its admission slot.

import { expect } from "chai";
import * as net from "node:net";
import { fileURLToPath } from "node:url";
import { defaultConfig } from "../../../reference-server/config/defaults.ts";
import { Admission } from "../../../reference-server/core/admission.ts";
import type { ServerContext } from "../../../reference-server/core/context.ts";
import { listen } from "../../../reference-server/core/listener.ts";
import { MemoryBudget } from "../../../reference-server/core/memory-budget.ts";
import { runListingModules } from "../../support/module-loads.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

describe("core/listener", function () {
  this.timeout(30_000);

  it("starts the server without any engine module and loads IMAP's at the first IMAP connection, which is greeted", function () {
    // A child that lists every module loaded (as test/cli/run-flags.test.ts does): after the start, then after one IMAP greeting.
    const out = runListingModules(`
      import net from "node:net";
      const { startServer } = await import(path.join(${JSON.stringify(ROOT)}, "reference-server/serve.ts"));
      const server = await startServer({ portBase: "ephemeral" });
      await new Promise((resolve) => setImmediate(resolve));
      const atStart = [...loaded];
      const greeting = await new Promise((resolve, reject) => {
        const socket = net.connect(server.ports.imap, server.host);
        let text = "";
        socket.on("data", (chunk) => { text += chunk; if (text.includes("\\r\\n")) { socket.destroy(); resolve(text); } });
        socket.on("error", reject);
      });
      await server.close();
      process.stdout.write(JSON.stringify({ atStart, afterImap: loaded, greeting }));
      port1.close();
    `, ROOT);
    const { atStart, afterImap, greeting } = JSON.parse(out) as { atStart: string[]; afterImap: string[]; greeting: string };
    const engines = (urls: string[]) => urls.filter((url) => /\/reference-server\/(smtp|pop3|imap)\/engine\.ts$/.test(url)).map((url) => url.replace(/^.*\/reference-server\//, ""));
    expect(atStart.some((url) => url.endsWith("/reference-server/serve.ts")), "the hook saw the modules").to.equal(true);
    expect(engines(atStart)).to.deep.equal([]);
    expect(greeting).to.match(/^\* OK /);
    expect(engines(afterImap)).to.deep.equal(["imap/engine.ts"]);
  });

  it("closes a connection whose engine failed to load, logs why, and releases its slot", async () => {
    const config = defaultConfig();
    const lines: string[] = [];
    const admission = new Admission({ maxTotal: 10, maxPerAddress: 1 });
    // What the listener reads of a context on a clear port; the engine never runs.
    const context = { config, admission, memory: new MemoryBudget(1 << 20), log: (line: string) => lines.push(line) } as unknown as ServerContext;
    let loads = 0;
    const listener = await listen({
      name: "smtp",
      engine: async () => {
        loads++;
        throw new Error("no such module");
      },
      context,
      host: "127.0.0.1",
      port: 0,
      implicitTls: false,
      maxBufferedLineOctets: 512,
    });
    try {
      for (let i = 0; i < 2; i++) {
        const socket = net.connect(listener.port, "127.0.0.1");
        const received = await new Promise<string>((resolve, reject) => {
          let text = "";
          socket.on("data", (chunk) => (text += chunk));
          socket.on("close", () => resolve(text));
          socket.on("error", reject);
        });
        expect(received).to.equal("");
        await listener.sessionEnded(socket.localPort!);
      }
    } finally {
      await listener.close();
    }
    expect(loads, "the loader runs once").to.equal(1);
    expect(lines.filter((line) => line.includes("engine failed to load: Error: no such module"))).to.have.length(2);
    expect(admission.enter("127.0.0.1"), "every slot released").to.equal(null);
  });
});
