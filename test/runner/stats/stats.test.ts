// Protocol statistics from transcripts: latency pairs each command with the
// first line of its reply (pipelined commands in order), multiline replies and
// bodies count once, DATA content and SASL responses are not commands, IMAP
// replies match by tag, literals are skipped, and connect / TLS times come
// from the engine's notes.

import { describe, it } from "mocha";
import { expect } from "chai";
import { computeStats, END_OF_DATA } from "../../../runner/stats/compute.ts";
import { distribution, wireOctets } from "../../../runner/stats/measure.ts";
import type { Protocol } from "../../../runner/model/ast.ts";
import type { TestResult, TranscriptLine } from "../../../runner/model/result.ts";

function test(protocol: Protocol, lines: [number, "C" | "S" | "*", string, string?][]): TestResult {
  const transcript: TranscriptLine[] = lines.map(([ms, dir, text, connection]) => ({ connection: connection ?? "main", dir, ms, text }));
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
        [10, "*", "connecting to 127.0.0.1:25 (smtp, tls none)"],
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
        [47, "*", "TLS established: TLSv1.3 TLS_AES_256_GCM_SHA384"],
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
        [0, "*", "connecting to h:110 (pop3, tls none)"],
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
        [0, "*", "connecting to h:993 (imap, tls implicit)"],
        [4, "*", "TLS established: TLSv1.3"],
        [5, "S", "* OK ready"],
        [6, "C", "a1 SELECT INBOX"],
        [7, "S", "* 2 EXISTS"],
        [9, "S", "a1 OK [READ-WRITE] done"],
        [10, "C", "a2 UID FETCH 1 BODY[]"],
        [11, "S", "* 1 FETCH (UID 1 BODY[] {5}"],
        [11, "*", "literal of 5 octets:"],
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
        [0, "*", "connecting to h:143 (imap, tls none)", "a"],
        [0, "*", "connecting to h:25 (smtp, tls none)", "b"],
        [1, "S", "* OK hi", "a"],
        [2, "S", "220 hi", "b"],
      ]),
    ]);
    expect(s.imap!.connections).to.equal(1);
    expect(s.smtp!.replies).to.deep.equal({ "2yz": 1 });
  });
});
