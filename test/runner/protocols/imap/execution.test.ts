// IMAP execution against scripted servers: tagging, tagged status and
// response codes, untagged rule modes (unordered, ordered, not, may, strict,
// count), captures, structural matching (FETCH pairs, flag sets, "..."),
// literals both ways, continuations, IDLE, and two sessions sharing a queue.

import { expect } from "chai";
import * as A from "../../../support/ast.ts";
import { bytes, line, send, startScriptedServer, tagOf, wait, type Action, type ScriptedServer } from "../../../support/scripted-server.ts";

const GREETING = send("* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n");
/** Answer the next command with untagged lines and a tagged completion. */
const answer = (untagged: string[], completion = "OK done"): Action =>
  line((l) => `${untagged.map((u) => `${u}\r\n`).join("")}${tagOf(l)} ${completion}\r\n`);

describe("exec: IMAP", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function runWith(actions: Action[] | ((i: number) => Action[]), steps: Parameters<typeof A.testCase>[1], extra = {}) {
    server = await startScriptedServer(actions);
    return A.run(A.testCase("imap", steps, extra), A.target("imap", server.port));
  }

  const SELECT = [
    "* 3 EXISTS",
    "* 0 RECENT",
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
    "* OK [UIDVALIDITY 3857529045] UIDs valid",
    "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited",
  ];

  it("a status list passes on any of its statuses and fails on another, naming all", async () => {
    const steps = [A.send("STORE 1 +FLAGS (\\Seen)"), A.imap(["NO", "BAD"])];
    const no = await runWith([GREETING, answer([], "NO [READ-ONLY] mailbox is read-only")], steps);
    expect(no.result.status, JSON.stringify(no.result.failure)).to.equal("passed");
    await server?.close();
    const bad = await runWith([GREETING, answer([], "BAD not now")], steps);
    expect(bad.result.status, JSON.stringify(bad.result.failure)).to.equal("passed");
    await server?.close();
    const ok = await runWith([GREETING, answer(["* 1 FETCH (FLAGS (\\Seen))"], "OK stored")], steps);
    expect(ok.result.failure?.message).to.equal("expected NO or BAD, got OK stored");
    expect(ok.result.failure?.expected).to.equal("NO or BAD");
    expect(ok.result.steps[1]!.title).to.equal("expect NO or BAD");
  });

  it("tags commands A1, A2…, checks status and response code, captures from untagged", async () => {
    const { result } = await runWith([GREETING, answer([], "OK [CAPABILITY IMAP4rev1] logged in"), answer(SELECT, "OK [READ-WRITE] SELECT completed"), line((l) => `${tagOf(l)} ${l.endsWith("3857529045 3") ? "OK" : "BAD"} ok\r\n`)], [
      A.send("LOGIN ${user.login} ${user.password}"),
      A.imap("OK"),
      A.send("SELECT INBOX"),
      A.imap("OK", {
        code: "READ-WRITE",
        untagged: [A.must("* $exists EXISTS"), A.must("OK [UIDVALIDITY $uv]"), A.must("FLAGS (\\Seen \\Deleted \\Answered \\Draft \\Flagged)"), A.must("OK [PERMANENTFLAGS (\\* \\Seen ...)]"), A.not("* $_ EXPUNGE")],
      }),
      A.send("XCHECK ${uv} ${exists}"),
      A.imap("OK"),
    ]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(A.wire(result).filter((l) => l.startsWith("C:"))).to.deep.equal(["C: A1 LOGIN alice ***", "C: A2 SELECT INBOX", "C: A3 XCHECK 3857529045 3"]);
  });

  it("a wrong tagged status fails with expected and actual", async () => {
    const { result } = await runWith([GREETING, answer([], "NO [AUTHENTICATIONFAILED] nope")], [A.send("LOGIN a b"), A.imap("OK")]);
    expect(result.failure?.class).to.equal("assertion");
    expect(result.failure?.message).to.equal("expected OK, got NO [AUTHENTICATIONFAILED] nope");
    expect(result.failure?.actual).to.equal("A1 NO [AUTHENTICATIONFAILED] nope");
  });

  it("code-if-present: no code, or a code of another name, passes; the named code must match", async () => {
    const steps = [A.send("LOGIN a b"), A.imap("OK", { codeIfPresent: "CAPABILITY IMAP4rev1 ..." })];
    for (const completion of ["OK done", "OK [ALERT] hello", "OK [CAPABILITY IMAP4rev1 IDLE] in"]) {
      const { result } = await runWith([GREETING, answer([], completion)], steps);
      expect(result.status, `${completion}: ${JSON.stringify(result.failure)}`).to.equal("passed");
      await server?.close();
    }
    const { result } = await runWith([GREETING, answer([], "OK [CAPABILITY IMAP4rev2 IDLE] in")], steps);
    expect(result.failure?.message).to.equal("expected response code [CAPABILITY IMAP4rev1 ...] (when present), got [CAPABILITY IMAP4rev2 IDLE]");
    expect(result.steps[1]!.title).to.equal("expect OK [CAPABILITY IMAP4rev1 ...?]");
  });

  it("a response code pattern compares captures already bound", async () => {
    const { result } = await runWith([GREETING, answer(["* OK [UIDVALIDITY 7] x"]), answer([], "OK [UIDVALIDITY 8] changed")], [
      A.send("SELECT INBOX"),
      A.imap("OK", { untagged: [A.must("OK [UIDVALIDITY $uv]")] }),
      A.send("EXAMINE INBOX"),
      A.imap("OK", { code: "UIDVALIDITY $uv" }),
    ]);
    expect(result.failure?.message).to.equal("expected response code [UIDVALIDITY $uv], got [UIDVALIDITY 8]");
  });

  describe("untagged rules", () => {
    const FETCH = ["* 2 FETCH (UID 12 FLAGS (\\Seen \\Answered))", "* 1 FETCH (FLAGS () UID 11)"];
    const cases: Array<[string, Parameters<typeof A.imap>[1], boolean]> = [
      ["unordered must: any order passes", { untagged: [A.must("1 FETCH (UID 11 FLAGS ())"), A.must("2 FETCH (FLAGS (\\Answered \\Seen) UID 12)")] }, true],
      ["ordered must: written order must be kept", { ordered: true, untagged: [A.must("1 FETCH (UID 11 FLAGS ())"), A.must("2 FETCH (UID 12 FLAGS (\\Seen \\Answered))")] }, false],
      ["ordered must: wire order passes", { ordered: true, untagged: [A.must("2 FETCH (UID 12 FLAGS (\\Seen \\Answered))"), A.must("1 FETCH (UID 11 FLAGS ())")] }, true],
      ["missing FETCH item fails without ...", { untagged: [A.must("2 FETCH (UID 12)")] }, false],
      ["trailing ... allows extra items", { untagged: [A.must("2 FETCH (UID 12 ...)")] }, true],
      ["flag set needs all flags without ...", { untagged: [A.must("2 FETCH (UID 12 FLAGS (\\Seen))")] }, false],
      ["flag set with ...", { untagged: [A.must("2 FETCH (UID 12 FLAGS (\\Seen ...))")] }, true],
      ["not: a forbidden response fails", { untagged: [A.not("$_ FETCH (FLAGS () ...)")] }, false],
      ["not: absent passes", { untagged: [A.not("$_ EXPUNGE")] }, true],
      ["strict: unmatched response fails", { strict: true, untagged: [A.must("1 FETCH (...)")] }, false],
      ["strict with may: allowed", { strict: true, untagged: [A.must("1 FETCH (...)"), A.may("$_ FETCH (...)")] }, true],
      ["count: exactly two FETCH", { untagged: [A.must("$_ FETCH (...)", 2)] }, true],
      ["count: three FETCH fails", { untagged: [A.must("$_ FETCH (...)", 3)] }, false],
      ["same capture must be equal: distinct UIDs cannot both be $u", { untagged: [A.must("1 FETCH (UID $u ...)"), A.must("2 FETCH (UID $u ...)")] }, false],
      ["backtracking: $n would steal 1's response greedily", { untagged: [A.must("$n FETCH (...)"), A.must("1 FETCH (UID 11 ...)")] }, true],
      ["numbers compare numerically", { untagged: [A.must("0002 FETCH (UID 012 ...)")] }, true],
      ["atoms case-insensitively", { untagged: [A.must("2 fetch (uid 12 flags (\\SEEN \\answered))")] }, true],
    ];
    for (const [name, expectation, passes] of cases) {
      it(name, async () => {
        const { result } = await runWith([GREETING, answer(FETCH)], [A.send("FETCH 1:2 (UID FLAGS)"), A.imap("OK", expectation)]);
        expect(result.status, JSON.stringify(result.failure)).to.equal(passes ? "passed" : "failed");
        if (!passes) expect(result.failure?.class).to.equal("assertion");
      });
    }

    it("a literal matches a quoted string with the same content; strings are case-exact", async () => {
      const list = ["* LIST (\\HasNoChildren) \"/\" {6}\r\nSent A"];
      const pass = await runWith([GREETING, answer(list)], [A.send("LIST \"\" *"), A.imap("OK", { untagged: [A.must('LIST (\\HasNoChildren) "/" "Sent A"')] })]);
      expect(pass.result.status, JSON.stringify(pass.result.failure)).to.equal("passed");
      await server?.close();
      const fail = await runWith([GREETING, answer(list)], [A.send("LIST \"\" *"), A.imap("OK", { untagged: [A.must('LIST (...) "/" "sent a"')] })]);
      expect(fail.result.status).to.equal("failed");
    });

    it("CAPABILITY is a set; $$ writes a literal $ keyword", async () => {
      const { result } = await runWith([GREETING, answer(["* CAPABILITY IMAP4rev1 IDLE UIDPLUS", "* FLAGS (\\Seen $Forwarded)"])], [
        A.send("CAPABILITY"),
        A.imap("OK", { untagged: [A.must("CAPABILITY UIDPLUS IMAP4rev1 ..."), A.must("FLAGS ($$Forwarded \\Seen)")] }),
      ]);
      expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    });
  });

  it("a server literal is read by byte count, and its content captured", async () => {
    const body = "Subject: hi\r\n\r\n) not a paren {9}\r\n";
    const { result } = await runWith([GREETING, answer([`* 1 FETCH (UID 5 BODY[] {${body.length}}\r\n${body})`])], [
      A.send("FETCH 1 (UID BODY[])"),
      A.imap("OK", { untagged: [A.must(`1 FETCH (UID $uid BODY[] $body)`)] }),
    ]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
  });

  it("a synchronizing literal waits for +; the literal goes out after it", async () => {
    const { result } = await runWith([GREETING, line(() => "+ go ahead\r\n"), bytes(18), line((l) => (l === "" ? "A1 OK [APPENDUID 1 9] done\r\n" : `A1 BAD ${l}\r\n`))], [
      A.send("APPEND INBOX", { literal: { source: { kind: "text", text: "Subject: a\n\nhi\n" }, sync: true, after: "" } }),
      A.imap("OK", { code: "APPENDUID $_ $uid" }),
    ]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(server!.received[0]!.toString("latin1")).to.equal("A1 APPEND INBOX {18}\r\nSubject: a\r\n\r\nhi\r\n\r\n");
  });

  it("a refused synchronizing literal is not sent; the expect sees the NO", async () => {
    const { result } = await runWith([GREETING, line((l) => `${tagOf(l)} NO [TOOBIG] too big\r\n`)], [
      A.send("APPEND INBOX", { literal: { source: { kind: "text", text: "x\n" }, sync: true, after: "" } }),
      A.imap("NO", { code: "TOOBIG" }),
    ]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(server!.received[0]!.toString("latin1")).to.equal("A1 APPEND INBOX {3}\r\n");
  });

  it("a non-synchronizing literal {n+} goes out without waiting", async () => {
    const { result } = await runWith([GREETING, line(), bytes(3), line((l) => `A1 OK ${l === " (\\Seen)" ? "good" : "bad"}\r\n`)], [
      A.send("APPEND INBOX", { literal: { source: { kind: "text", text: "x\n" }, sync: false, after: " (\\Seen)" } }),
      A.imap("OK", { text: "^good$" }),
    ]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
  });

  it("IDLE: continuation, untagged-only wait, DONE (untagged line), completion", async () => {
    const { result } = await runWith([GREETING, line(() => "+ idling\r\n"), wait(50), send("* 4 EXISTS\r\n"), line((l) => (l === "DONE" ? "A1 OK IDLE terminated\r\n" : "A1 BAD\r\n"))], [
      A.send("IDLE"),
      A.imap("+"),
      A.imap(undefined, { untagged: [A.must("$n EXISTS")] }),
      A.send("DONE", { tag: "none" }),
      A.imap("OK"),
      A.send("XN ${n}", { tag: "none" }),
    ]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
  });

  it("AUTHENTICATE PLAIN with SASL-IR, and with a continuation", async () => {
    const ir = Buffer.from("\0alice\0alice-secret-pw").toString("base64");
    const { result } = await runWith([GREETING, line((l) => `${tagOf(l)} ${l.endsWith(ir) ? "OK" : "NO"} x\r\n`), line(() => "+ \r\n"), line((l) => `A2 ${l === ir ? "OK" : "NO"} y\r\n`)], [
      A.auth("PLAIN", "success", true),
      A.auth("PLAIN", "success", false),
    ]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(A.wire(result).filter((l) => l.startsWith("C:"))).to.deep.equal(["C: A1 AUTHENTICATE PLAIN ***", "C: A2 AUTHENTICATE PLAIN", "C: ***"]);
  });

  it("AUTHENTICATE cancel sends * and expects BAD", async () => {
    const { result } = await runWith([GREETING, line(() => "+ \r\n"), line((l) => `A1 ${l === "*" ? "BAD" : "OK"} cancelled\r\n`)], [A.auth("LOGIN", "cancel")]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
  });

  it("greeting: explicit expect checks it; PREAUTH is a success; BYE fails", async () => {
    const ok = await runWith([send("* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n")], [A.imap("PREAUTH", { code: "CAPABILITY ... IMAP4rev1" })]);
    expect(ok.result.status, JSON.stringify(ok.result.failure)).to.equal("passed");
    await server?.close();
    const bye = await runWith([send("* BYE too busy\r\n")], [A.send("NOOP")]);
    expect(bye.result.failure?.message).to.match(/greeting: expected OK or PREAUTH, got BYE/);
  });

  it("a tagged response with a tag no command carries is a protocol violation", async () => {
    const { result } = await runWith([GREETING, line(() => "Z9 OK what\r\n")], [A.send("NOOP"), A.imap("OK")]);
    expect(result.failure?.class).to.equal("protocol-violation");
    expect(result.failure?.message).to.match(/Z9/);
  });

  it("two sessions: B appends, A sees EXISTS after NOOP (untagged queued per connection)", async () => {
    const script = (i: number): Action[] =>
      i === 0
        ? [GREETING, answer(["* 1 EXISTS"]), wait(10), send("* 2 EXISTS\r\n"), answer([])]
        : [GREETING, line(() => "+ ok\r\n"), bytes(4), line((l) => `A1 OK [APPENDUID 1 2] ${l}\r\n`)];
    const { result } = await runWith(script, [
      A.on("a", A.send("SELECT INBOX")),
      A.on("a", A.imap("OK", { untagged: [A.must("$before EXISTS")] })),
      A.on("b", A.send("APPEND INBOX", { literal: { source: { kind: "text", text: "hi\n" }, sync: true, after: "" } })),
      A.on("b", A.imap("OK")),
      A.wait(100),
      A.on("a", A.send("NOOP")),
      A.on("a", A.imap("OK", { untagged: [A.must("2 EXISTS")] })),
    ], { connections: [A.connection("a", "imap"), A.connection("b", "imap", { user: 1 })] });
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(new Set(result.transcript.map((l) => l.connection))).to.deep.equal(new Set(["a", "b"]));
  });

  it("a malformed untagged response is a protocol violation with the bytes shown", async () => {
    const { result } = await runWith([GREETING, answer(['* LIST () "/" "unterminated'])], [A.send("LIST \"\" *"), A.imap("OK")]);
    expect(result.failure?.class).to.equal("protocol-violation");
    expect(result.failure?.actual).to.match(/unterminated/);
  });
});
