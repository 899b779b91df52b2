// An LMTP endpoint on a Unix-domain socket (RFC 2033 §5: local delivery):
// a target file's `lmtp: { socket: PATH }` (relative to the file, checked when
// loaded: it exists, is a socket, and excludes a port), and a test's LMTP
// connection dialling that path (a real socket in a temporary directory).

import { expect } from "chai";
import { after, before, describe, it } from "mocha";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { runTest } from "../../../runner/exec/run-test.ts";
import { loadSuites } from "../../../runner/suite/load.ts";
import { loadTarget, TargetError } from "../../../runner/target/load.ts";

const TARGET = `host: 127.0.0.1
domain: lab.test
smtp: 11025
lmtp: { socket: lmtp.sock }
users: [{ login: alice, password: alice-pw }]
`;

const SUITE = `protocol: lmtp
title: lmtp over a socket
tests:
  - id: x.lmtp-greeting
    title: the LMTP connection dials the socket
    refs: ["RFC 2033 §4.1"]
    level: MUST
    quote: The LHLO command has identical semantics to the EHLO command of ESMTP.
    steps:
      - expect: { code: 220, text: '^socket greeter$' }
      - send: LHLO client.example
      - expect: 250
`;

describe("target: LMTP on a Unix-domain socket", () => {
  let dir: string;
  let socketPath: string;
  let server: net.Server;
  const seen: string[] = [];
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-lmtp-socket-"));
    socketPath = path.join(dir, "lmtp.sock");
    // Greets, answers LHLO with 250, and remembers what it was sent.
    server = net.createServer((socket) => {
      socket.on("error", () => {});
      socket.write("220 socket greeter\r\n");
      socket.on("data", (data) => {
        seen.push(data.toString("latin1"));
        if (/^LHLO /m.test(data.toString("latin1"))) socket.write("250 lab.test\r\n");
      });
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  async function load(text: string): Promise<unknown> {
    const file = path.join(dir, "lab.yaml");
    await writeFile(file, text);
    try {
      return await loadTarget(file);
    } catch (error) {
      return error;
    }
  }

  function messages(error: unknown): string[] {
    expect(error).to.be.instanceOf(TargetError);
    return (error as TargetError).errors.map((e) => e.message);
  }

  it("reads `socket:` relative to the target file, as the LMTP endpoint with port 0", async () => {
    const target = (await load(TARGET)) as { endpoints: Record<string, unknown> };
    expect(target.endpoints.lmtp).to.deep.equal({ port: 0, tls: "none", socket: socketPath });
    const absolute = (await load(TARGET.replace("socket: lmtp.sock", `socket: ${socketPath}, tls: starttls`))) as { endpoints: Record<string, unknown> };
    expect(absolute.endpoints.lmtp).to.deep.equal({ port: 0, tls: "starttls", socket: socketPath });
  });

  it("refuses a socket that is missing or not a socket, beside a port, with implicit TLS, on SMTP, or neither port nor socket", async () => {
    expect(messages(await load(TARGET.replace("lmtp.sock", "gone.sock")))).to.deep.equal([`'socket': no such socket: ${path.join(dir, "gone.sock")}`]);
    await writeFile(path.join(dir, "plain-file"), "");
    expect(messages(await load(TARGET.replace("lmtp.sock", "plain-file")))).to.deep.equal([`'socket': ${path.join(dir, "plain-file")} is not a socket`]);
    expect(messages(await load(TARGET.replace("socket: lmtp.sock", "socket: lmtp.sock, port: 24")))[0]).to.match(/'port' and 'socket' exclude each other/);
    expect(messages(await load(TARGET.replace("socket: lmtp.sock", "socket: lmtp.sock, tls: implicit")))[0]).to.match(/not offered on an LMTP socket/);
    expect(messages(await load(TARGET.replace("socket: lmtp.sock", "tls: none")))[0]).to.match(/'lmtp' needs 'port' or 'socket'/);
    // Only LMTP may name a socket.
    expect(messages(await load(TARGET.replace("smtp: 11025", "smtp: { port: 11025, socket: lmtp.sock }")))[0]).to.match(/socket/);
  });

  it("dials the socket path for an LMTP connection", async () => {
    const file = path.join(dir, "s.yaml");
    await writeFile(file, SUITE);
    const { suites, errors } = await loadSuites([file]);
    expect(errors).to.deep.equal([]);
    const target = {
      name: "lab",
      host: "127.0.0.1",
      domain: "lab.test",
      insecure: false,
      users: [{ login: "alice", password: "alice-pw", address: "alice@lab.test" }],
      endpoints: { lmtp: { port: 0, tls: "none" as const, socket: socketPath } },
    };
    const result = await runTest(suites[0]!.tests[0]!, { target, timeoutMs: 3000, runToken: "t0", emit: () => {} });
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(seen.join("")).to.match(/^LHLO client\.example\r\n/m);
  });
});
