// The POP3 `locate` step against a scripted maildrop on a real socket: LIST,
// then TOP n 0 from the highest number down until a header field (unfolded)
// matches; RETR where TOP is refused; a clear failure naming the pattern and
// how many messages were read; the bound on messages read; delivery lag
// polled by a retry around the step.

import { expect } from "chai";
import type { LocateStep, Step } from "../../../../runner/model/ast.ts";
import { compileTemplate } from "../../../../runner/suite/template.ts";
import { MAX_LOCATE_MESSAGES } from "../../../../runner/protocols/pop3/locate.ts";
import * as A from "../../../support/ast.ts";
import { line, send, startScriptedServer, type Action, type ScriptedServer } from "../../../support/scripted-server.ts";

const locate = (header: string, capture = "n"): LocateStep => ({ kind: "locate", header: compileTemplate(header), capture, on: "main", span: A.span() });
const retry = (steps: Step[], withinMs: number, everyMs: number): Step => ({ kind: "retry", withinMs, everyMs, steps, on: "main", span: A.span() });

/** A message as the wire carries it in a multiline answer: CRLF lines, dot-stuffed, ended by ".". */
function multiline(text: string): string {
  return `${text.split("\n").map((l) => (l.startsWith(".") ? `.${l}` : l)).join("\r\n")}\r\n.\r\n`;
}

/** The header of a message and its empty line: what TOP n 0 answers (RFC 1939 §7). */
const headerOf = (text: string): string => text.slice(0, text.indexOf("\n\n") + 1);

interface Maildrop {
  /** Message n is messages[n - 1]; an undefined entry is a number LIST leaves out (marked deleted). */
  messages: (string | undefined)[];
  /** false: TOP answers -ERR, as from a server without the optional command. */
  top?: boolean;
  /** Hang instead of answering TOP (a stalled server). */
  stallOnTop?: boolean;
}

/** One connection's dialogue: greeting, then LIST / TOP / RETR / NOOP / QUIT answered from the maildrop. */
function maildrop(drop: Maildrop): Action[] {
  const answer = (command: string): string => {
    const [verb, arg] = command.split(" ");
    const n = Number(arg);
    const message = Number.isInteger(n) && n >= 1 ? drop.messages[n - 1] : undefined;
    switch (verb) {
      case "LIST":
        return `+OK scan listing follows\r\n${drop.messages.map((m, i) => (m === undefined ? null : `${i + 1} ${m.length}\r\n`)).filter((l) => l !== null).join("")}.\r\n`;
      case "TOP":
        if (drop.top === false) return "-ERR unknown command\r\n";
        return message === undefined ? "-ERR no such message\r\n" : `+OK\r\n${multiline(headerOf(message))}`;
      case "RETR":
        return message === undefined ? "-ERR no such message\r\n" : `+OK ${message.length} octets\r\n${multiline(message)}`;
      default:
        return "+OK\r\n";
    }
  };
  const actions: Action[] = [send("+OK POP3 ready\r\n")];
  // A stalled TOP gets no answer; the next action waits for a line that never comes.
  for (let i = 0; i < 2 * MAX_LOCATE_MESSAGES + 10; i++) actions.push(line((command) => (drop.stallOnTop && command.startsWith("TOP") ? null : answer(command))));
  return actions;
}

const message = (subject: string, body = "body line"): string => `Return-Path: <a@lab.test>\nSubject: ${subject}\nMessage-ID: <${subject.replace(/\W/g, "")}@lab.test>\n\n${body}\n`;

describe("exec: POP3 locate", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** The steps after the greeting, against one connection to `drop`. */
  async function runWith(drop: Maildrop, steps: Step[], extra: Parameters<typeof A.testCase>[2] = {}) {
    server = await startScriptedServer(maildrop(drop));
    return A.run(A.testCase("pop3", [A.pop3("+OK"), ...steps], extra), A.target("pop3", server.port));
  }

  const commands = (result: Awaited<ReturnType<typeof runWith>>["result"]): string[] => A.wire(result).filter((l) => l.startsWith("C: ")).map((l) => l.slice(3));

  it("reads headers from the highest number down and binds the first that matches", async () => {
    const { result } = await runWith({ messages: [message("mine t1"), message("mine t2"), message("other")] }, [locate("^Subject: mine t2$"), A.send("RETR ${n}"), A.pop3("+OK", { multiline: true, body: { matches: ["^Subject: mine t2$"] } })]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(commands(result)).to.deep.equal(["LIST", "TOP 3 0", "TOP 2 0", "RETR 2"]);
    expect(result.transcript.some((l) => l.dir === "*" && /^locate: message 2 matches .* \(2 of 3 read\); n = 2$/.test(l.text))).to.equal(true);
  });

  it("inserts ${} values literally and matches a field however it is folded", async () => {
    const folded = "Return-Path: <a@lab.test>\nSubject: mailconform\n\tx.y+z\n\nbody\n";
    const { result } = await runWith({ messages: [folded, message("mailconform xayyz")] }, [locate("^Subject: mailconform\\s*${test.id}$"), A.send("NOOP ${n}"), A.pop3("+OK")], { id: "x.y+z" });
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(commands(result)).to.deep.equal(["LIST", "TOP 2 0", "TOP 1 0", "NOOP 1"]);
  });

  it("skips the numbers LIST leaves out (messages marked deleted)", async () => {
    const { result } = await runWith({ messages: [message("mine"), undefined, undefined] }, [locate("^Subject: mine$")]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(commands(result)).to.deep.equal(["LIST", "TOP 1 0"]);
  });

  it("falls back to RETR when TOP is refused, and matches only the header, not the body", async () => {
    const { result } = await runWith({ messages: [message("mine"), message("other", "Subject: mine")], top: false }, [locate("^Subject: mine$"), A.send("DELE ${n}"), A.pop3("+OK")]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(commands(result)).to.deep.equal(["LIST", "TOP 2 0", "RETR 2", "RETR 1", "DELE 1"]);
    expect(result.transcript.some((l) => l.dir === "*" && l.text.startsWith("locate: TOP refused"))).to.equal(true);
  });

  it("fails naming the pattern, how many messages it read, and what they are", async () => {
    const { result } = await runWith({ messages: [message("one"), message("two")] }, [locate("^Subject: mine$"), A.send("NOOP")]);
    expect(result.status).to.equal("failed");
    expect(result.failure?.class).to.equal("assertion");
    expect(result.failure?.message).to.equal("locate: no message's header has a field matching /^Subject: mine$/: read 2 messages with TOP n 0");
    expect(result.failure?.actual).to.equal("message 2: Subject: two\nmessage 1: Subject: one");
    expect(result.failure?.step).to.equal(2);
  });

  it("fails on an empty maildrop, saying so", async () => {
    const { result } = await runWith({ messages: [] }, [locate("^Subject: mine$")]);
    expect(result.failure?.message).to.equal("locate: no message's header has a field matching /^Subject: mine$/: the maildrop is empty (LIST lists no message)");
  });

  it(`reads at most ${MAX_LOCATE_MESSAGES} messages, then fails naming the bound`, async () => {
    const total = MAX_LOCATE_MESSAGES + 5;
    const messages = Array.from({ length: total }, (_, i) => message(`other ${i + 1}`));
    messages[0] = message("mine");
    const { result } = await runWith({ messages }, [locate("^Subject: mine$")]);
    expect(result.failure?.message).to.equal(`locate: no message's header has a field matching /^Subject: mine$/: read the ${MAX_LOCATE_MESSAGES} highest-numbered of ${total} messages, the most locate reads (${MAX_LOCATE_MESSAGES}); empty the test account`);
    const sent = commands(result);
    expect(sent).to.have.length(1 + MAX_LOCATE_MESSAGES);
    expect(sent.at(-1)).to.equal("TOP 6 0");
  });

  it("a refused LIST (no login yet) fails saying what locate needs", async () => {
    server = await startScriptedServer([send("+OK POP3 ready\r\n"), line(() => "-ERR not authenticated\r\n")]);
    const { result } = await A.run(A.testCase("pop3", [A.pop3("+OK"), locate("^Subject: x$")]), A.target("pop3", server.port));
    expect(result.failure?.message).to.match(/^locate: LIST was refused \(-ERR not authenticated\); locate needs a session past USER\/PASS/);
  });

  it("a malformed scan listing is a protocol violation", async () => {
    server = await startScriptedServer([send("+OK POP3 ready\r\n"), line(() => "+OK\r\none 120\r\n.\r\n")]);
    const { result } = await A.run(A.testCase("pop3", [A.pop3("+OK"), locate("^Subject: x$")]), A.target("pop3", server.port));
    expect(result.failure?.class).to.equal("protocol-violation");
    expect(result.failure?.actual).to.equal("one 120");
  });

  it("a server that stalls on TOP fails the step on its budget", async () => {
    const { result } = await runWith({ messages: [message("mine")], stallOnTop: true }, [locate("^Subject: mine$")], { timeoutMs: 200 });
    expect(result.status).to.equal("failed");
    expect(result.failure?.class).to.equal("timeout");
  });

  it("inside a retry it polls until the message is delivered, and binds from the passing attempt", async () => {
    // The third connection finds the message delivered.
    server = await startScriptedServer((i) => maildrop({ messages: i < 2 ? [message("other")] : [message("other"), message("mine")] }));
    const steps = [retry([A.pop3("+OK"), locate("^Subject: mine$")], 3000, 20), A.send("RETR ${n}"), A.pop3("+OK", { multiline: true, body: { matches: ["^Subject: mine$"] } })];
    const { result } = await A.run(A.testCase("pop3", steps), A.target("pop3", server.port));
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(server!.connections()).to.equal(3);
    expect(A.wire(result).filter((l) => l.startsWith("C: RETR"))).to.deep.equal(["C: RETR 2"]);
  });
});
