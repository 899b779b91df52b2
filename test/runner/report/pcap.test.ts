// --report-pcap proven with Debian's tshark: an SMTP, a POP3 and an IMAP test
// run against the bundled reference server on 127.0.0.1 each leave a pcapng
// that tshark decodes as the protocol (commands, replies, the plaintext after
// STARTTLS/STLS on its own stream, marked), with correct IPv4 and TCP
// checksums and the test's real time; and a hand-made transcript's escapes,
// shortened line and omitted lines come back as octets and packet comments.

import { expect } from "chai";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startReferenceTarget } from "../../../cli/reference-target.ts";
import type { TranscriptLine } from "../../../runner/model/result.ts";
import { transcriptCapture } from "../../../runner/report/pcap.ts";
import { runConformance } from "../../../runner/run/run.ts";

const TSHARK = "/usr/bin/tshark";
const SUITES = fileURLToPath(new URL("../../../suites/", import.meta.url));
const run = promisify(execFile);

/** tshark's rows of tab-separated fields (its "running as root" warning goes to stderr and is ignored). */
async function tshark(file: string, filter: string, fields: string[], ...prefs: string[]): Promise<string[][]> {
  const args = ["-r", file, "-Y", filter, "-T", "fields", ...fields.flatMap((f) => ["-e", f]), ...prefs.flatMap((p) => ["-o", p])];
  const { stdout } = await run(TSHARK, args, { timeout: 20_000 });
  return stdout.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
}

const column = (rows: string[][], i: number) => rows.map((r) => r[i]!).filter((v) => v !== "");

describe("report/pcap: --report-pcap decoded by tshark", function () {
  this.timeout(60_000);
  let dir = "";
  before(function () {
    if (!existsSync(TSHARK)) this.skip(); // tshark is not installed (.ci/run installs Debian's)
  });
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-pcap-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes one capture per test that tshark decodes as SMTP, POP3 and IMAP, the plaintext after TLS marked", async () => {
    const caps = path.join(dir, "caps");
    const before = Date.now();
    const code = await runConformance({
      paths: [path.join(SUITES, "smtp", "auth.yaml"), path.join(SUITES, "pop3"), path.join(SUITES, "imap")],
      target: { kind: "started", start: () => startReferenceTarget() },
      grep: "^(smtp\\.auth\\.plain-success|pop3\\.stls\\.upgrade-and-login|imap\\.fetch\\.partial\\.truncated)$",
      tags: [],
      jobs: 1,
      bail: false,
      list: false,
      timeoutMs: 10_000,
      reports: [{ name: "pcap", destination: caps }],
      cwd: dir,
      out: { write: () => {} },
      err: { write: () => {} },
    });
    const after = Date.now();
    expect(code).to.equal(0);
    expect((await readdir(caps)).sort()).to.deep.equal([
      "imap.fetch.partial.truncated.pcapng",
      "pop3.stls.upgrade-and-login.pcapng",
      "smtp.auth.plain-success.pcapng",
    ]);

    const smtpFile = path.join(caps, "smtp.auth.plain-success.pcapng");
    const smtp = await tshark(smtpFile, "smtp", ["tcp.srcport", "smtp.req.command", "smtp.response.code", "frame.comment"]);
    const commands = column(smtp, 1);
    expect(commands).to.include.members(["EHLO", "AUTH", "QUIT"]);
    expect(commands.some((c) => "STARTTLS".startsWith(c) && c.length >= 4), commands.join(",")).to.equal(true);
    expect(column(smtp, 2)).to.include.members(["220", "250", "235", "221"]);
    // AUTH went over TLS: its segment is on the second stream and says it is the runner's plaintext.
    const auth = smtp.find((r) => r[1] === "AUTH")!;
    expect(auth[0]).to.equal("49153");
    expect(auth[3]).to.include("after TLS: plaintext as seen by the runner");
    expect(auth[3]).to.include("redacted");

    const pop = await tshark(path.join(caps, "pop3.stls.upgrade-and-login.pcapng"), "pop", ["pop.request.command", "pop.response.indicator"]);
    expect(column(pop, 0)).to.deep.equal(["STLS", "USER", "PASS", "STAT", "QUIT"]);
    expect(column(pop, 1)).to.include("+OK");

    const imapFile = path.join(caps, "imap.fetch.partial.truncated.pcapng");
    const imap = await tshark(imapFile, "imap", ["imap.request.command", "imap.response.status"]);
    expect(column(imap, 0)).to.include.members(["LOGIN", "CREATE", "APPEND", "SELECT", "FETCH", "DELETE"]);
    expect(column(imap, 1)).to.include("OK");

    for (const file of [smtpFile, imapFile]) {
      // Checksums verified (1 = good), nothing malformed, every frame inside the run's time.
      const frames = await tshark(file, "frame", ["tcp.checksum.status", "ip.checksum.status", "frame.time_epoch"], "tcp.check_checksum:TRUE", "ip.check_checksum:TRUE");
      expect(frames.length).to.be.greaterThan(20);
      expect(new Set(frames.map((r) => `${r[0]} ${r[1]}`))).to.deep.equal(new Set(["1 1"]));
      for (const r of frames) expect(Number(r[2]) * 1000).to.be.within(before - 1, after + 1);
      expect(await tshark(file, "_ws.malformed || _ws.expert.severity >= error", ["frame.number"])).to.deep.equal([]);
    }
  });

  it("decodes escapes back to octets and says what the transcript shortened or left out", async () => {
    const line = (dir: TranscriptLine["dir"], text: string, extra: Partial<TranscriptLine> = {}): TranscriptLine => ({ connection: "main", dir, ms: 5, text, ...extra });
    const transcript: TranscriptLine[] = [
      line("*", "connecting to 127.0.0.1:2525 (smtp, tls none)", { note: { kind: "connect", host: "127.0.0.1", port: 2525, protocol: "smtp", tls: "none" } }),
      line("S", "220 h\\x00\\tö ready"),
      line("C", "NOOP"),
      line("*", "… 7 lines omitted (300 octets) …", { note: { kind: "omitted", lines: 7, octets: 300 } }),
      line("S", "250 ok… (1234 more octets)"),
    ];
    const file = path.join(dir, "hand.pcapng");
    await writeFile(file, transcriptCapture(transcript, Date.UTC(2026, 0, 1), "smtp"));
    const rows = await tshark(file, "tcp.len > 0", ["tcp.payload", "frame.comment", "frame.time_epoch"]);
    expect(rows.map((r) => Buffer.from(r[0]!, "hex").toString("latin1"))).to.deep.equal([
      "220 h\x00\t\xc3\xb6 ready\r\n",
      "NOOP\r\n",
      "250 ok\r\n",
    ]);
    expect(rows[2]![1]).to.include("7 lines omitted").and.include("1234 more octets not in this capture");
    expect(Number(rows[0]![2])).to.equal(Date.UTC(2026, 0, 1) / 1000 + 0.005);
    expect(column(await tshark(file, "smtp", ["smtp.response.code"]), 0)).to.deep.equal(["220", "250"]);
  });
});
