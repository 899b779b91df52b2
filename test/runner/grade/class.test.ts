// Grading a class of 20 targets end to end, over real sockets: the reference
// server started many times (some with a configuration that makes suites
// fail: TLS required before MAIL, the main user missing, a tiny size limit),
// a proxy that crashes the session at DATA, a server that never speaks, a
// port where nothing listens, a target without SMTP, and Postfix from the
// shared interop lane when it runs. Checks the scoreboard (JSON, CSV, HTML)
// and each per-target report against the runs' own JSON reports.

import { after, before, describe, it } from "mocha";
import { expect } from "chai";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, type RunningServer } from "../../../reference-server/serve.ts";
import { defaultConfig } from "../../../reference-server/config/defaults.ts";
import type { ServerConfig } from "../../../reference-server/config/types.ts";
import { gradeClass } from "../../../runner/grade/grade.ts";
import { loadProfile } from "../../../runner/profile/load.ts";
import { writeScoreboard } from "../../../runner/report/scoreboard/write.ts";
import { loadTargets } from "../../../runner/target/load.ts";
import type { ClassGrade } from "../../../runner/model/grade.ts";
import type { TestResult } from "../../../runner/model/result.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SUITE = path.join(HERE, "fixtures", "smtp-class.yaml");
const PROFILE = path.join(HERE, "..", "..", "..", "profiles", "smtp-basics.yaml");
const LANE = "/tmp/mailconform-interop/targets/postfix-dovecot.yaml";
const WEIGHTS = { MUST: 3, SHOULD: 1, MAY: 0 } as const;

/** The expected score, computed here from a report's tests, independently of runner/profile/score.ts. */
function expectedPercent(tests: TestResult[]): number | undefined {
  let earned = 0;
  let possible = 0;
  for (const t of tests) {
    if (t.status === "skipped" && !["not-run", "aborted", "no-endpoint"].includes(t.skipKind ?? "")) continue;
    possible += WEIGHTS[t.level];
    if (t.status === "passed") earned += WEIGHTS[t.level];
  }
  return possible === 0 ? undefined : Math.round((earned / possible) * 1000) / 10;
}

async function laneTarget(): Promise<string | undefined> {
  if (!existsSync(LANE)) return undefined;
  const [lane] = await loadTargets(LANE);
  const port = lane?.endpoints.smtp?.port;
  if (!port) return undefined;
  const open = await new Promise<boolean>((resolve) => {
    const s = net.connect(port, lane.host, () => (s.destroy(), resolve(true)));
    s.on("error", () => resolve(false));
    s.setTimeout(1000, () => (s.destroy(), resolve(false)));
  });
  return open ? `  - { name: postfix-dovecot, host: ${lane.host}, smtp: ${port}, domain: ${lane.domain}, users: [{ login: alice, password: alice-pw, address: alice@${lane.domain} }] }` : undefined;
}

describe("grade: a class of 20 targets", function () {
  this.timeout(60_000);
  const servers: RunningServer[] = [];
  const helpers: net.Server[] = [];
  let dir: string;
  let grade: ClassGrade;
  let reports: Map<string, TestResult[]>;
  let outDir: string;
  let laneIncluded = false;

  const helper = async (onConnection: (socket: net.Socket) => void): Promise<number> => {
    const server = net.createServer(onConnection);
    helpers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return (server.address() as net.AddressInfo).port;
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-grade-"));
    outDir = path.join(dir, "out");
    // The first server generates the development certificate; the others reuse it (key generation is slow).
    const first = await startServer({ portBase: "ephemeral", dataDir: path.join(dir, "data-0") });
    servers.push(first);
    const tls = { cert: path.join(first.dataDir, "tls", "dev-cert.pem"), key: path.join(first.dataDir, "tls", "dev-key.pem") };
    const start = async (i: number, change: (c: ServerConfig) => void = () => {}) => {
      const config = { ...defaultConfig(), tls };
      change(config);
      const s = await startServer({ portBase: "ephemeral", dataDir: path.join(dir, `data-${i}`), config });
      servers.push(s);
      return s;
    };
    const entry = (name: string, smtp: number) => `  - { name: ${name}, smtp: ${smtp} }`;
    const lines: string[] = [entry("student-01", first.ports.smtp)];
    for (let i = 2; i <= 10; i++) lines.push(entry(`student-${String(i).padStart(2, "0")}`, (await start(i)).ports.smtp));
    for (const i of [11, 12]) lines.push(entry(`tls-required-${i}`, (await start(i, (c) => (c.smtp = { ...c.smtp, requireTls: true }))).ports.smtp));
    for (const i of [13, 14]) lines.push(entry(`no-alice-${i}`, (await start(i, (c) => (c.users = c.users.filter((u) => u.name !== "alice")))).ports.smtp));
    lines.push(entry("tiny-size-limit", (await start(15, (c) => (c.smtp = { ...c.smtp, maxMessageOctets: 100 }))).ports.smtp));
    // Forwards to a healthy server and kills the session when the client says DATA: a server that crashes on mail.
    const crashPort = await helper((client) => {
      const upstream = net.connect(first.ports.smtp, "127.0.0.1");
      client.on("data", (chunk: Buffer) => (/^DATA\r?$/im.test(chunk.toString("latin1")) ? (client.destroy(), upstream.destroy()) : upstream.write(chunk)));
      upstream.on("data", (chunk: Buffer) => client.write(chunk));
      for (const s of [client, upstream]) s.on("error", () => {}).on("close", () => (client.destroy(), upstream.destroy()));
    });
    lines.push(entry("crashes-on-data", crashPort));
    const silentSockets: net.Socket[] = [];
    lines.push(entry("never-greets", await helper((s) => (silentSockets.push(s), s.on("error", () => {})))));
    const closed = await helper(() => {});
    await new Promise<void>((r) => helpers.pop()!.close(() => r()));
    lines.push(entry("nothing-listens", closed));
    lines.push(`  - { name: no-smtp-endpoint, pop3: ${first.ports.pop3} }`);
    const lane = await laneTarget();
    laneIncluded = lane !== undefined;
    // Without the shared lane (a developer machine), a 20th reference server keeps the class at 20.
    lines.push(lane ?? entry("student-20", (await start(20)).ports.smtp));
    const targetsFile = path.join(dir, "class.yaml");
    await writeFile(
      targetsFile,
      ["defaults:", "  host: 127.0.0.1", "  domain: example.test", "  users:", "    - { login: alice, password: alice-pw }", "    - { login: bob, password: bob-pw }", "targets:", ...lines, ""].join("\n"),
    );
    const targets = await loadTargets(targetsFile);
    expect(targets).to.have.length(20);
    const out: string[] = [];
    const result = await gradeClass({
      targets,
      profile: await loadProfile(PROFILE),
      paths: [SUITE],
      outDir,
      cwd: dir,
      concurrency: 6,
      timeoutMs: 1000,
      targetBudgetMs: 30_000,
      out: { write: (t: string) => out.push(t) },
      err: { write: (t: string) => out.push(t) },
    });
    expect(result.exitCode, out.join("")).to.equal(0);
    grade = result.grade!;
    writeScoreboard(outDir, grade, (i) => result.graded[i]?.report?.tests ?? []);
    reports = new Map(result.graded.map((g) => [g.grade.name, g.report?.tests ?? []]));
    for (const s of silentSockets) s.destroy();
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.close().catch(() => {})));
    await Promise.all(helpers.map((h) => new Promise<void>((r) => h.close(() => r()))));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const target = (name: string) => {
    const t = grade.targets.find((x) => x.name === name);
    expect(t, name).to.not.equal(undefined);
    return t!;
  };
  const status = (name: string, id: string) => reports.get(name)!.find((t) => t.id === id)?.status;

  it("lists every target in file order, each score matching its own JSON report", () => {
    expect(grade.targets.map((t) => t.name).slice(0, 3)).to.deep.equal(["student-01", "student-02", "student-03"]);
    expect(grade.targets).to.have.length(20);
    expect(grade.tests).to.equal(6);
    for (const t of grade.targets) expect(t.score.percent, t.name).to.equal(expectedPercent(reports.get(t.name)!));
  });

  it("gives every correctly configured reference server full marks", () => {
    for (let i = 1; i <= 10; i++) {
      const t = target(`student-${String(i).padStart(2, "0")}`);
      expect(t.score.percent, t.name).to.equal(100);
      expect(t.passedMark).to.equal(true);
      expect(t.status).to.equal("graded");
      expect(t.score.mustFailed).to.equal(0);
    }
  });

  it("fails the tests a configuration breaks, and only those", () => {
    for (const name of ["tls-required-11", "tls-required-12"]) {
      expect(status(name, "smtp.transaction.basic")).to.equal("failed");
      expect(status(name, "smtp.greeting")).to.equal("passed");
      expect(target(name).score.mustFailed).to.be.greaterThan(0);
      expect(target(name).score.percent).to.be.below(100);
    }
    for (const name of ["no-alice-13", "no-alice-14", "tiny-size-limit"]) {
      expect(status(name, "smtp.transaction.basic"), name).to.equal("failed");
      expect(status(name, "smtp.ehlo.multiline"), name).to.equal("passed");
      expect(target(name).status).to.equal("graded");
    }
  });

  it("costs a crashing server only its own score", () => {
    const t = target("crashes-on-data");
    expect(status(t.name, "smtp.transaction.basic")).to.equal("error");
    expect(status(t.name, "smtp.greeting")).to.equal("passed");
    expect(t.score.percent).to.be.above(0).and.below(100);
  });

  it("shows a silent server and a closed port as unreachable with no points", () => {
    for (const name of ["never-greets", "nothing-listens"]) {
      const t = target(name);
      expect(t.status, name).to.equal("unreachable");
      expect(t.unreachable).to.deep.equal(["smtp"]);
      expect(t.exitCode).to.equal(3);
      expect(t.score.percent).to.equal(0);
      expect(t.passedMark).to.equal(false);
    }
  });

  it("counts a missing SMTP endpoint as failing the SMTP assignment", () => {
    const t = target("no-smtp-endpoint");
    expect(t.summary.skipped).to.equal(6);
    expect(t.score.percent).to.equal(0);
  });

  it("grades Postfix from the interop lane when the lane runs", function () {
    // Postfix joins the class only when a lane runs on the default base (.ci/run starts one; by hand: bash interop/start.sh).
    if (!laneIncluded) this.skip();
    const t = target("postfix-dovecot");
    expect(t.status).to.equal("graded");
    expect(t.score.percent).to.equal(expectedPercent(reports.get(t.name)!));
    expect(status(t.name, "smtp.transaction.basic")).to.equal("passed");
  });

  it("writes the scoreboard as JSON, CSV and HTML, and a report per target", async () => {
    const json = JSON.parse(await readFile(path.join(outDir, "scoreboard.json"), "utf8")) as ClassGrade;
    expect(json.targets.map((t) => [t.name, t.score.percent])).to.deep.equal(grade.targets.map((t) => [t.name, t.score.percent]));
    const csv = (await readFile(path.join(outDir, "scoreboard.csv"), "utf8")).trimEnd().split("\r\n");
    expect(csv).to.have.length(21);
    expect(csv[0]).to.match(/^target,host,status,score,passed_mark,smtp_score,must_failures,/);
    expect(csv.find((l) => l.startsWith("nothing-listens,"))).to.match(/,unreachable,0,no,0,/);
    const html = await readFile(path.join(outDir, "index.html"), "utf8");
    expect(html).to.not.match(/<(link|script)[^>]+(src|href)=/);
    for (const t of grade.targets) {
      expect(html).to.include(`href="${t.reportHtml}"`);
      const page = await readFile(path.join(outDir, t.reportHtml), "utf8");
      expect(page).to.include(t.name);
    }
    const student = await readFile(path.join(outDir, target("tls-required-11").reportHtml), "utf8");
    expect(student).to.include("smtp.transaction.basic").and.include("RFC 5321").and.include("Transcript");
  });

  it("carries protocol statistics per target", () => {
    const s = target("student-01").stats?.smtp;
    expect(s?.connections).to.equal(6);
    expect(s?.replies["2yz"]).to.be.greaterThan(0);
    expect(s?.latency.EHLO?.count).to.be.greaterThan(0);
    expect(target("nothing-listens").stats?.smtp).to.equal(undefined);
  });
});
