// The IMAP capability probe's scratch mailbox: named with the run's token so the
// after-run sweep finds it (`mc-<token>-…`), SELECTed for its PERMANENTFLAGS
// (KEYWORDS) and CLOSEd before it is DELETEd, and never the user's INBOX — a
// SELECT of INBOX would take \Recent from the tests that run after the probe.
// A scripted server on 127.0.0.1 answers each command by its name.

import { expect } from "chai";
import type { ProbeFindings } from "../../../../runner/protocols/common/driver.ts";
import { INFERIORS, KEYWORDS, scratchMailboxName } from "../../../../runner/protocols/imap/probe.ts";
import { DRIVERS } from "../../../../runner/protocols/registry.ts";
import { Connection, DEFAULT_READ_LIMITS } from "../../../../runner/session/connection.ts";
import { Transcript } from "../../../../runner/session/transcript.ts";
import { Variables } from "../../../../runner/session/variables.ts";
import { Deadline } from "../../../../wire/deadline.ts";
import { line, send, startScriptedServer, tagOf, type ScriptedServer } from "../../../support/scripted-server.ts";

const SPAN = { file: "<probe test>", line: 0, col: 0 };

/** Answers every command by its name: `answers[NAME]` gives the untagged lines, a missing name a tagged NO. */
function imapServer(answers: Record<string, (clientLine: string) => string[]>, commands: number) {
  const answer = (clientLine: string): string => {
    const name = (clientLine.split(" ")[1] ?? "").toUpperCase();
    const untagged = answers[name];
    if (!untagged) return `${tagOf(clientLine)} NO not here\r\n`;
    return `${untagged(clientLine).map((u) => `${u}\r\n`).join("")}${tagOf(clientLine)} OK done\r\n`;
  };
  return startScriptedServer([send("* OK ready\r\n"), ...Array.from({ length: commands }, () => line(answer))]);
}

/** Runs the probe of a logged-in user against the server and returns what it found and the commands it sent. */
async function probe(server: ScriptedServer, runToken?: string): Promise<{ found: ProbeFindings; commands: string[] }> {
  const deadline = new Deadline(2000);
  const conn = await Connection.open({ name: "probe", host: "127.0.0.1", port: server.port, implicitTls: false, insecure: false, transcript: new Transcript(Date.now(), () => {}, []), limits: DEFAULT_READ_LIMITS, deadline });
  const vars = new Variables({}, []);
  const ctx = { conn, deadline, vars, span: SPAN, resolve: () => "", resolveRegex: () => "" };
  const found: ProbeFindings = { states: {} };
  try {
    const session = DRIVERS.imap.open(conn);
    await session.greeting(ctx);
    await session.capabilities(ctx, { upgrade: "never", user: { login: "alice", password: "pw" }, ...(runToken ? { runToken } : {}) }, found);
  } finally {
    conn.destroy();
  }
  await server.allClosed(1000);
  const commands = server.received[0]!.toString("latin1").split("\r\n").filter((l) => l !== "");
  return { found, commands: commands.map((l) => l.slice(l.indexOf(" ") + 1)) };
}

describe("imap: capability probe's scratch mailbox", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const answers = (permanentFlags: string, listAttributes: string) => ({
    CAPABILITY: () => ["* CAPABILITY IMAP4rev1 NAMESPACE"],
    LOGIN: () => [],
    NAMESPACE: () => ['* NAMESPACE (("INBOX." ".")) NIL NIL'],
    CREATE: () => [],
    LIST: (l: string) => [`* LIST (${listAttributes}) "." ${l.slice(l.indexOf('LIST "" ') + 8)}`],
    SELECT: () => ["* FLAGS (\\Seen \\Deleted)", "* 0 EXISTS", "* 0 RECENT", `* OK [PERMANENTFLAGS (${permanentFlags})] ok`],
    CLOSE: () => [],
    DELETE: () => [],
  });

  it("names the mailbox mc-<run token>-… in the personal namespace, reads KEYWORDS off its SELECT and never selects INBOX", async () => {
    server = await imapServer(answers("\\Seen \\Deleted \\*", "\\HasNoChildren"), 10);
    const { found, commands } = await probe(server, "tok123abc");
    const name = '"INBOX.mc-tok123abc-capability-probe"';
    expect(commands.slice(4)).to.deep.equal([`CREATE ${name}`, `LIST "" ${name}`, `SELECT ${name}`, "CLOSE", `DELETE ${name}`, "LOGOUT"]);
    expect(commands.filter((c) => /^(SELECT|EXAMINE) "?INBOX"?$/i.test(c))).to.deep.equal([]);
    expect([...found.states["after-login"]!]).to.include.members([KEYWORDS, INFERIORS]);
  });

  it("no \\* in the scratch mailbox's PERMANENTFLAGS and \\Noinferiors: neither KEYWORDS nor INFERIORS", async () => {
    server = await imapServer(answers("\\Seen \\Deleted", "\\Noinferiors"), 10);
    const { found } = await probe(server, "tok123abc");
    expect([...found.states["after-login"]!]).to.not.include.members([KEYWORDS]);
    expect([...found.states["after-login"]!]).to.not.include.members([INFERIORS]);
  });

  it("a refused CREATE: nothing selected, nothing deleted, no KEYWORDS", async () => {
    const refusing: Record<string, (l: string) => string[]> = answers("\\*", "");
    delete refusing.CREATE;
    server = await imapServer(refusing, 10);
    const { found, commands } = await probe(server, "tok123abc");
    expect(commands.slice(4)).to.deep.equal(['CREATE "INBOX.mc-tok123abc-capability-probe"', "LOGOUT"]);
    expect([...found.states["after-login"]!]).to.not.include.members([KEYWORDS]);
  });

  it("without a run token the name still starts mc- in the namespace (the sweep cannot know it)", () => {
    expect(scratchMailboxName("INBOX.", "tok")).to.equal("INBOX.mc-tok-capability-probe");
    expect(scratchMailboxName("", undefined)).to.match(/^mc-probe-\d+-[0-9a-z]+$/);
  });
});
