// The retry step against scripted servers: attempts on fresh connections
// until the inner steps pass, notes in the transcript for each failed
// attempt, a bounded window with the last failure reported, captures bound
// by the passing attempt, and an abort that stops the pauses.

import { expect } from "chai";
import net from "node:net";
import type { Step } from "../../../runner/model/ast.ts";
import * as A from "../../support/ast.ts";
import { line, reply, send, startScriptedServer, type ScriptedServer } from "../../support/scripted-server.ts";

const retry = (steps: Step[], withinMs: number, everyMs: number): Step => ({ kind: "retry", withinMs, everyMs, steps, on: "main", span: A.span() });

describe("exec: retry", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** Connection i answers STAT with i+1 messages; the third connection is the one that sees the mail. */
  const growingMaildrop = (i: number) => [send("+OK pop\r\n"), reply(`+OK ${i + 1} 120\r\n`), line(() => "+OK bye\r\n")];

  it("reconnects for every attempt until the steps pass; the passing attempt's captures bind", async () => {
    server = await startScriptedServer(growingMaildrop);
    const { result } = await A.run(
      A.testCase("pop3", [
        retry([A.pop3("+OK"), A.send("STAT"), A.pop3("+OK", { text: "^3 ", captures: [A.capture("n", "^(\\d+) ")] })], 2000, 20),
        A.send("QUIT ${n}"),
        A.pop3("+OK"),
      ]),
      A.target("pop3", server.port),
    );
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(server.connections()).to.equal(3);
    expect(result.steps[0]).to.include({ status: "passed", attempts: 3 });
    const notes = result.transcript.filter((l) => l.dir === "*" && l.text.startsWith("retry:")).map((l) => l.text);
    expect(notes).to.have.length(4);
    expect(notes[0]).to.match(/^retry: attempt 1 failed at step 4 \(text does not match \/\^3 \/\); next attempt in 20 ms$/);
    expect(notes[1]).to.match(/^retry: attempt 2 of step 1, \d+ ms after the first$/);
    expect(A.wire(result).filter((l) => l.startsWith("C: QUIT"))).to.deep.equal(["C: QUIT 3"]);
  });

  it("a first attempt that passes makes no notes and no second connection", async () => {
    server = await startScriptedServer(growingMaildrop);
    const { result } = await A.run(A.testCase("pop3", [retry([A.pop3("+OK"), A.send("STAT"), A.pop3("+OK", { text: "^1 " })], 2000, 20)]), A.target("pop3", server.port));
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(result.steps[0]!.attempts).to.equal(1);
    expect(server.connections()).to.equal(1);
    expect(result.transcript.some((l) => l.text.startsWith("retry:"))).to.equal(false);
  });

  it("gives up when the window closes: the last attempt's failure, located at its inner step, with the attempts", async () => {
    server = await startScriptedServer(growingMaildrop);
    const { result, elapsedMs } = await A.run(A.testCase("pop3", [retry([A.pop3("+OK"), A.send("STAT"), A.pop3("+OK", { text: "^99 " })], 300, 50)]), A.target("pop3", server.port));
    expect(result.status).to.equal("failed");
    expect(result.failure?.step).to.equal(4);
    expect(result.failure?.message).to.match(/^text does not match \/\^99 \/ \(retry gave up after \d+ attempts in \d+ ms\)$/);
    expect(elapsedMs).to.be.below(2000);
    const attempts = result.steps[0]!.attempts!;
    expect(attempts).to.be.within(3, 7);
    expect(server.connections()).to.equal(attempts);
    expect(result.transcript.at(-1)?.text ?? "").to.match(/giving up|retry/);
  });

  it("an abort stops the pause between attempts", async () => {
    server = await startScriptedServer(growingMaildrop);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const { result, elapsedMs } = await A.run(A.testCase("pop3", [retry([A.pop3("+OK"), A.send("STAT"), A.pop3("+OK", { text: "^99 " })], 30000, 5000)]), A.target("pop3", server.port), {
      signal: controller.signal,
    });
    expect(result.status).to.equal("skipped");
    expect(result.skipKind).to.equal("aborted");
    expect(elapsedMs).to.be.below(2000);
  });

  it("closes a failed attempt's connection before the pause, so what it holds is free while the test waits", async () => {
    // A maildrop that never has the mail; the spec aborts the run once the first connection is closed.
    const controller = new AbortController();
    const sockets: net.Socket[] = [];
    const raw = net.createServer((socket) => {
      sockets.push(socket);
      socket.write("+OK pop\r\n");
      socket.on("data", () => socket.write("+OK 1 120\r\n"));
      socket.on("close", () => controller.abort());
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", resolve));
    try {
      const port = (raw.address() as net.AddressInfo).port;
      const { result, elapsedMs } = await A.run(A.testCase("pop3", [retry([A.pop3("+OK"), A.send("STAT"), A.pop3("+OK", { text: "^99 " })], 30000, 10000)]), A.target("pop3", port), {
        signal: controller.signal,
      });
      // Closed only when the next attempt began, the connection would have stayed open through the 10 s pause.
      expect(result.skipKind).to.equal("aborted");
      expect(sockets).to.have.length(1);
      expect(elapsedMs).to.be.below(5000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => raw.close(() => resolve()));
    }
  });
});
