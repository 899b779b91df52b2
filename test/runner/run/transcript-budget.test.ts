// Whole-run memory (issue 13, item 8), over real sockets: a server that
// answers the capability probe and then floods every test with a 1 GiB
// reply. Each test stops at its reply limit; what the run keeps of each
// transcript is a head and a tail within TEST_TRANSCRIPT_CAPS, the middle
// counted in lines and octets; once the run's budget (lowered here, so the
// test stays light) is spent, later tests keep only the small caps, and the
// JSON report and the event stream stay bounded however many tests flood.

import { expect } from "chai";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { SuiteFile } from "../../../runner/model/ast.ts";
import { TEST_TRANSCRIPT_CAPS, type TranscriptLine } from "../../../runner/model/result.ts";
import { defaultDeps, type RunDeps } from "../../../runner/run/deps.ts";
import { runConformance } from "../../../runner/run/run.ts";
import { SPENT_CAPS } from "../../../runner/run/transcript-budget.ts";
import * as A from "../../support/ast.ts";
import { flood, hang, line, reply, send, startScriptedServer, type ScriptedServer } from "../../support/scripted-server.ts";

const GIB = 1024 ** 3;
const TESTS = 12;
/** Room for three full transcripts (and their notes); the other nine get the small caps. */
const RUN_OCTETS = 3 * (TEST_TRANSCRIPT_CAPS.headOctets + TEST_TRANSCRIPT_CAPS.tailOctets + 1024);

const keptOctets = (lines: TranscriptLine[]) => lines.reduce((n, l) => n + Buffer.byteLength(l.text) + 2, 0);

describe("run: the transcript budget bounds what a flooding server costs", function () {
  this.timeout(60_000);
  let dir = "";
  let server: ScriptedServer;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-budget-"));
    // Connection 0 is the capability probe: a correct EHLO. Every test's connection gets a 1 GiB reply to EHLO.
    server = await startScriptedServer((i) =>
      i === 0
        ? [send("220 flood.example ESMTP\r\n"), reply("250-flood.example\r\n250 PIPELINING\r\n"), reply("221 bye\r\n"), hang()]
        : [send("220 flood.example ESMTP\r\n"), line(), flood(GIB)],
    );
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps a head and a tail per test, says what it left out, and spends the run's budget once", async () => {
    const tests = Array.from({ length: TESTS }, (_, i) => A.testCase("smtp", [A.send("EHLO x"), A.smtp("250")], { id: `smtp.flood.${String(i).padStart(2, "0")}`, file: "flood.yaml" }));
    const suites: SuiteFile[] = [{ file: "flood.yaml", protocol: "smtp", title: "flood", tests }];
    const deps: RunDeps = { ...defaultDeps, loadSuites: async () => ({ suites, errors: [] }) };
    const target = A.target("smtp", server.port);
    const code = await runConformance(
      {
        paths: ["flood.yaml"],
        target: { kind: "started", start: async () => ({ target, release: async () => {} }) },
        tags: [],
        jobs: 2,
        bail: false,
        list: false,
        timeoutMs: 10_000,
        reports: [{ name: "json", destination: path.join(dir, "report.json") }, { name: "events", destination: path.join(dir, "events.jsonl") }],
        cwd: dir,
        out: { write: () => {} },
        err: { write: () => {} },
        transcriptOctets: RUN_OCTETS,
      },
      deps,
    );
    expect(code).to.equal(1);
    const report = JSON.parse(await readFile(path.join(dir, "report.json"), "utf8"));
    expect(report.tests).to.have.length(TESTS);
    let full = 0;
    for (const t of report.tests as { id: string; failure?: { message: string }; transcript: TranscriptLine[] }[]) {
      expect(t.failure?.message, t.id).to.equal("reply longer than 10000 lines");
      const omitted = t.transcript.find((l) => l.note?.kind === "omitted");
      const note = omitted?.note as { lines: number; octets: number; runBudget?: true } | undefined;
      expect(note, `${t.id}: the middle is counted`).to.not.equal(undefined);
      // The reply's 10,000 lines of 62 octets went through; all but a head and a tail are counted, not kept.
      expect(note!.octets, t.id).to.be.above(500_000);
      expect(omitted!.text).to.equal(`… ${note!.lines} lines omitted (${note!.octets} octets${note!.runBudget ? "; the run's transcript budget is spent" : ""}) …`);
      const caps = note!.runBudget ? SPENT_CAPS : TEST_TRANSCRIPT_CAPS;
      // The note's own line is the only text beyond the caps.
      expect(keptOctets(t.transcript) - keptOctets([omitted!]), t.id).to.be.at.most(caps.headOctets + caps.tailOctets);
      // The failure is still explained: the connection, the greeting and EHLO at the head, the reply's last lines at the tail.
      expect(t.transcript.slice(0, 3).map((l) => l.text)).to.deep.equal([`connecting to 127.0.0.1:${server.port} (smtp, tls none)`, "220 flood.example ESMTP", "EHLO x"]);
      // (The very last S lines may be a fragment the flood left unread when the test stopped — recorded,
      // with an "unread" note, as data that arrived but was never read; the reply's own lines come just before.)
      expect(t.transcript.filter((l) => l.dir === "S").slice(-3).map((l) => l.text), t.id).to.satisfy((tail: string[]) => tail.some((text) => /^250-x+$/.test(text)));
      if (!note!.runBudget) full++;
    }
    expect(full, "tests kept in full until the run's budget was spent").to.equal(3);
    const kept = report.tests.reduce((n: number, t: { transcript: TranscriptLine[] }) => n + keptOctets(t.transcript), 0);
    expect(kept).to.be.below(RUN_OCTETS + (TESTS - 3) * (SPENT_CAPS.headOctets + SPENT_CAPS.tailOctets) + TESTS * 200);
    // Before the caps each test kept 2,201 lines (132 KB of text, 530 KB of JSON): 6 MB for these twelve.
    expect((await stat(path.join(dir, "report.json"))).size).to.be.below(2 * 1024 * 1024);
    expect((await stat(path.join(dir, "events.jsonl"))).size).to.be.below(2 * 1024 * 1024);
  });
});
