// The connection limit under the file-descriptor limit (issue 13, item 3),
// over real sockets against a server process started with a lowered
// RLIMIT_NOFILE (soft 200, hard 400): the server raises its soft limit where
// prlimit(1) allows, derives the connection limit from what is in force, greets
// the excess with 421 / -ERR [SYS/TEMP] / BYE, and a session opened before the
// flood still delivers. With maxTotal (20,000) above the limit, the excess was
// greeted and the store then failed with EMFILE (451 local delivery failed).
// Standards: RFC 5321 §3.1 and §4.2.4 (421), RFC 3206 ([SYS/TEMP]), RFC 3501 §7.1.5 (BYE).

import { expect } from "chai";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LineClient } from "../../../runner/session/line-client.ts";
import { ImapLineClient } from "../../../runner/session/imap-line-client.ts";
import { readPop3Status, readSmtpReply, smtpCommand } from "../../../runner/session/line-replies.ts";
import { connectionLimit, readDescriptorLimit } from "../../../reference-server/core/descriptor-limit.ts";
import { MAX_CONNECTIONS_TOTAL } from "../../../reference-server/config/defaults.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
// The soak's server process: the Maildir store in argv[2]; prints its ports and pid as one JSON line.
const CHILD = fileURLToPath(new URL("../../../soak/durability/server-child.ts", import.meta.url));

function hasPrlimit(): boolean {
  try {
    execFileSync("prlimit", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

interface Started {
  child: ChildProcess;
  ports: { smtp: number; pop3: number; imap: number };
  pid: number;
}

/** The server in a shell that lowers RLIMIT_NOFILE first (exec: the limits are the server's own). */
async function startLimited(dataDir: string, soft: number, hard: number): Promise<Started> {
  const child = spawn("/bin/sh", ["-c", `ulimit -S -n ${soft} && ulimit -H -n ${hard} && exec "$0" "$@"`, process.execPath, "--import", "tsx", CHILD, dataDir], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buffered = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.includes("\n")) resolve(buffered.slice(0, buffered.indexOf("\n")));
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code} before it started`)));
  });
  const { ports, pid } = JSON.parse(line) as Omit<Started, "child">;
  return { child, ports, pid };
}

async function greeted(port: number): Promise<{ client: LineClient; code: number; text: string }> {
  const client = await LineClient.connect({ port });
  const reply = await readSmtpReply(client);
  return { client, code: reply.code, text: reply.text };
}

describe("connection limit under the descriptor limit (reference server)", function () {
  this.timeout(60_000);
  let dataDir: string;
  let server: Started | null = null;
  const clients: LineClient[] = [];

  before(async function () {
    if (!existsSync("/proc/self/limits")) this.skip();
    dataDir = await mkdtemp(join(tmpdir(), "mailconform-fd-"));
  });
  after(async () => {
    for (const c of clients) c.close();
    if (server) {
      const exited = new Promise((resolve) => server!.child.once("exit", resolve));
      server.child.kill("SIGTERM");
      await exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("raises the soft limit, greets the connections over the derived limit with 421 / -ERR / BYE, and keeps delivering", async () => {
    server = await startLimited(dataDir, 200, 400);
    const limit = readDescriptorLimit(server.pid)!;
    if (hasPrlimit()) expect(limit).to.deep.equal({ soft: 400, hard: 400 });
    const allowed = connectionLimit(limit, MAX_CONNECTIONS_TOTAL);
    expect(allowed).to.be.below(limit.soft);

    // A session opened before the flood, in the middle of a transaction.
    const early = await greeted(server.ports.smtp);
    clients.push(early.client);
    expect((await smtpCommand(early.client, "EHLO client.test")).code).to.equal(250);
    expect((await smtpCommand(early.client, "MAIL FROM:<early@remote.test>")).code).to.equal(250);
    expect((await smtpCommand(early.client, "RCPT TO:<alice@example.test>")).code).to.equal(250);
    expect((await smtpCommand(early.client, "DATA")).code).to.equal(354);

    for (let open = 1; open < allowed; ) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, allowed - open) }, () => greeted(server!.ports.smtp)));
      for (const g of batch) {
        clients.push(g.client);
        expect(g.code, g.text).to.equal(220);
      }
      open += batch.length;
    }
    for (let i = 0; i < 5; i++) {
      const over = await greeted(server.ports.smtp);
      over.client.close();
      expect(over.code, over.text).to.equal(421);
      expect(over.text).to.match(/^4\.7\.0 .*too many connections/);
    }
    const pop3 = await LineClient.connect({ port: server.ports.pop3 });
    expect(await readPop3Status(pop3)).to.match(/^-ERR \[SYS\/TEMP\] .*too many connections/);
    pop3.close();
    const imap = await ImapLineClient.connect({ port: server.ports.imap });
    expect(imap.greeting).to.match(/^\* BYE .*too many connections/);
    imap.close();

    // The store still has descriptors: the early session's message is taken.
    await early.client.send("Subject: before the flood\r\n\r\nstill delivered\r\n.\r\n");
    expect((await readSmtpReply(early.client)).code).to.equal(250);
  });
});
