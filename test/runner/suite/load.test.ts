// The suite loader: good files become the AST with the right spans, and every
// kind of mistake is reported once, at the right file:line:col, with the
// wording pinned here (and in golden/*.err for the rendered form).

import { expect } from "chai";
import { describe, it } from "mocha";
import { fileURLToPath } from "node:url";
import type { ExpectStep, ImapExpect, Pop3Expect, RepeatStep, RetryStep, SendStep, SmtpExpect } from "../../../runner/model/ast.ts";
import { loadSuites } from "../../../runner/suite/load.ts";
import { loadFiles, written } from "./load-files.ts";

const SUITES = fileURLToPath(new URL("../../../suites/", import.meta.url));

/** The quote a suite() test carries, after its steps so that their positions stay put. */
const QUOTE = "    quote: In a multiline reply, the reply code on each of the lines MUST be the same.\n";

/** A suite with one test whose steps start on line 9 (indent 6, keys at column 9); its quote follows them, unless `extra` has one. */
function suite(protocol: string, steps: string, extra = ""): string {
  const quote = extra.includes("quote:") ? "" : `${steps.endsWith("\n") ? "" : "\n"}${QUOTE}`;
  return `protocol: ${protocol}\ntitle: T\ntests:\n  - id: t.one\n    title: x\n    refs: [RFC 5321 §4]\n    level: MUST\n${extra}    steps:\n${steps}${quote}`;
}

describe("suite loader: sample suites", () => {
  it("loads suites/ with no errors, every protocol covered", async () => {
    const { suites, errors } = await loadSuites([SUITES]);
    expect(errors).to.deep.equal([]);
    expect([...new Set(suites.map((s) => s.protocol))].sort()).to.deep.equal(["imap", "lmtp", "pop3", "smtp"]);
    for (const s of suites) expect(s.tests.length).to.be.at.least(1);
  });
});

describe("suite loader: good files", () => {
  it("reads 'quote' as one sentence or a list, folding the line breaks of a wrapped sentence", async () => {
    const one = suite("pop3", "      - expect: { status: +OK }\n", "    quote: >-\n      The POP3 server\n        MUST answer.\n");
    const many = suite("pop3", "      - expect: { status: +OK }\n", "    quote:\n      - \"One.\"\n      - |\n        Two\n        lines.\n");
    const { suites, errors } = await loadFiles({ "a.yaml": one, "b.yaml": many.replace("t.one", "t.two") });
    expect(errors).to.deep.equal([]);
    const byId = new Map(suites.flatMap((s) => s.tests).map((t) => [t.id, t]));
    expect(byId.get("t.one")!.quote).to.deep.equal(["The POP3 server MUST answer."]);
    expect(byId.get("t.two")!.quote).to.deep.equal(["One.", "Two lines."]);
  });

  it("reads negated requirements, and refuses one that names no capability", async () => {
    const good = suite("smtp", "      - expect: 220\n", '    requires: ["!SIZE", PIPELINING]\n');
    const loaded = await loadFiles({ "s.yaml": good });
    expect(loaded.errors).to.deep.equal([]);
    expect(loaded.suites[0]!.tests[0]!.requires).to.deep.equal(["!SIZE", "PIPELINING"]);
    for (const bad of ['"!"', '"!!SIZE"', '"! SIZE"']) {
      const { errors, suites } = await loadFiles({ "s.yaml": suite("smtp", "      - expect: 220\n", `    requires: [${bad}]\n`) });
      expect(suites.flatMap((x) => x.tests)).to.deep.equal([]);
      expect(errors.map((e) => e.message).join("\n")).to.include("names no capability");
    }
  });

  it("reads an SMTP test into the AST with spans", async () => {
    const text = suite(
      "smtp",
      [
        "      - expect: 220",
        "      - send: MAIL FROM:<${user.address}>",
        "      - expect: { code: [250, 2xx], enhanced: 2.1.0, lines: { includes: [PIPELINING] }, text: 'ok', capture: { id: '(\\d+)' } }",
        "      - send: RCPT TO:<${id}@${domain}>",
        "      - data: { file: fixtures/m.eml, raw: true }",
        "      - expect: closed",
        "",
      ].join("\n"),
    );
    const { suites, errors, dir } = await loadFiles({ "s.yaml": text, "fixtures/m.eml": "Subject: x\n\nbody\n" });
    expect(errors).to.deep.equal([]);
    const test = suites[0]!.tests[0]!;
    expect(test).to.include({ id: "t.one", protocol: "smtp", level: "MUST", usersNeeded: 1 });
    expect(test.span).to.include({ line: 4, col: 5 });
    const [greeting, mail, reply, rcpt, data, closed] = test.steps;
    expect(greeting).to.deep.include({ kind: "expect", on: "main" });
    expect((greeting as ExpectStep).expect).to.deep.include({ protocol: "smtp", code: ["220"] });
    expect((greeting as ExpectStep).expect.span).to.include({ line: 9, col: 17 });
    expect(written(mail)).to.deep.include({ kind: "send", line: "MAIL FROM:<${user.address}>" });
    expect((mail as SendStep).line.parts).to.deep.equal(["MAIL FROM:<", { ref: "user.address", offset: 11 }, ">"]);
    expect(mail!.span).to.include({ line: 10, col: 9 });
    const smtp = (reply as ExpectStep).expect as SmtpExpect;
    expect(smtp.code).to.deep.equal(["250", "2xx"]);
    expect(smtp.enhanced).to.equal("2.1.0");
    expect(written(smtp.lines)).to.deep.equal({ includes: ["PIPELINING"], excludes: [] });
    expect(written(smtp.text)).to.equal("ok");
    expect(smtp.captures).to.have.length(1);
    expect(written(smtp.captures[0])).to.deep.include({ name: "id", regex: "(\\d+)" });
    expect(written((rcpt as SendStep).line)).to.equal("RCPT TO:<${id}@${domain}>");
    expect(data).to.deep.include({ kind: "data", raw: true, source: { kind: "file", path: `${dir}/fixtures/m.eml` } });
    expect(closed).to.deep.include({ kind: "expect-closed" });
  });

  it("reads POP3 bodies and IMAP untagged rules, connections and repeat", async () => {
    const pop3 = suite(
      "pop3",
      [
        "      - expect: '+OK'",
        "      - send: RETR 1",
        "      - expect: { status: '+OK', body: { lines: 3, matches: ['^Subject: '], includes: [Subject] } }",
        "      - on: box",
        "        expect: { status: OK, code: 'UIDVALIDITY $uv', untagged: ['* $n EXISTS', { match: '* $_ RECENT', mode: may }, { match: '* BYE ...', mode: not }], ordered: true }",
        "      - repeat: { times: 3, as: k, steps: [ { on: box, send: 'FETCH ${k} UID' }, { on: box, expect: OK } ] }",
        "      - on: box",
        "        send: { line: 'APPEND INBOX', literal: { text: 'uv ${uv} n ${n}', sync: false } }",
        "",
      ].join("\n"),
      "    connections: { box: { protocol: imap, user: 1 } }\n",
    );
    const { suites, errors } = await loadFiles({ "p.yaml": pop3 });
    expect(errors).to.deep.equal([]);
    const test = suites[0]!.tests[0]!;
    expect(test.connections).to.deep.equal([{ name: "box", protocol: "imap", user: 1, span: { file: test.file, line: 8, col: 20 } }]);
    expect(test.usersNeeded).to.equal(undefined);
    const body = ((test.steps[2] as ExpectStep).expect as Pop3Expect);
    expect(body).to.deep.include({ status: "+OK", multiline: true });
    expect(written(body.body)).to.deep.equal({ lineCount: 3, matches: ["^Subject: "], lines: { includes: ["Subject"], excludes: [] } });
    const imap = (test.steps[3] as ExpectStep).expect as ImapExpect;
    expect(written(imap)).to.deep.include({ status: "OK", code: "UIDVALIDITY $uv", ordered: true, strict: false });
    expect(imap.untagged.map((r) => [written(r.pattern), r.mode])).to.deep.equal([
      ["$n EXISTS", "must"],
      ["$_ RECENT", "may"],
      ["BYE ...", "not"],
    ]);
    // Tokenized once, placeholders recognised: the run-time match reads these tokens.
    expect(imap.code!.tokens).to.deep.equal([{ type: "atom", value: "UIDVALIDITY" }, { type: "capture", name: "uv" }]);
    expect(imap.untagged.map((r) => r.pattern.tokens)).to.deep.equal([
      [{ type: "capture", name: "n" }, { type: "atom", value: "EXISTS" }],
      [{ type: "any" }, { type: "atom", value: "RECENT" }],
      [{ type: "atom", value: "BYE" }, { type: "more" }],
    ]);
    const repeat = test.steps[4] as RepeatStep;
    expect(repeat).to.deep.include({ kind: "repeat", times: 3, as: "k" });
    expect(repeat.steps.map((s) => s.on)).to.deep.equal(["box", "box"]);
    expect(written((test.steps[5] as SendStep).literal)).to.deep.equal({ source: { kind: "text", text: "uv ${uv} n ${n}" }, sync: false, after: "" });
  });

  it("reads retry, starttls with inject, IMAP status lists and equals-after-trace", async () => {
    const text = suite(
      "pop3",
      [
        "      - starttls: { inject: 'CAPA ${user.login}' }",
        "      - starttls: { inject: NOOP, silence: 50 }",
        "      - retry:",
        "          steps: [ { on: box, expect: { status: [NO, BAD] } }, { send: STAT }, { expect: { status: '+OK', capture: { n: '^(\\d+) ' } } } ]",
        "      - retry: { within: 5000, every: 250, steps: [ { send: 'RETR ${n}' } ] }",
        "      - expect: { status: '+OK', body: { equals-after-trace: { file: fixtures/m.eml } } }",
        "",
      ].join("\n"),
      "    connections: { box: { protocol: imap } }\n",
    );
    const { suites, errors, dir } = await loadFiles({ "p.yaml": text, "fixtures/m.eml": "Subject: x\n\nbody\n" });
    expect(errors).to.deep.equal([]);
    const steps = suites[0]!.tests[0]!.steps;
    expect(written(steps[0])).to.deep.include({ kind: "starttls", inject: { line: "CAPA ${user.login}", silenceMs: 300 } });
    expect(written(steps[1])).to.deep.include({ kind: "starttls", inject: { line: "NOOP", silenceMs: 50 } });
    expect(steps[2]).to.deep.include({ kind: "retry", withinMs: 3000, everyMs: 100 });
    expect(((steps[2] as RetryStep).steps[0] as ExpectStep).expect).to.deep.include({ status: ["NO", "BAD"] });
    expect(steps[3]).to.deep.include({ kind: "retry", withinMs: 5000, everyMs: 250 });
    expect(((steps[4] as ExpectStep).expect as Pop3Expect).body).to.deep.include({ equalsAfterTrace: { kind: "file", path: `${dir}/fixtures/m.eml` } });
  });

  it("accepts the shorthand forms", async () => {
    const text = suite(
      "imap",
      ["      - connect: { greeting: false }", "      - expect: PREAUTH", "      - auth: plain", "      - silence: 200", "      - wait: 10", "      - send: { line: DONE, tag: none }", "      - close: true", ""].join("\n"),
    );
    const { suites, errors } = await loadFiles({ "i.yaml": text });
    expect(errors).to.deep.equal([]);
    expect(suites[0]!.tests[0]!.steps.map((s) => s.kind)).to.deep.equal(["connect", "expect", "auth", "expect-silence", "wait", "send", "close"]);
    expect(suites[0]!.tests[0]!.steps[2]).to.deep.include({ mechanism: "PLAIN", initialResponse: false, outcome: "success" });
    expect(suites[0]!.tests[0]!.steps[0]).to.deep.include({ greeting: false });
  });
});

/** [what, protocol, steps (from line 9), expected one-line errors] */
const STEP_ERRORS: [string, string, string, string[]][] = [
  ["misspelt action", "smtp", "      - expct: 250\n", ["s.yaml:9:9: unknown key 'expct' in a step (did you mean 'expect'?)"]],
  ["two actions", "smtp", "      - send: NOOP\n        expect: 250\n", ["s.yaml:10:9: one action per step: 'send' and 'expect' are both here; split them into two steps"]],
  ["no action", "smtp", "      - on: main\n", ["s.yaml:9:9: a step needs one action: send, raw, data, starttls, auth, expect, locate, silence, wait, connect, close, repeat, retry, may-close, if"]],
  ["bare string step", "smtp", "      - QUIT\n", ["s.yaml:9:9: a step is a map with one action, like 'send: ...' or 'expect: ...' (did you mean 'send: QUIT'?)"]],
  ["bad SMTP code", "smtp", "      - expect: 2000\n", ["s.yaml:9:17: 'expect' must be a reply code like 250, a class like 2xx or 25x, or a list of them, got '2000'"]],
  ["SMTP code as map without code", "smtp", "      - expect: { text: ok }\n", ["s.yaml:9:17: an SMTP expectation is missing required key 'code'"]],
  ["foreign expect key", "smtp", "      - expect: { code: 250, status: OK }\n", ["s.yaml:9:30: 'status' belongs to POP3 and IMAP expectations; SMTP expectations take code, enhanced, lines, text, max-line-octets, capture"]],
  ["enhanced class mismatch", "smtp", "      - expect: { code: 550, enhanced: 2.0.0 }\n", ["s.yaml:9:40: 'enhanced' class 2 does not agree with reply code 550 (RFC 3463 §3)"]],
  ["POP3 status case", "pop3", "      - expect: +ok\n", ["s.yaml:9:17: 'expect' must be one of +OK, -ERR, got '+ok' (did you mean '+OK'?)"]],
  ["POP3 body with multiline false", "pop3", "      - expect: { status: '+OK', multiline: false, body: { lines: 1 } }\n", ["s.yaml:9:45: a 'body' is only read from a multiline response; drop 'multiline: false'"]],
  ["IMAP status typo", "imap", "      - expect: OKK\n", ["s.yaml:9:17: 'expect' must be one of OK, NO, BAD, PREAUTH, BYE, +, got 'OKK' (did you mean 'OK'?)"]],
  ["IMAP untagged without '* '", "imap", "      - expect: { untagged: ['1 EXISTS'] }\n", [`s.yaml:9:31: an untagged pattern starts with '* ', e.g. "* 1 EXISTS" (quote it: a plain '*' is a YAML alias)`]],
  ["IMAP sequence-numbers not bound here", "imap", "      - expect: { status: OK, untagged: ['* SEARCH $n'], sequence-numbers: [m] }\n", ["s.yaml:9:77: 'sequence-numbers' lists names this step binds ($name in a pattern, or a capture); 'm' is not bound here"]],
  ["IMAP unbalanced list", "imap", "      - expect: { untagged: ['* FLAGS (\\\\Seen'] }\n", ["s.yaml:9:39: '(' is not closed"]],
  ["IMAP ellipsis not last", "imap", "      - expect: { untagged: ['* CAPABILITY ... IMAP4rev1'] }\n", ["s.yaml:9:44: '...' allows extra items at the end only: put it last in the line or list"]],
  ["IMAP expect with neither", "imap", "      - expect: { ordered: true }\n", ["s.yaml:9:17: an IMAP expectation needs 'status' (the tagged reply), 'untagged' (responses to wait for), or both"]],
  ["IMAP count with mode not", "imap", "      - expect: { untagged: [{ match: '* 1 EXISTS', mode: not, count: 2 }] }\n", ["s.yaml:9:64: 'count' applies to mode 'must' only (mode 'not' means none; 'may' means any number)"]],
  ["YAML alias trap", "imap", "      - expect: { status: OK, untagged: [ * OK ] }\n", [`s.yaml:9:43: YAML: an unquoted '*' starts an alias; quote the value, e.g. "* OK ..."`]],
  ["unknown variable", "smtp", "      - send: MAIL FROM:<${user.adress}>\n", ["s.yaml:9:26: unknown variable 'user.adress': not a builtin and not captured earlier in this test (did you mean 'user.address'?)"]],
  ["capture used before it is made", "smtp", "      - send: X ${id}\n      - expect: { code: 250, capture: { id: '(\\d+)' } }\n", ["s.yaml:9:17: unknown variable 'id': not a builtin and not captured earlier in this test"]],
  ["repeat variable outside repeat", "smtp", "      - repeat: { times: 2, steps: [ { send: 'NOOP ${i}' } ] }\n      - send: NOOP ${i}\n", ["s.yaml:10:20: unknown variable 'i': not a builtin and not captured earlier in this test"]],
  ["template syntax", "smtp", "      - send: 'X ${oops'\n", ["s.yaml:9:18: '${' is not closed by '}' (write '$${' for a literal '${')"]],
  ["bad regex", "smtp", "      - expect: { code: 250, text: '(' }\n", ["s.yaml:9:36: 'text' is not a valid regular expression: /(/: Unterminated group"]],
  ["capture without group", "pop3", "      - expect: { status: '+OK', capture: { n: '\\d+' } }\n", ["s.yaml:9:48: 'n' must have exactly 1 capturing group (the captured value), has 0; use (?:...) for other groups"]],
  ["reserved capture name", "smtp", "      - expect: { code: 250, capture: { user: '(x)' } }\n", ["s.yaml:9:41: capture name 'user' is reserved for the builtin variables user.*"]],
  ["undeclared connection", "smtp", "      - on: othr\n        send: NOOP\n", ["s.yaml:9:13: connection 'othr' is not declared under the test's 'connections'; this test has main"]],
  ["data on POP3", "pop3", "      - data: hello\n", ["s.yaml:9:9: 'data' is SMTP message content; this step runs on POP3 (POP3 has no client-side message content)"]],
  ["data string that is a path", "smtp", "      - data: fixtures/x.eml\n", ["s.yaml:9:15: a string under 'data' is sent as the message text itself; for a fixture write 'data: { file: fixtures/x.eml }'"]],
  ["tag on SMTP", "smtp", "      - send: { line: NOOP, tag: none }\n", ["s.yaml:9:29: 'tag' applies to IMAP connections only; this step runs on SMTP"]],
  ["line break in send", "smtp", '      - send: "NOOP\\r\\nQUIT"\n', ["s.yaml:9:15: 'send' must be one line (the runner adds CRLF); use 'raw' to send line breaks exactly"]],
  ["starttls false", "smtp", "      - starttls: false\n", ["s.yaml:9:19: 'starttls' must be true, got false"]],
  ["wait out of range", "smtp", "      - wait: 0\n", ["s.yaml:9:15: 'wait' must be from 1 to 3600000, got 0"]],
  ["wrong type", "smtp", "      - silence: soon\n", ["s.yaml:9:18: 'silence' must be a whole number from 1 to 3600000, got the string 'soon'"]],
  ["empty value", "smtp", "      - send:\n", ["s.yaml:9:9: 'send' has no value; expected a string"]],
  ["CRAM-MD5 initial response", "smtp", "      - auth: { mechanism: CRAM-MD5, initial-response: true }\n", ["s.yaml:9:56: CRAM-MD5 has no initial response: the server sends the first challenge (RFC 2195 §2)"]],
  ["retry inside retry", "smtp", "      - retry: { steps: [ { retry: { steps: [ { send: NOOP } ] } } ] }\n", ["s.yaml:9:29: a retry inside a retry: the inner one's window would run again on every outer attempt; retry once, around all the steps"]],
  ["retry every longer than within", "smtp", "      - retry: { within: 100, every: 500, steps: [ { send: NOOP } ] }\n", ["s.yaml:9:38: 'every' (500 ms) is longer than 'within' (100 ms): there would be no second attempt"]],
  ["retry window too long", "smtp", "      - retry: { within: 600000, steps: [ { send: NOOP } ] }\n", ["s.yaml:9:26: 'within' must be from 1 to 60000, got 600000"]],
  ["starttls inject with a line break", "smtp", '      - starttls: { inject: "RSET\\r\\nQUIT" }\n', ["s.yaml:9:29: 'inject' must be one line (the runner adds CRLF); use 'raw' to send line breaks exactly"]],
  ["IMAP status list of one", "imap", "      - expect: { status: [NO] }\n", ["s.yaml:9:27: a status list names two or more different tagged statuses (OK, NO, BAD), like [NO, BAD]; for one status write it alone"]],
  ["IMAP status list with BYE", "imap", "      - expect: { status: [NO, BYE] }\n", ["s.yaml:9:32: item 2 of 'status' must be one of OK, NO, BAD, got 'BYE'"]],
  ["auth mechanism typo", "smtp", "      - auth: PLAN\n", ["s.yaml:9:15: 'auth' must be one of PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256, SCRAM-SHA-1-PLUS, SCRAM-SHA-256-PLUS, APOP, got 'PLAN' (did you mean 'PLAIN'?)"]],
  ["SCRAM option on another mechanism", "smtp", "      - auth: { mechanism: PLAIN, tamper: proof }\n", ["s.yaml:9:43: 'tamper' applies to SCRAM-SHA-1, SCRAM-SHA-256 and their -PLUS variants only (RFC 5802)"]],
  ["channel-binding on -PLUS", "smtp", "      - auth: { mechanism: SCRAM-SHA-256-PLUS, channel-binding: y }\n", ["s.yaml:9:65: 'channel-binding' applies to SCRAM without -PLUS; SCRAM-SHA-256-PLUS always sends \"p=\" with the TLS session's type"]],
  ["binding tamper without -PLUS", "smtp", "      - auth: { mechanism: SCRAM-SHA-256, tamper: channel-binding }\n", ["s.yaml:9:51: 'tamper: channel-binding' alters the binding data, which only a -PLUS mechanism sends"]],
  ["SCRAM channel-binding value", "smtp", "      - auth: { mechanism: SCRAM-SHA-256, channel-binding: q }\n", ["s.yaml:9:60: 'channel-binding' must be one of n, y, p, got 'q'"]],
];

describe("suite loader: step errors", () => {
  for (const [what, protocol, steps, expected] of STEP_ERRORS) {
    it(what, async () => {
      const { lines, suites } = await loadFiles({ "s.yaml": suite(protocol, steps) });
      expect(lines).to.deep.equal(expected);
      expect(suites).to.deep.equal([]);
    });
  }
});

describe("suite loader: file and test errors", () => {
  it("reports every error of a file, sorted by position, each once", async () => {
    const quote = "    quote: If the EHLO command is not acceptable to the SMTP server, 501, 500, 502, or 550 failure replies MUST be returned as appropriate.";
    const text = ["protocol: smtp", "titel: T", "tests:", "  - id: Bad", "    title: x", "    refs: []", "    level: must", "    steps:", "      - expect: 250", quote, ""].join("\n");
    const { lines } = await loadFiles({ "s.yaml": text });
    expect(lines).to.deep.equal([
      "s.yaml:2:1: unknown key 'titel' in the suite file (did you mean 'title'?)",
      "s.yaml:4:9: test id 'Bad' must be lower-case letters, digits, '.', '_' and '-', starting with a letter or digit",
      "s.yaml:6:11: 'refs' must not be an empty list",
      "s.yaml:7:12: 'level' must be one of MUST, SHOULD, MAY, got 'must' (did you mean 'MUST'?)",
    ]);
  });

  it("points missing keys at the parent map", async () => {
    const { lines } = await loadFiles({ "s.yaml": "protocol: smtp\ntitle: T\ntests:\n  - id: a\n    quote: The QUIT command may be issued at any time.\n    steps: [ { expect: 220 } ]\n" });
    expect(lines).to.deep.equal(["s.yaml:4:5: a test is missing required keys 'title', 'refs', 'level'"]);
  });

  it("refuses a test without a quote, at the test, naming the RFC texts of its refs", async () => {
    const none = suite("smtp", "      - expect: 220\n").replace(QUOTE, "").replace("[RFC 5321 §4]", '["RFC 5321 §4.1.1.1", "RFC 3207 §4", rfc5321 §2]');
    const { lines, suites } = await loadFiles({ "s.yaml": none });
    expect(lines).to.deep.equal([
      "s.yaml:4:5: a test is missing required key 'quote': add the RFC sentence it relies on, verbatim (a list for several), with 'level' that sentence's keyword; " +
        'RFC text: https://www.rfc-editor.org/rfc/rfc5321.txt, https://www.rfc-editor.org/rfc/rfc3207.txt (docs/language.md, "Levels and quotes")',
    ]);
    expect(suites).to.deep.equal([]);
  });

  it("names no RFC text when the refs name no RFC, and says nothing of a quote whose key is misspelt", async () => {
    const none = suite("smtp", "      - expect: 220\n").replace(QUOTE, "").replace("[RFC 5321 §4]", "[STD 10]");
    const misspelt = suite("smtp", "      - expect: 220\n").replace("    quote:", "    qoute:");
    const { lines } = await loadFiles({ "a.yaml": none, "b.yaml": misspelt.replace("t.one", "t.two") });
    expect(lines).to.deep.equal([
      "a.yaml:4:5: a test is missing required key 'quote': add the RFC sentence it relies on, verbatim (a list for several), with 'level' that sentence's keyword; " +
        'RFC text: https://www.rfc-editor.org/ (docs/language.md, "Levels and quotes")',
      "b.yaml:10:5: unknown key 'qoute' in a test (did you mean 'quote'?)",
    ]);
  });

  it("reports an unknown protocol and an empty file", async () => {
    const { lines } = await loadFiles({ "a.yaml": "protocol: nntp\ntitle: T\ntests: [ {} ]\n", "b.yaml": "" });
    expect(lines).to.deep.equal([
      "a.yaml:1:11: 'protocol' must be one of smtp, pop3, imap, lmtp, got 'nntp'",
      "b.yaml:1:1: empty suite file: expected 'protocol', 'title' and 'tests'",
    ]);
  });

  it("reports duplicate ids within a file and across files at the second", async () => {
    const one = suite("smtp", "      - expect: 220\n");
    const { lines, suites } = await loadFiles({ "a.yaml": one, "b/c.yaml": one + "  - id: t.one\n    title: y\n    refs: [x]\n    level: MAY\n    quote: It specifies no action other than that the receiver send a \"250 OK\" reply.\n    steps: [ { expect: 220 } ]\n" });
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(/^b\/c\.yaml:4:9: duplicate test id 't\.one' \(first used at .*a\.yaml:4:9\)$/);
    expect(lines[1]).to.match(/^b\/c\.yaml:11:9: duplicate test id 't\.one' \(first used at .*c\.yaml:4:9\)$/);
    expect(suites.map((s) => s.tests.length)).to.deep.equal([1]);
  });

  it("reports a missing fixture at its path and skips fixtures/ folders", async () => {
    const steps = "      - data: { file: fixtures/none.eml }\n      - send: { line: X, literal: { file: ../up.txt } }\n";
    const { lines } = await loadFiles({ "s.yaml": suite("smtp", steps), "fixtures/not-a-suite.yaml": "this: is not a suite" });
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(/^s\.yaml:9:23: fixture 'fixtures\/none\.eml' not found: fixture paths are relative to the suite file \(.*fixtures\/none\.eml\)$/);
    expect(lines[1]).to.equal("s.yaml:10:26: 'literal' applies to IMAP connections only; this step runs on SMTP");
  });

  it("positions YAML syntax errors", async () => {
    const { lines } = await loadFiles({ "s.yaml": "protocol: smtp\ntitle: T\ntitle: U\ntests:\n  - id: [unclosed\n" });
    expect(lines[0]).to.equal("s.yaml:3:1: YAML: duplicate key 'title'");
    expect(lines.length).to.be.greaterThan(1);
  });

  it("reports a path that does not exist", async () => {
    const { errors } = await loadSuites(["no/such/dir"]);
    expect(errors).to.deep.equal([{ file: "no/such/dir", line: 0, col: 0, message: "no such file or directory" }]);
  });
});

describe("suite loader: capability states and mailbox placement", () => {
  it("reads requires-in, and rejects a state that is not one", async () => {
    const good = await loadFiles({ "s.yaml": suite("imap", "      - expect: OK\n", "    requires: [UIDPLUS]\n    requires-in: after-login\n") });
    expect(good.lines).to.deep.equal([]);
    expect(good.suites[0]!.tests[0]).to.include({ requiresIn: "after-login" });
    const bad = await loadFiles({ "s.yaml": suite("imap", "      - expect: OK\n", "    requires-in: after-auth\n") });
    expect(bad.lines).to.deep.equal(["s.yaml:8:18: 'requires-in' must be one of before-tls, after-starttls, after-login, got 'after-auth'"]);
  });

  it("knows ${imap.prefix}, ${imap.delimiter} and ${domain.upper}; a capture may not be named imap", async () => {
    const steps = [
      '      - send: CREATE "${imap.prefix}mc-${run.token}-${test.slug}${imap.delimiter}kid"',
      "      - expect: { status: OK, capture: { imap: '(x)' } }",
      "",
    ].join("\n");
    const { lines } = await loadFiles({ "s.yaml": suite("imap", steps) });
    expect(lines).to.deep.equal(["s.yaml:10:42: capture name 'imap' is reserved for the builtin variables imap.*"]);
    const smtp = await loadFiles({ "s.yaml": suite("smtp", "      - send: RCPT TO:<${user.login}@${domain.upper}>\n") });
    expect(smtp.lines).to.deep.equal([]);
  });

  it("rejects per-test IMAP mailboxes at the top level and '/' written into their names, in commands, literals and patterns", async () => {
    const steps = [
      '      - send: DELETE "mc-${run.token}-${test.slug}"',
      "      - send: { line: CREATE, literal: { text: \"${imap.prefix}mc-${run.token}-${test.slug}/x\" } }",
      "      - expect: { status: OK, untagged: ['* LIST () \"/\" \"mc-${run.token}\"'] }",
      '      - send: LIST "" "${imap.prefix}mc-${run.token}-${test.slug}${imap.delimiter}%"',
      "",
    ].join("\n");
    const { lines } = await loadFiles({ "s.yaml": suite("imap", steps) });
    expect(lines).to.have.length(3);
    expect(lines[0]).to.match(/^s\.yaml:9:23: a per-test mailbox name must start with \$\{imap\.prefix\}/);
    expect(lines[1]).to.match(/^s\.yaml:10:\d+: '\/' in a mailbox name assumes the server's hierarchy delimiter; write \$\{imap\.delimiter\}/);
    expect(lines[2]).to.match(/^s\.yaml:11:\d+: a per-test mailbox name must start with \$\{imap\.prefix\}/);
  });
});
