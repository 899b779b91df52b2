// A class graded in shards through the CLI, as a CI matrix would: five
// targets (three reference servers, one with a tiny size limit, one port
// where nothing listens) graded as shards 1/2 and 2/2 into two folders, then
// `merge-grades` joins them: the same targets in the targets file's order with
// the same scores as an unsharded grade of the class, every per-target page
// present. Shards that do not fit together are refused (exit 2), a missing
// shard exits 5 unless --allow-missing, and the page then says so.

import { after, before, describe, it } from "mocha";
import { expect } from "chai";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, type RunningServer } from "../../../reference-server/serve.ts";
import { defaultConfig } from "../../../reference-server/config/defaults.ts";
import type { ClassGrade } from "../../../runner/model/grade.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SUITE = path.join(ROOT, "test", "runner", "grade", "fixtures", "smtp-class.yaml");

describe("grade --shard and merge-grades", function () {
  this.timeout(60_000);
  const servers: RunningServer[] = [];
  let dir: string;
  const cli = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [path.join(ROOT, "bin", "mailconform.js"), ...args], { cwd: dir, timeout: 50_000, env: { ...process.env, GITHUB_ACTIONS: "", NO_COLOR: "1" } }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const board = async (folder: string): Promise<ClassGrade> => JSON.parse(await readFile(path.join(dir, folder, "scoreboard.json"), "utf8")) as ClassGrade;
  const grade = (...extra: string[]) => cli(["grade", SUITE, "--targets", "class.yaml", "--profile", "smtp-basics", "--timeout", "2000", ...extra]);

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-grade-shard-"));
    const first = await startServer({ portBase: "ephemeral", dataDir: path.join(dir, "data-0") });
    servers.push(first);
    const tls = { cert: path.join(first.dataDir, "tls", "dev-cert.pem"), key: path.join(first.dataDir, "tls", "dev-key.pem") };
    const second = await startServer({ portBase: "ephemeral", dataDir: path.join(dir, "data-1"), config: { ...defaultConfig(), tls } });
    const tiny = defaultConfig();
    const small = await startServer({ portBase: "ephemeral", dataDir: path.join(dir, "data-2"), config: { ...tiny, tls, smtp: { ...tiny.smtp, maxMessageOctets: 100 } } });
    servers.push(second, small);
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const nothing = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const lines = [
      `  - { name: ann, smtp: ${first.ports.smtp} }`,
      `  - { name: ben, smtp: ${second.ports.smtp} }`,
      `  - { name: cleo, smtp: ${small.ports.smtp} }`,
      `  - { name: dan, smtp: ${nothing} }`,
      `  - { name: eve, smtp: ${first.ports.smtp} }`,
    ];
    await writeFile(
      path.join(dir, "class.yaml"),
      ["defaults:", "  host: 127.0.0.1", "  domain: example.test", "  users:", "    - { login: alice, password: alice-pw }", "    - { login: bob, password: bob-pw }", "targets:", ...lines, ""].join("\n"),
    );
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it("two shards joined equal the unsharded class: order, scores and pages", async () => {
    const [whole, one, two] = await Promise.all([grade("--out", "whole"), grade("--shard", "1/2", "--out", "s1"), grade("--shard", "2/2", "--out", "s2")]);
    for (const r of [whole, one, two]) expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(one.stdout).to.include("shard 1/2: 3 of 5 targets");
    expect(two.stdout).to.include("shard 2/2: 2 of 5 targets");
    const s1 = await board("s1");
    expect(s1.shard).to.deep.equal({ index: 1, total: 2, classSize: 5 });
    expect(s1.targets.map((t) => t.name)).to.deep.equal(["ann", "ben", "cleo"]);
    expect(await readFile(path.join(dir, "s1", "index.html"), "utf8")).to.include("Shard 1 of 2: 3 of the class's 5 targets");

    const joined = await cli(["merge-grades", "s2", "s1", "--out", "joined"]);
    expect(joined.code, joined.stderr).to.equal(0);
    expect(joined.stdout).to.match(/Joined 2 shards: 5 targets/);
    const merged = await board("joined");
    const unsharded = await board("whole");
    expect(merged.shard).to.equal(undefined);
    expect(merged.missingShards).to.equal(undefined);
    const view = (g: ClassGrade) => g.targets.map((t) => ({ name: t.name, status: t.status, score: t.score, reportHtml: t.reportHtml }));
    expect(view(merged)).to.deep.equal(view(unsharded));
    expect(merged.targets.find((t) => t.name === "dan")!.status).to.equal("unreachable");
    expect(merged.targets.find((t) => t.name === "cleo")!.score.failed).to.be.greaterThan(0);
    for (const t of merged.targets) expect(existsSync(path.join(dir, "joined", t.reportHtml)), t.reportHtml).to.equal(true);
    const csv = await readFile(path.join(dir, "joined", "scoreboard.csv"), "utf8");
    expect(csv.trim().split("\n")).to.have.length(6);
  });

  it("refuses shards that do not fit, a shard twice, and a missing shard unless allowed", async () => {
    const twice = await cli(["merge-grades", "s1", "s1", "--out", "x"]);
    expect(twice.code).to.equal(2);
    expect(twice.stderr).to.include("shard 1/2 given twice");
    const unsharded = await cli(["merge-grades", "s1", "whole", "--out", "x"]);
    expect(unsharded.code).to.equal(2);
    expect(unsharded.stderr).to.include("whole: not a shard");
    const three = await grade("--shard", "3/3", "--out", "t3");
    expect(three.code, three.stderr).to.equal(0);
    const mismatch = await cli(["merge-grades", "s1", "t3", "--out", "x"]);
    expect(mismatch.code).to.equal(2);
    expect(mismatch.stderr).to.match(/t3: does not belong with the others: 3 shards, s1 has 2/);
    const none = await cli(["merge-grades", "nowhere", "--out", "x"]);
    expect(none.code).to.equal(2);
    expect(none.stderr).to.include("no such file");

    const missing = await cli(["merge-grades", "s1", "--out", "partial"]);
    expect(missing.code).to.equal(5);
    expect(missing.stderr).to.include("shard 2/2 missing");
    const allowed = await cli(["merge-grades", "s1", "--out", "partial", "--allow-missing"]);
    expect(allowed.code, allowed.stderr).to.equal(0);
    expect((await board("partial")).missingShards).to.deep.equal({ missing: [2], total: 2 });
    expect(await readFile(path.join(dir, "partial", "index.html"), "utf8")).to.include("Incomplete: shard 2/2 missing");
  });

  it("joins into one of the shard folders in place", async () => {
    await cp(path.join(dir, "s1"), path.join(dir, "inplace"), { recursive: true });
    const r = await cli(["merge-grades", "inplace", "s2", "--out", "inplace"]);
    expect(r.code, r.stderr).to.equal(0);
    expect((await board("inplace")).targets.map((t) => t.name)).to.deep.equal(["ann", "ben", "cleo", "dan", "eve"]);
  });
});
