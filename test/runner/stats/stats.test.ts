// Protocol statistics from typed wire events: latency pairs each command with
// the first line of its reply (pipelined commands in order), multiline replies
// and bodies count once, DATA content and SASL responses are not commands,
// IMAP replies match by tag, literals are skipped, and connect / TLS times
// come from the engine's typed notes. The hand-written lines get their facts
// the way recorded lines do: through the protocols' line classifiers.

import { describe, it } from "mocha";
import { expect } from "chai";
import { computeStats } from "../../../runner/stats/compute.ts";
import { distribution } from "../../../runner/stats/measure.ts";
import { annotateLines, MAX_TRANSCRIPT_HEAD_LINES, Transcript, wireOctets } from "../../../runner/session/transcript.ts";
import { noteText } from "../../../runner/session/wire-notes.ts";
import { LINE_CLASSIFIERS } from "../../../runner/protocols/line-classifiers.ts";
import { END_OF_DATA } from "../../../runner/protocols/smtp/line-classifier.ts";
import type { Protocol, TlsMode } from "../../../runner/model/ast.ts";
import type { TestResult, TranscriptLine, WireNote } from "../../../runner/model/result.ts";

const connect = (protocol: Protocol, tls: TlsMode, port: number): WireNote => ({ kind: "connect", host: "h", port, protocol, tls });
const TLS: WireNote = { kind: "tls-established", version: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384" };

function test(protocol: Protocol, lines: [number, "C" | "S" | "*", string | WireNote, string?][]): TestResult {
  const transcript: TranscriptLine[] = annotateLines(
    lines.map(([ms, dir, what, connection]) =>
      typeof what === "string" ? { connection: connection ?? "main", dir, ms, text: what } : { connection: connection ?? "main", dir, ms, text: noteText(what), note: what },
    ),
    LINE_CLASSIFIERS,
  );
  return { id: "t", title: "t", protocol, file: "f", line: 1, refs: [], level: "MUST", tags: [], status: "passed", durationMs: 0, warnings: [], steps: [], transcript };
}

describe("stats", () => {
  it("distribution: min, median of the middle two, nearest-rank p95, max", () => {
    expect(distribution([5, 1, 3, 2])).to.deep.equal({ count: 4, min: 1, median: 2.5, p95: 5, max: 5 });
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(distribution(hundred).p95).to.equal(95);
    expect(distribution([]).count).to.equal(0);
  });

  it("counts escaped octets once", () => {
    expect(wireOctets("AB\\r\\x00é")).to.equal(2 + 1 + 1 + 2);
  });

  it("SMTP: greeting as connect time, multiline EHLO once, pipelined commands in order, DATA content skipped", () => {
    const s = computeStats([
      test("smtp", [
        [10, "*", connect("smtp", "none", 25)],
        [13, "S", "220 mx ESMTP"],
        [14, "C", "EHLO me"],
        [16, "S", "250-mx"],
        [17, "S", "250 PIPELINING"],
        [20, "C", "MAIL FROM:<a@b>"],
        [20, "C", "RCPT TO:<c@d>"],
        [21, "S", "250 ok"],
        [24, "S", "550 no such user"],
        [30, "C", "DATA"],
        [31, "S", "354 go"],
        [32, "C", "Subject: x"],
        [32, "C", "QUIT"],
        [33, "C", "."],
        [40, "S", "250 queued"],
        [41, "C", "STARTTLS"],
        [42, "S", "220 go ahead"],
        [47, "*", TLS],
      ]),
    ]).smtp!;
    expect(s.connections).to.equal(1);
    expect(s.connect).to.deep.include({ count: 1, min: 3 });
    expect(s.latency.EHLO).to.deep.include({ count: 1, min: 2 });
    expect(s.latency.MAIL!.min).to.equal(1);
    expect(s.latency.RCPT!.min).to.equal(4);
    expect(s.latency[END_OF_DATA]!.min).to.equal(7);
    expect(s.latency).to.not.have.property("SUBJECT:");
    expect(s.latency).to.not.have.property("QUIT"); // inside DATA it is content
    expect(s.replies).to.deep.equal({ "2yz": 5, "3yz": 1, "5yz": 1 });
    expect(s.tlsHandshake).to.deep.include({ count: 1, min: 5 });
    expect(s.bytesSent).to.equal(["EHLO me", "MAIL FROM:<a@b>", "RCPT TO:<c@d>", "DATA", "Subject: x", "QUIT", ".", "STARTTLS"].reduce((n, l) => n + l.length + 2, 0));
  });

  it("POP3: multiline bodies are not replies, SASL continuations time the AUTH", () => {
    const s = computeStats([
      test("pop3", [
        [0, "*", connect("pop3", "none", 110)],
        [1, "S", "+OK ready"],
        [2, "C", "LIST"],
        [3, "S", "+OK 1 message"],
        [3, "S", "-ERR looks like a status but is body"],
        [3, "S", "."],
        [5, "C", "AUTH PLAIN"],
        [6, "S", "+ "],
        [7, "C", "AGFsaWNlAHB3"],
        [9, "S", "-ERR [AUTH] no"],
      ]),
    ]).pop3!;
    expect(s.replies).to.deep.equal({ "+OK": 2, "-ERR": 1, "+": 1 });
    expect(s.latency.LIST!.count).to.equal(1);
    expect(s.latency.AUTH).to.deep.include({ count: 2, min: 1, max: 2 });
  });

  it("IMAP: tagged replies end commands, untagged lines and literals are skipped, implicit TLS is timed from connect", () => {
    const s = computeStats([
      test("imap", [
        [0, "*", connect("imap", "implicit", 993)],
        [4, "*", TLS],
        [5, "S", "* OK ready"],
        [6, "C", "a1 SELECT INBOX"],
        [7, "S", "* 2 EXISTS"],
        [9, "S", "a1 OK [READ-WRITE] done"],
        [10, "C", "a2 UID FETCH 1 BODY[]"],
        [11, "S", "* 1 FETCH (UID 1 BODY[] {5}"],
        [11, "*", { kind: "literal", octets: 5 }],
        [11, "S", "a2 OK"],
        [12, "S", ")"],
        [13, "S", "a2 NO nope"],
      ]),
    ]).imap!;
    expect(s.tlsHandshake).to.deep.include({ count: 1, min: 4 });
    expect(s.connect).to.deep.include({ min: 5 });
    expect(s.latency.SELECT!.min).to.equal(3);
    expect(s.latency["UID FETCH"]!.min).to.equal(3);
    expect(s.replies).to.deep.equal({ OK: 2, NO: 1 });
  });

  it("keeps named connections apart", () => {
    const s = computeStats([
      test("imap", [
        [0, "*", connect("imap", "none", 143), "a"],
        [0, "*", connect("smtp", "none", 25), "b"],
        [1, "S", "* OK hi", "a"],
        [2, "S", "220 hi", "b"],
      ]),
    ]);
    expect(s.imap!.connections).to.equal(1);
    expect(s.smtp!.replies).to.deep.equal({ "2yz": 1 });
  });

  it("a recorded transcript carries its facts through JSON, past the head limit, and gives the stats its text gives", () => {
    const transcript = new Transcript(Date.now(), () => {}, ["pw"], LINE_CLASSIFIERS);
    transcript.note("main", connect("pop3", "none", 110));
    transcript.record("main", "S", Buffer.from("+OK ready"));
    transcript.record("main", "C", "PASS pw");
    transcript.record("main", "S", Buffer.from("+OK in"));
    transcript.record("main", "C", "RETR 1");
    transcript.record("main", "S", Buffer.from("+OK"));
    // A body longer than the head: the tail's lines are placed after the head's, as the text would place them.
    for (let i = 0; i < MAX_TRANSCRIPT_HEAD_LINES + 500; i++) transcript.record("main", "S", Buffer.from(i % 7 === 0 ? "-ERR in the body" : `line ${i}`));
    transcript.record("main", "S", Buffer.from("."));
    transcript.record("main", "C", "QUIT");
    transcript.record("main", "S", Buffer.from("+OK bye"));
    transcript.note("main", { kind: "closed", by: "client" });
    const lines: TranscriptLine[] = JSON.parse(JSON.stringify(transcript.lines()));
    expect(lines[2]).to.deep.include({ text: "PASS ***", role: "command", verb: "PASS", octets: 10 });
    expect(lines.at(-2)).to.deep.include({ role: "reply", status: "+OK", verb: "QUIT" });
    const result = (transcript: TranscriptLine[]): TestResult => ({ ...test("pop3", []), transcript });
    const saved = computeStats([result(lines)]);
    const textOnly = lines.map(({ connection, dir, ms, text, note }) => ({ connection, dir, ms, text, ...(note ? { note } : {}) }));
    expect(saved).to.deep.equal(computeStats([result(annotateLines(textOnly, LINE_CLASSIFIERS))]));
    expect(saved.pop3!.replies).to.deep.equal({ "+OK": 4 });
    expect(saved.pop3!.latency).to.have.keys("PASS", "RETR", "QUIT");
  });
});
