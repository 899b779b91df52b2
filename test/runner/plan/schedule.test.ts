import { expect } from "chai";
import type { Step } from "../../../runner/model/ast.ts";
import { compareIds, estimatedMs, exclusiveResources, longestFirst, nextRunnable, scheduleOrder } from "../../../runner/plan/schedule.ts";
import { testCase } from "../report/sample-run.ts";

describe("plan/schedule", function () {
  it("orders by id in code-unit order, independent of locale", function () {
    const order = scheduleOrder(["smtp.b", "imap.z", "smtp.B", "pop3.a", "smtp.a"].map((id) => testCase(id))).map((t) => t.id);
    expect(order).to.deep.equal(["imap.z", "pop3.a", "smtp.B", "smtp.a", "smtp.b"]);
    expect(compareIds("a", "a")).to.equal(0);
  });

  it("does not change its input", function () {
    const input = [testCase("smtp.b"), testCase("smtp.a")];
    scheduleOrder(input);
    expect(input.map((t) => t.id)).to.deep.equal(["smtp.b", "smtp.a"]);
  });

  it("makes every test that opens POP3 hold the maildrop (RFC 1939 §8)", function () {
    expect(exclusiveResources(testCase("pop3.stat"))).to.deep.equal(["pop3-maildrop"]);
    const smtpWithPop = testCase("smtp.deliver", { connections: [{ name: "box", protocol: "pop3", span: { file: "f", line: 1, col: 1 } }] });
    expect(exclusiveResources(smtpWithPop)).to.deep.equal(["pop3-maildrop"]);
    expect(exclusiveResources(testCase("imap.select"))).to.deep.equal([]);
  });

  it("picks the first waiting test whose resources are free", function () {
    const queue = [testCase("pop3.a"), null, testCase("pop3.b"), testCase("smtp.c")];
    expect(nextRunnable(queue, new Set())).to.equal(0);
    expect(nextRunnable(queue, new Set(["pop3-maildrop"]))).to.equal(3);
    expect(nextRunnable([testCase("pop3.a"), null], new Set(["pop3-maildrop"]))).to.equal(-1);
  });

  const span = { file: "f", line: 1, col: 1 };
  const send: Step = { kind: "send", on: "main", span, text: { parts: [] } } as unknown as Step;
  const reply: Step = { kind: "expect-closed", on: "main", span };
  const wait = (ms: number): Step => ({ kind: "wait", on: "main", span, ms });

  it("estimates a test by what it waits for: declared waits and a round trip per reply, repeats unrolled, the longest branch", function () {
    expect(estimatedMs(testCase("smtp.none"))).to.equal(0);
    // Writes wait for nothing; each step that reads from the server counts.
    expect(estimatedMs(testCase("smtp.two", { steps: [send, reply, send, reply] }))).to.equal(4);
    expect(estimatedMs(testCase("pop3.silent", { steps: [{ kind: "expect-silence", on: "main", span, ms: 300 }] }))).to.equal(300);
    // A retry counts its first attempt (the wait inside it included); a repeat its steps times over.
    const retry: Step = { kind: "retry", on: "main", span, withinMs: 5000, everyMs: 1, steps: [wait(150), send, reply] };
    expect(estimatedMs(testCase("pop3.retry", { setup: [retry], finally: [reply] }))).to.equal(150 + 2 + 2);
    expect(estimatedMs(testCase("smtp.repeat", { steps: [{ kind: "repeat", on: "main", span, times: 100, as: "n", steps: [send, reply] }] }))).to.equal(200);
    const branchy: Step = { kind: "if", on: "main", span, same: [{ parts: [] }, { parts: [] }], then: [wait(10)], else: [reply] } as unknown as Step;
    expect(estimatedMs(testCase("imap.if", { steps: [branchy] }))).to.equal(2 + 10);
  });

  it("puts the longest tests first, ties in id order, without changing its input", function () {
    const entries = [
      { test: testCase("smtp.b", { steps: [send, reply] }) },
      { test: testCase("pop3.wait", { steps: [wait(150)] }) },
      { test: testCase("smtp.a", { steps: [reply] }) },
      { test: testCase("imap.many", { steps: [reply, reply, reply] }) },
    ];
    expect(longestFirst(entries).map((e) => e.test.id)).to.deep.equal(["pop3.wait", "imap.many", "smtp.a", "smtp.b"]);
    expect(entries.map((e) => e.test.id)).to.deep.equal(["smtp.b", "pop3.wait", "smtp.a", "imap.many"]);
  });
});
