// Grading what used to cost a target everything, over real sockets against
// the reference server: a wrong password (reported as "login failed for
// alice (IMAP)", its tests not run, SMTP still scored), an IMAP so slow it
// would eat the whole budget (SMTP and POP3 keep their share), an
// unreachable target (the CSV and the HTML give the same counts), and more
// than ten targets at once (no MaxListenersExceededWarning).

import { after, before, describe, it } from "mocha";
import { expect } from "chai";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, type RunningServer } from "../../../reference-server/serve.ts";
import { defaultConfig } from "../../../reference-server/config/defaults.ts";
import { gradeClass } from "../../../runner/grade/grade.ts";
import { EVERYTHING } from "../../../runner/profile/profile.ts";
import { writeScoreboard } from "../../../runner/report/scoreboard/write.ts";
import { loadTargets } from "../../../runner/target/load.ts";
import type { TargetGrade } from "../../../runner/model/grade.ts";
import type { TestResult } from "../../../runner/model/result.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SUITES = path.join(HERE, "fixtures", "three-protocols");
const PROFILE = { ...EVERYTHING, name: "three", title: "Three protocols", passMark: 60 };

/** A proxy that holds every server→client chunk for `delayMs` (in order): a server whose every reply is slow. */
async function slowProxy(upstreamPort: number, delayMs: number, servers: net.Server[]): Promise<number> {
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, "127.0.0.1");
    let chain = Promise.resolve();
    upstream.on("data", (chunk: Buffer) => {
      chain = chain.then(() => new Promise<void>((r) => setTimeout(() => (client.destroyed || client.write(chunk), r()), delayMs)));
    });
    client.on("data", (chunk: Buffer) => upstream.write(chunk));
    for (const s of [client, upstream]) s.on("error", () => {}).on("close", () => (client.destroy(), upstream.destroy()));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as net.AddressInfo).port;
}

describe("grade: login pre-check, a budget share per protocol, one set of numbers", function () {
  this.timeout(120_000);
  const servers: RunningServer[] = [];
  const proxies: net.Server[] = [];
  let dir: string;

  const line = (name: string, s: { smtp: number; pop3?: number; imap?: number }, extra = "") =>
    `  - { name: ${name}, smtp: ${s.smtp}${s.pop3 ? `, pop3: ${s.pop3}` : ""}${s.imap ? `, imap: ${s.imap}` : ""}${extra} }`;

  async function grade(name: string, lines: string[], budgetMs: number, concurrency: number) {
    const file = path.join(dir, `${name}.yaml`);
    await writeFile(file, ["defaults:", "  host: 127.0.0.1", "  domain: example.test", "  users: [{ login: alice, password: alice-pw }, { login: bob, password: bob-pw }]", "targets:", ...lines, ""].join("\n"));
    const out: string[] = [];
    const outDir = path.join(dir, name);
    const result = await gradeClass({
      targets: await loadTargets(file),
      profile: PROFILE,
      paths: [SUITES],
      outDir,
      cwd: dir,
      concurrency,
      timeoutMs: 3000,
      targetBudgetMs: budgetMs,
      out: { write: (t: string) => out.push(t) },
      err: { write: (t: string) => out.push(t) },
      signal: new AbortController().signal,
    });
    expect(result.grade, out.join("")).to.not.equal(undefined);
    writeScoreboard(outDir, result.grade!, (i) => result.graded[i]?.report?.tests ?? []);
    return { grade: result.grade!, outDir, tests: new Map(result.graded.map((g) => [g.grade.name, g.report?.tests ?? []])) };
  }

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-grade-budget-"));
    const first = await startServer({ portBase: "ephemeral", dataDir: path.join(dir, "data-0") });
    servers.push(first);
    const tls = { cert: path.join(first.dataDir, "tls", "dev-cert.pem"), key: path.join(first.dataDir, "tls", "dev-key.pem") };
    for (const i of [1, 2]) servers.push(await startServer({ portBase: "ephemeral", dataDir: path.join(dir, `data-${i}`), config: { ...defaultConfig(), tls } }));
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.close().catch(() => {})));
    await Promise.all(proxies.map((p) => new Promise<void>((r) => p.close(() => r()))));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe("a class of 14 at once: a wrong password, an unreachable target, fillers", () => {
    let result: Awaited<ReturnType<typeof grade>>;
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);

    before(async () => {
      const [good, wrong] = servers;
      const closed = net.createServer();
      await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
      const nowhere = (closed.address() as net.AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      const lines = [
        line("good", good!.ports as { smtp: number; pop3: number; imap: number }),
        // The server is right; the targets file has alice's password wrong (the reference server's real 1 s failure delay and penalty apply).
        line("wrong-password", wrong!.ports as { smtp: number; pop3: number; imap: number }, ", users: [{ login: alice, password: not-alices }, { login: bob, password: bob-pw }]"),
        line("nothing-listens", { smtp: nowhere, pop3: nowhere, imap: nowhere }),
        ...Array.from({ length: 11 }, (_, i) => line(`filler-${i + 1}`, { smtp: good!.ports.smtp })),
      ];
      process.on("warning", onWarning);
      try {
        result = await grade("class", lines, 60_000, 14);
      } finally {
        process.off("warning", onWarning);
      }
    });

    const target = (name: string): TargetGrade => result.grade.targets.find((t) => t.name === name)!;
    const test = (name: string, id: string): TestResult | undefined => result.tests.get(name)!.find((t) => t.id === id);

    it("reports a wrong password as its own status, naming the user and the protocol", () => {
      const t = target("wrong-password");
      expect(t.status).to.equal("login-failed");
      expect(t.loginFailures).to.deep.equal(["login failed for alice (IMAP)", "login failed for alice (POP3)"]);
      expect(t.notes).to.deep.equal([]);
    });

    it("does not run the tests that need the failed login, counts them as failed, and still scores the rest", () => {
      const t = target("wrong-password");
      for (const id of ["imap.login.noop", "imap.login.examine", "imap.login.list", "pop3.stat", "pop3.second-user"]) {
        const r = test(t.name, id)!;
        expect(r.status, id).to.equal("skipped");
        expect(r.skipKind, id).to.equal("not-run");
        expect(r.skipReason, id).to.match(/login failed for alice \((IMAP|POP3)\)/);
        expect(r.transcript, id).to.deep.equal([]);
      }
      expect(test(t.name, "imap.capability")?.status).to.equal("passed");
      expect(test(t.name, "pop3.capa")?.status).to.equal("passed");
      expect(t.protocols.smtp?.percent).to.equal(100);
      expect(t.protocols.imap?.percent).to.be.above(0).and.below(100);
      expect(t.score.percent).to.be.above(0).and.below(100);
    });

    it("grades a healthy target in full, protocol by protocol, into one report", () => {
      const t = target("good");
      expect(t.status).to.equal("graded");
      expect(t.loginFailures).to.deep.equal([]);
      expect(t.score.percent).to.equal(100);
      expect(result.tests.get("good")!.map((r) => r.id)).to.have.length(10);
      expect(t.summary).to.include({ total: 10, passed: 10 });
    });

    it("keeps an unreachable target unreachable", () => {
      const t = target("nothing-listens");
      expect(t.status).to.equal("unreachable");
      expect(t.unreachable).to.deep.equal(["imap", "pop3", "smtp"]);
      expect(t.exitCode).to.equal(3);
    });

    it("prints no warning with more than ten targets at once", () => {
      expect(warnings.map((w) => `${w.name}: ${w.message}`)).to.deep.equal([]);
      for (let i = 1; i <= 11; i++) expect(target(`filler-${i}`).protocols.smtp?.percent).to.equal(100);
    });

    it("gives the same counts in the CSV and the HTML, for every target and column", async () => {
      const csv = (await readFile(path.join(result.outDir, "scoreboard.csv"), "utf8")).trimEnd().split("\r\n");
      const head = csv[0]!.split(",");
      const html = await readFile(path.join(result.outDir, "index.html"), "utf8");
      const numeric = ["score", "must_failures", "passed", "failed", "errors", "skipped", "not_run", "smtp_score", "pop3_score", "imap_score"];
      for (const name of ["nothing-listens", "wrong-password", "good"]) {
        const cells = csv.find((l) => l.startsWith(`${name},`))!.split(",");
        const row = new RegExp(`<tr data-target="${name}">(.*?)</tr>`).exec(html)![1]!;
        for (const column of numeric) {
          const fromHtml = new RegExp(`data-column="${column}" data-value="([^"]*)"`).exec(row)?.[1];
          const fromCsv = cells[head.indexOf(column)];
          expect(fromHtml, `${name} ${column}`).to.not.equal(undefined);
          // The HTML sorts an empty score as -1.
          expect(fromHtml === "-1" ? "" : fromHtml, `${name} ${column}`).to.equal(fromCsv);
        }
      }
      const unreachable = csv.find((l) => l.startsWith("nothing-listens,"))!.split(",");
      expect(unreachable[head.indexOf("failed")]).to.equal("0");
      expect(Number(unreachable[head.indexOf("errors")])).to.be.above(0);
      expect(csv.find((l) => l.startsWith("wrong-password,"))).to.include("login failed for alice (IMAP); login failed for alice (POP3)");
    });
  });

  it("gives each protocol its own share of the budget: a slow IMAP no longer zeroes SMTP and POP3", async () => {
    const server = servers[2]!;
    // Every IMAP reply a second late: the four IMAP tests alone would take longer than the whole budget.
    const imap = await slowProxy(server.ports.imap!, 1000, proxies);
    const { grade: g, tests } = await grade("slow", [line("slow-imap", { smtp: server.ports.smtp, pop3: server.ports.pop3, imap })], 8000, 1);
    const t = g.targets[0]!;
    expect(t.protocols.smtp?.percent, JSON.stringify(t.notes)).to.equal(100);
    expect(t.protocols.pop3?.percent, JSON.stringify(t.notes)).to.equal(100);
    expect(t.protocols.imap?.percent).to.be.below(100);
    expect(t.notes.join("\n")).to.match(/^IMAP ran out of its share of the time budget/m);
    expect(t.status).to.equal("incomplete");
    expect(tests.get("slow-imap")!.filter((r) => r.protocol === "imap" && r.skipKind === "not-run").length).to.be.above(0);
  });
});
