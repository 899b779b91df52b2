import { expect } from "chai";
import { compareIds, exclusiveResources, nextRunnable, scheduleOrder } from "../../../runner/plan/schedule.ts";
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
});
