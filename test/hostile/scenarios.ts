// The hostile-server catalogue: one row per misbehaving server, what the
// runner is asked to do against it, and how the test must end (failure
// class, message, or a pass where the misbehaviour is legal). Rows are data;
// catalogue.test.ts runs each through runTest, run.test.ts all of them in one
// orchestrated run. The greeting-level cases of test/runner/exec/hostile.test.ts
// (silent greeting, 100 MB reply, refused connection, expect-closed) stay there.
// Standards: RFC 5321 §4.2 (reply lines), RFC 1939 §3 (512-octet lines), RFC 3501 §2.2 / §7.5 (tags, literals), RFC 8314 (TLS).

import type { Protocol, Step, TlsMode } from "../../runner/model/ast.ts";
import type { FailureClass, TestStatus } from "../../runner/model/failure.ts";
import * as A from "../support/ast.ts";
import { close, drip, flood, hang, line, makeCertificate, reply, reset, send, starttls, tagOf, wait, type Action, type Credentials } from "../support/scripted-server.ts";

/** The step budget of every row unless it says otherwise: small, so the catalogue stays fast. */
export const BUDGET_MS = 600;
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

export interface Scenario {
  name: string;
  protocol: Protocol;
  /** The server's actions for each connection. */
  script: Action[];
  steps: Step[];
  /** Implicit TLS on the scripted server, and the mode the target asks for. */
  serverTls?: boolean;
  credentials?: () => Promise<Credentials>;
  tls?: TlsMode;
  insecure?: boolean;
  /** The target pins the server's certificate (tls-ca), so verification fails for the certificate's own fault, not "self-signed". */
  trustCertificate?: boolean;
  timeoutMs?: number;
  /** Streams at least this much: RSS is measured around it. */
  heavy?: boolean;
  expect: { status: TestStatus; class?: FailureClass; message?: RegExp };
}

const failed = (cls: FailureClass, message: RegExp) => ({ status: (cls === "connection" || cls === "tls" ? "error" : "failed") as TestStatus, class: cls, message });
const passes = { status: "passed" as TestStatus };
const imapAnswer = (text: string) => line((l) => `${tagOf(l)} ${text}\r\n`);
const YEAR_MS = 365 * 24 * 3600 * 1000;
const expired = () => makeCertificate({ notBefore: new Date(Date.now() - 2 * YEAR_MS), notAfter: new Date(Date.now() - YEAR_MS) });
const wrongHost = () => makeCertificate({ dns: ["mail.elsewhere.example"], ips: ["192.0.2.1"] });

export const SCENARIOS: Scenario[] = [
  // ---- silence and slowness
  { name: "smtp silent after EHLO", protocol: "smtp", script: [send("220 hi\r\n"), hang()], steps: [A.send("EHLO x"), A.smtp("250")],
    expect: failed("timeout", /^timed out after 600 ms waiting for/) },
  { name: "imap silent after a command", protocol: "imap", script: [send("* OK hi\r\n"), hang()], steps: [A.send("NOOP"), A.imap("OK")],
    expect: failed("timeout", /^timed out after 600 ms waiting for the completion of A1/) },
  { name: "pop3 one byte per second", protocol: "pop3", script: [drip("+OK very slow greeting\r\n", 1000, false)], steps: [A.send("CAPA"), A.pop3("+OK")],
    expect: failed("timeout", /^timed out after 600 ms waiting for the greeting/) },
  { name: "smtp multiline reply never ending (a line every 50 ms)", protocol: "smtp", script: [send("220 hi\r\n"), line(), drip("250-still going\r\n", 3, true)],
    steps: [A.send("EHLO x"), A.smtp("250")], expect: failed("timeout", /^timed out after 600 ms waiting for/) },
  // ---- endless and huge replies, streamed lazily by the server
  { name: "imap endless line", protocol: "imap", script: [send("* OK hi\r\n"), line(), flood(GIB, "x")], steps: [A.send("NOOP"), A.imap("OK")],
    heavy: true, expect: failed("protocol-violation", /longer than \d+ octets/) },
  { name: "smtp 1 GB reply", protocol: "smtp", script: [send("220 hi\r\n"), line(), flood(GIB)], steps: [A.send("EHLO x"), A.smtp("250")],
    heavy: true, timeoutMs: 10_000, expect: failed("protocol-violation", /^reply longer than 10000 lines/) },
  { name: "pop3 1 GB multiline body", protocol: "pop3", script: [send("+OK hi\r\n"), reply("+OK here it comes\r\n"), flood(GIB, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n")],
    // No body matcher reads the lines: the body is counted as it streams, up to the 64 MiB read limit.
    steps: [A.send("RETR 1"), A.pop3("+OK", { multiline: true })], heavy: true, timeoutMs: 10_000, expect: failed("protocol-violation", /^multiline response longer than 67108864 octets/) },
  { name: "pop3 1 GB multiline body against a line pattern", protocol: "pop3", script: [send("+OK hi\r\n"), reply("+OK here it comes\r\n"), flood(GIB, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\r\n")],
    steps: [A.send("RETR 1"), A.pop3("+OK", { multiline: true, body: { matches: ["^Subject: "] } })], heavy: true, timeoutMs: 10_000,
    expect: failed("protocol-violation", /^multiline response longer than 100000 lines, the most a body matcher keeps/) },
  // A 10 s budget the flood never gets to use: the queue bound (responses held, not time) ends it.
  { name: "imap untagged flood", protocol: "imap", script: [send("* OK hi\r\n"), line(), flood(GIB, "* 1 EXISTS\r\n")], steps: [A.send("NOOP"), A.imap("OK")],
    heavy: true, timeoutMs: 10_000, expect: failed("protocol-violation", /^untagged flood: more than 250000 responses without the tagged completion of A1/) },
  { name: "server sends only CRs", protocol: "smtp", script: [send("220 hi\r\n"), line(), flood(GIB, "\r")], steps: [A.send("EHLO x"), A.smtp("250")],
    heavy: true, expect: failed("protocol-violation", /longer than \d+ octets/) },
  // ---- odd octets
  { name: "NUL inside a POP3 status line", protocol: "pop3", script: [send("+OK hi\r\n"), reply("-ERR \x00\x00\x00\r\n")], steps: [A.send("STAT"), A.pop3("+OK")],
    expect: failed("assertion", /expected \+OK, got -ERR/) },
  { name: "invalid UTF-8 in an IMAP completion", protocol: "imap", script: [send("* OK hi\r\n"), imapAnswer("NO \xff\xfe\xc3 broken")], steps: [A.send("NOOP"), A.imap("OK")],
    expect: failed("assertion", /expected OK, got NO/) },
  { name: "8-bit text in SMTP replies (tolerated)", protocol: "smtp", script: [send("220 caf\xe9 ESMTP\r\n"), reply("250 ol\xe9\r\n")], steps: [A.send("EHLO x"), A.smtp("250")],
    expect: passes },
  // ---- connections cut short
  { name: "RST in the middle of a POP3 listing", protocol: "pop3", script: [send("+OK hi\r\n"), reply("+OK 2 messages\r\n1 100\r\n"), reset()],
    steps: [A.send("LIST"), A.pop3("+OK", { multiline: true })], expect: failed("connection", /connection (reset|closed) by server/) },
  { name: "imap close after greeting", protocol: "imap", script: [send("* OK hi\r\n"), close()], steps: [A.send("NOOP"), A.imap("OK")],
    expect: failed("connection", /connection closed by server/) },
  { name: "half-close in the middle of a multiline reply", protocol: "smtp", script: [send("220 hi\r\n"), reply("250-first\r\n250-sec"), close()],
    steps: [A.send("EHLO x"), A.smtp("250")], expect: failed("connection", /connection closed by server/) },
  // ---- TLS
  { name: "TLS expected, plain text answered", protocol: "smtp", tls: "implicit", script: [send("220 plain text where TLS was due\r\n"), hang()], steps: [A.send("EHLO x")],
    expect: failed("tls", /TLS handshake/) },
  { name: "STARTTLS accepted, then plain text instead of a handshake", protocol: "smtp", script: [send("220 hi\r\n"), reply("220 go ahead\r\n"), wait(100), send("this is not TLS\r\n"), hang()],
    steps: [A.starttls()], expect: failed("tls", /TLS handshake/) },
  // Plain text in the same segment as the go-ahead: the STARTTLS injection flaw (CVE-2011-0411) seen from the client.
  { name: "STARTTLS go-ahead with plain text in the same segment", protocol: "smtp", script: [send("220 hi\r\n"), reply("220 go ahead\r\n250 injected\r\n"), hang()],
    steps: [A.starttls()], expect: failed("protocol-violation", /after the TLS go-ahead, before the handshake/) },
  { name: "expired certificate", protocol: "pop3", tls: "implicit", serverTls: true, credentials: expired, trustCertificate: true, script: [send("+OK hi\r\n")], steps: [A.send("QUIT")],
    expect: failed("tls", /^TLS handshake failed: CERT_HAS_EXPIRED: certificate has expired$/) },
  { name: "self-signed certificate, not trusted", protocol: "pop3", tls: "implicit", serverTls: true, credentials: () => makeCertificate(), script: [send("+OK hi\r\n")], steps: [A.send("QUIT")],
    expect: failed("tls", /^TLS handshake failed: DEPTH_ZERO_SELF_SIGNED_CERT: self[- ]signed certificate$/) },
  { name: "expired certificate with insecure", protocol: "pop3", tls: "implicit", serverTls: true, credentials: expired, trustCertificate: true, insecure: true,
    script: [send("+OK hi\r\n"), reply("+OK bye\r\n"), close()], steps: [A.send("QUIT"), A.pop3("+OK")], expect: passes },
  { name: "wrong-host certificate", protocol: "imap", tls: "implicit", serverTls: true, credentials: wrongHost, trustCertificate: true, script: [send("* OK hi\r\n")], steps: [A.send("NOOP")],
    expect: failed("tls", /^TLS handshake failed: ERR_TLS_CERT_ALTNAME_INVALID: Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.1 is not in the cert's list: 192\.0\.2\.1$/) },
  { name: "wrong-host certificate with insecure", protocol: "imap", tls: "implicit", serverTls: true, credentials: wrongHost, trustCertificate: true, insecure: true,
    script: [send("* OK hi\r\n"), imapAnswer("OK done")], steps: [A.send("NOOP"), A.imap("OK")], expect: passes },
  { name: "STARTTLS upgrade with an expired certificate", protocol: "smtp", credentials: expired, trustCertificate: true, script: [send("220 hi\r\n"), reply("220 go ahead\r\n"), starttls(), hang()],
    steps: [A.starttls()], expect: failed("tls", /^TLS handshake failed: CERT_HAS_EXPIRED: certificate has expired$/) },
  // ---- the wrong protocol, or garbage
  { name: "POP3 greeting to the SMTP runner", protocol: "smtp", script: [send("+OK POP3 ready\r\n")], steps: [A.send("EHLO x")],
    expect: failed("protocol-violation", /not an SMTP reply line/) },
  { name: "IMAP greeting to the POP3 runner", protocol: "pop3", script: [send("* OK IMAP4rev1 ready\r\n")], steps: [A.send("CAPA")],
    expect: failed("protocol-violation", /./) },
  { name: "SMTP greeting to the IMAP runner", protocol: "imap", script: [send("220 mail ESMTP\r\n")], steps: [A.send("CAPABILITY")],
    expect: failed("protocol-violation", /malformed IMAP response/) },
  { name: "garbage before the greeting", protocol: "smtp", script: [send("\x00\xffGARBAGE\r\n220 hi\r\n")], steps: [A.send("EHLO x")],
    expect: failed("protocol-violation", /not an SMTP reply line/) },
  { name: "SMTP reply with mixed codes", protocol: "smtp", script: [send("220 hi\r\n"), reply("250-a\r\n251-b\r\n250 c\r\n")], steps: [A.send("EHLO x"), A.smtp("250")],
    expect: failed("protocol-violation", /./) },
  // ---- IMAP framing
  { name: "IMAP literal announced but never sent", protocol: "imap", script: [send("* OK hi\r\n"), reply("* 1 FETCH (BODY[] {100}\r\nonly ten.."), hang()],
    steps: [A.send("FETCH 1 BODY[]"), A.imap("OK")], expect: failed("timeout", /^timed out after 600 ms/) },
  // Legitimate, and large: literals up to the literal limit are read whole (the matchers need them), counted by their octets.
  { name: "IMAP FETCH of a 20 MB literal (legitimate)", protocol: "imap",
    script: [send("* OK hi\r\n"), line(() => `* 1 FETCH (BODY[] {${20 * MIB}}\r\n`), flood(20 * MIB, "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n"), send(")\r\nA1 OK FETCH done\r\n"), hang()],
    steps: [A.send("FETCH 1 BODY[]"), A.imap("OK", { untagged: [A.must("* 1 FETCH (BODY[] $_)")] })], heavy: true, timeoutMs: 10_000, expect: passes },
  // The most a literal may be; one octet short of what was announced, so the step times out holding the whole 64 MiB.
  { name: "IMAP literal of 64 MiB, one octet short", protocol: "imap",
    script: [send("* OK hi\r\n"), line(() => `* 1 FETCH (BODY[] {${64 * MIB}}\r\n`), flood(64 * MIB - 1, "z"), hang()],
    steps: [A.send("FETCH 1 BODY[]"), A.imap("OK")], heavy: true, timeoutMs: 3000, expect: failed("timeout", /^timed out after 3000 ms waiting for the completion of A1/) },
  { name: "IMAP tagged response with the wrong tag", protocol: "imap", script: [send("* OK hi\r\n"), reply("X999 OK done\r\n")], steps: [A.send("NOOP"), A.imap("OK")],
    expect: failed("protocol-violation", /tag "X999", which no pending command carries/) },
  { name: "IMAP continuation with no command pending", protocol: "imap", script: [send("+ go ahead\r\n")], steps: [A.send("NOOP"), A.imap("OK")],
    expect: failed("protocol-violation", /./) },
  // ---- POP3 framing
  { name: "POP3 multiline never terminated", protocol: "pop3", script: [send("+OK hi\r\n"), reply("+OK 1 message\r\n1 120\r\n"), hang()],
    steps: [A.send("LIST"), A.pop3("+OK", { multiline: true })], expect: failed("timeout", /^timed out after 600 ms/) },
  { name: "POP3 line over 512 octets", protocol: "pop3", script: [send("+OK hi\r\n"), reply(`+OK ${"z".repeat(600)}\r\n`)], steps: [A.send("STAT"), A.pop3("+OK")],
    expect: failed("protocol-violation", /512/) },
  // ---- must pass
  { name: "greeting split over many TCP segments", protocol: "smtp", script: [drip("220 mail.example ESMTP\r\n", 2), line(), drip("250-mail.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n", 1)],
    // A generous budget: in the orchestrated run the 1 GB floods share this process's event loop with the drip.
    steps: [A.send("EHLO x"), A.smtp("250", { lines: { includes: ["PIPELINING"], excludes: [] } })], timeoutMs: 5000, expect: passes },
];
