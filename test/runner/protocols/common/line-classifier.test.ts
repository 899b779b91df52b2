// The line classifiers write a line's facts into the line they are given (the
// transcript line itself, no facts object per line), in the order a report
// shows them, and split a command's verb off without an array of words.

import { expect } from "chai";
import type { LineFacts } from "../../../../runner/session/transcript.ts";
import { LINE_CLASSIFIERS } from "../../../../runner/protocols/line-classifiers.ts";

function place(protocol: "smtp" | "pop3" | "imap", lines: [dir: "C" | "S", text: string][]): LineFacts[] {
  const classifier = LINE_CLASSIFIERS[protocol]();
  return lines.map(([dir, text], ms) => {
    const facts: LineFacts = {};
    const returned: unknown = classifier.line(dir, text, ms, Buffer.byteLength(text) + 2, facts);
    expect(returned).to.equal(undefined);
    return facts;
  });
}

describe("protocols: line classifiers fill the line in place", () => {
  it("SMTP: greeting, a command with its verb in upper case, a multiline reply answering it", () => {
    const facts = place("smtp", [["S", "220 mx ready"], ["C", "ehlo client.example"], ["S", "250-mx"], ["S", "250 SIZE"], ["C", "noop"], ["S", "250 ok"]]);
    expect(facts.map((f) => Object.keys(f).join(","))).to.deep.equal(["role,code,greeting", "role,verb", "role,code,more,verb,waitedMs", "role,code", "role,verb", "role,code,verb,waitedMs"]);
    expect(facts[1]).to.deep.equal({ role: "command", verb: "EHLO" });
    expect(facts[2]).to.include({ role: "reply", code: "250", more: true, verb: "EHLO", waitedMs: 1 });
    expect(facts[4]).to.deep.equal({ role: "command", verb: "NOOP" });
  });

  it("SMTP: a line that is no reply line is other; an empty command line has the empty verb", () => {
    const facts = place("smtp", [["S", "220 ready"], ["S", "25x nonsense"], ["C", ""], ["C", " leading space"]]);
    expect(facts[1]).to.deep.equal({ role: "other" });
    expect(facts[2]).to.deep.equal({ role: "command", verb: "" });
    expect(facts[3]).to.deep.equal({ role: "command", verb: "" });
  });

  it("POP3 and IMAP: status replies and tagged completions carry their facts", () => {
    const pop3 = place("pop3", [["S", "+OK ready"], ["C", "stat"], ["S", "+OK 1 10"]]);
    expect(pop3[2]).to.deep.equal({ role: "reply", status: "+OK", verb: "STAT", waitedMs: 1 });
    const imap = place("imap", [["S", "* OK ready"], ["C", "A1 uid fetch 1 FLAGS"], ["S", "* 1 FETCH (FLAGS ())"], ["S", "A1 OK done"]]);
    expect(imap[0]).to.deep.equal({ role: "untagged", untagged: "OK", greeting: true, status: "OK" });
    expect(imap[1]).to.deep.equal({ role: "command", verb: "UID FETCH", tag: "A1" });
    expect(imap[3]).to.deep.equal({ role: "reply", tag: "A1", status: "OK", verb: "UID FETCH", waitedMs: 2 });
  });
});
