// The read limits bound what the runner holds, not only what it reads: each
// is lowered through TestEnv.limits and hit by a scripted server, with the
// legitimate case at the bound still passing. Also: the transcript drops the
// middle of a flood as it passes, and a body checked by size only is never kept.

import { expect } from "chai";
import { DEFAULT_READ_LIMITS, MAX_SMTP_REPLY_LINES, MAX_UNTAGGED_RESPONSES, type ReadLimits } from "../../../runner/session/read-limits.ts";
import { Transcript } from "../../../runner/session/transcript.ts";
import { TEST_TRANSCRIPT_CAPS } from "../../../runner/model/result.ts";
import * as A from "../../support/ast.ts";
import { flood, hang, line, reply, send, startScriptedServer, tagOf, type Action, type ScriptedServer } from "../../support/scripted-server.ts";

const BUDGET_MS = 2000;

describe("exec: read limits bound what is held", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function runWith(actions: Action[], steps: Parameters<typeof A.testCase>[1], protocol: "smtp" | "pop3" | "imap", limits: Partial<ReadLimits>) {
    server = await startScriptedServer(actions);
    return A.run(A.testCase(protocol, steps), A.target(protocol, server.port), { timeoutMs: BUDGET_MS, limits });
  }

  const ehloReply = (lines: number): string => `${Array.from({ length: lines - 1 }, (_, i) => `250-KEYWORD${i}\r\n`).join("")}250 LAST\r\n`;

  it("defaults are far above real servers: 10,000 SMTP reply lines, 250,000 queued untagged responses", () => {
    expect(MAX_SMTP_REPLY_LINES).to.equal(10_000);
    expect(MAX_UNTAGGED_RESPONSES).to.be.above(100_000); // FETCH 1:* on a 100k-message mailbox
    expect(DEFAULT_READ_LIMITS.maxBodyOctets).to.be.below(DEFAULT_READ_LIMITS.maxReplyOctets);
  });

  it("SMTP: a reply of exactly maxReplyLines lines passes; one more fails at once, before the final line", async () => {
    const ok = await runWith([send("220 hi\r\n"), reply(ehloReply(50))], [A.send("EHLO x"), A.smtp("250")], "smtp", { maxReplyLines: 50 });
    expect(ok.result.status, ok.result.failure?.message).to.equal("passed");
    await server!.close();
    // The 51st line arrives, the final line never does: the failure must not wait for the budget.
    const over = await runWith([send("220 hi\r\n"), reply(ehloReply(50).replace("250 LAST", "250-LAST") + "250-MORE\r\n"), hang()], [A.send("EHLO x"), A.smtp("250")], "smtp", { maxReplyLines: 50 });
    expect(over.result.failure?.class).to.equal("protocol-violation");
    expect(over.result.failure?.message).to.match(/^reply longer than 50 lines/);
    expect(over.elapsedMs).to.be.below(BUDGET_MS);
  });

  it("SMTP: the reply's text is bounded in octets too (long lines)", async () => {
    const { result } = await runWith([send("220 hi\r\n"), reply(""), flood(1024 * 1024, `250-${"k".repeat(1000)}\r\n`)], [A.send("EHLO x"), A.smtp("250")], "smtp", { maxReplyTextOctets: 10_000 });
    expect(result.failure?.message).to.match(/^reply longer than 10000 octets/);
  });

  const body = (lines: number): string => `${Array.from({ length: lines }, (_, i) => `line ${i}\r\n`).join("")}.\r\n`;
  const bodyOctets = (lines: number): number => Array.from({ length: lines }, (_, i) => `line ${i}\r\n`.length).reduce((a, b) => a + b, 0);

  it("POP3: a body checked by size and line count is counted, not kept (passes above maxBodyLines)", async () => {
    const { result } = await runWith([send("+OK hi\r\n"), reply(`+OK\r\n${body(500)}`)], [A.send("RETR 1"), A.pop3("+OK", { multiline: true, body: { matches: [], lineCount: 500, octets: String(bodyOctets(500)) } })], "pop3", { maxBodyLines: 100, maxBodyOctets: 1000 });
    expect(result.status, result.failure?.message).to.equal("passed");
  });

  it("POP3: a body a matcher reads is kept up to maxBodyLines; beyond, a protocol violation at once", async () => {
    const ok = await runWith([send("+OK hi\r\n"), reply(`+OK\r\n${body(100)}`)], [A.send("RETR 1"), A.pop3("+OK", { multiline: true, body: { matches: ["^line 99$"] } })], "pop3", { maxBodyLines: 100 });
    expect(ok.result.status, ok.result.failure?.message).to.equal("passed");
    await server!.close();
    const over = await runWith([send("+OK hi\r\n"), reply(`+OK\r\n${body(101).replace(".\r\n", "")}`), hang()], [A.send("RETR 1"), A.pop3("+OK", { multiline: true, body: { matches: ["^line 99$"] } })], "pop3", { maxBodyLines: 100 });
    expect(over.result.failure?.class).to.equal("protocol-violation");
    expect(over.result.failure?.message).to.match(/^multiline response longer than 100 lines, the most a body matcher keeps/);
    expect(over.elapsedMs).to.be.below(BUDGET_MS);
  });

  it("POP3: captures keep the body (bounded by maxBodyOctets)", async () => {
    const { result } = await runWith([send("+OK hi\r\n"), reply(`+OK\r\n${body(100)}`)], [A.send("RETR 1"), A.pop3("+OK", { multiline: true, captures: [{ name: "n", regex: "^line (\\d+)$", span: A.span() }] })], "pop3", { maxBodyOctets: 200 });
    expect(result.failure?.message).to.match(/^multiline response longer than 200 octets, the most a body matcher keeps/);
  });

  const imapAnswer = (text: string): Action => line((l) => `${tagOf(l)} ${text}\r\n`);
  const exists = (n: number): string => "* 1 EXISTS\r\n".repeat(n);

  it("IMAP: maxUntaggedResponses untagged responses before the completion pass; one more is an untagged flood", async () => {
    const ok = await runWith([send("* OK hi\r\n"), imapAnswer("OK done"), hang()], [A.send("NOOP"), A.imap("OK")], "imap", { maxUntaggedResponses: 100 });
    expect(ok.result.status).to.equal("passed");
    await server!.close();
    const full = await runWith([send("* OK hi\r\n"), line((l) => `${exists(100)}${tagOf(l)} OK done\r\n`)], [A.send("NOOP"), A.imap("OK", { untagged: [A.must("* 1 EXISTS", 100)] })], "imap", { maxUntaggedResponses: 100 });
    expect(full.result.status, full.result.failure?.message).to.equal("passed");
    await server!.close();
    const over = await runWith([send("* OK hi\r\n"), line(() => exists(101)), hang()], [A.send("NOOP"), A.imap("OK")], "imap", { maxUntaggedResponses: 100 });
    expect(over.result.failure?.class).to.equal("protocol-violation");
    expect(over.result.failure?.message).to.match(/^untagged flood: more than 100 responses without the tagged completion of A1/);
    expect(over.elapsedMs).to.be.below(BUDGET_MS);
  });

  it("IMAP: waiting for untagged data (no command pending), a flood of unrelated responses stays linear and is bounded", async () => {
    const started = Date.now();
    const { result } = await runWith([send("* OK hi\r\n"), flood(10 * 1024 * 1024, "* 7 RECENT\r\n")], [A.imap(undefined, { untagged: [A.must("* 3 EXISTS")] })], "imap", { maxUntaggedResponses: 50_000 });
    expect(result.failure?.message).to.match(/^untagged flood: more than 50000 responses without an expect taking them/);
    // Re-checking the rules against the whole queue per response would be 50,000² matches.
    expect(Date.now() - started).to.be.below(BUDGET_MS + 1000);
  });

  it("IMAP: untagged data is kept as bytes and tokenized on demand, the same tokens every time", async () => {
    const { result } = await runWith([send("* OK hi\r\n"), line((l) => `* 2 FETCH (FLAGS (\\Seen) UID 7)\r\n${tagOf(l)} OK done\r\n`)], [A.send("FETCH 2 (FLAGS UID)"), A.imap("OK", { untagged: [A.must("* 2 FETCH (FLAGS ($_) UID 7)", 1), A.must("* $n FETCH (FLAGS (\\Seen) UID $uid)")] })], "imap", {});
    expect(result.status, result.failure?.message).to.equal("passed");
  });
});

describe("exec: the transcript drops the middle of a flood as it passes", () => {
  it("keeps the head and the tail, counts the rest, and holds neither long lines nor dropped ones", () => {
    const kept: unknown[] = [];
    const transcript = new Transcript(Date.now(), (l) => kept.push(l), []);
    global.gc?.();
    const before = process.memoryUsage().rss;
    const long = Buffer.alloc(60 * 1024, 0x61);
    const lines = 20_000;
    for (let i = 0; i < lines; i++) transcript.record("main", "S", long);
    global.gc?.();
    // 20,000 × 60 KiB = 1.2 GB went through; what is held is a head and a tail within the octet caps, lines cut at 2,000 characters.
    expect(process.memoryUsage().rss - before).to.be.below(64 * 1024 * 1024);
    const out = transcript.lines();
    const shown = `${"a".repeat(2000)}… (59440 more octets)`;
    const head = Math.floor(TEST_TRANSCRIPT_CAPS.headOctets / (shown.length + 2));
    const tail = Math.floor(TEST_TRANSCRIPT_CAPS.tailOctets / (shown.length + 2));
    expect(out).to.have.length(head + 1 + tail);
    const omitted = lines - head - tail;
    expect(out[head]!.note).to.deep.equal({ kind: "omitted", lines: omitted, octets: omitted * (long.length + 2) });
    expect(out[head]!.text).to.equal(`… ${omitted} lines omitted (${omitted * (long.length + 2)} octets) …`);
    expect(out.at(-1)!.text).to.equal(shown);
    expect(kept).to.have.length(head + 1);
  });
});
